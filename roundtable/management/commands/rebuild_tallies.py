from django.core.management.base import BaseCommand

from roundtable.services import tallies_rebuild


class Command(BaseCommand):
    help = (
        "Counts every village's issues per stage again and replaces the issue tallies the pages read "
        "(after a bulk load or a restore; the workflow keeps them right otherwise)."
    )

    def handle(self, *args, **options):
        rows = tallies_rebuild()
        self.stdout.write(f"{rows} issue tallies rebuilt.")
