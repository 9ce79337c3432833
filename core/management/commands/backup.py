"""manage.py backup: one consistent set (database dump, media, manifest) in a new folder."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a backup set: pg_dump -Fc (or the SQLite file), the media files and a manifest."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=settings.BACKUP_DIR, help="folder to write the set into")
        parser.add_argument("--keep", type=int, default=0, help="keep only the newest N sets (0: keep all)")

    def handle(self, *args, output, keep, **options):
        try:
            path = backup_create(directory=Path(output), keep=keep)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
