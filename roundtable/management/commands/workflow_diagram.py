import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from roundtable.diagram import README_END, README_START, readme_block


class Command(BaseCommand):
    help = "Prints the six-step workflow as a Mermaid diagram; --write updates README.md."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="replace the diagram block in README.md")

    def handle(self, *args, write=False, **options):
        block = readme_block()
        if not write:
            self.stdout.write(block)
            return
        readme = Path(settings.BASE_DIR) / "README.md"
        text = readme.read_text()
        pattern = re.compile(re.escape(README_START) + ".*?" + re.escape(README_END), re.S)
        readme.write_text(
            pattern.sub(lambda m: block, text) if pattern.search(text) else text + "\n" + block + "\n"
        )
        self.stdout.write("README.md updated.")
