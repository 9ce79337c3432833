"""manage.py restore PATH: a backup set back into an empty database and an empty media storage."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = "Restore a backup set into the (empty) database and media storage configured by the environment."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the set's folder (tongxin-YYYYMMDD-HHMMSS)")
        parser.add_argument("--check", action="store_true", help="only verify the checksums")

    def handle(self, *args, path, check, **options):
        try:
            manifest = backup_verify(Path(path)) if check else backup_restore(path=Path(path))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{'verified' if check else 'restored'} {path}: version {manifest['version']} "
            f"{manifest['commit'][:12]}, {manifest['media']['files']} media files, "
            f"made {manifest['created_at']}"
        )
