from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sitewide.backups import restore


class Command(BaseCommand):
    """`make restore BACKUP=<folder>`: puts the database and the pictures back as in that backup.
    Everything changed since is replaced: stop the site (and its worker) first."""

    help = "Restore the database and the uploaded pictures from a backup folder."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="A folder written by `make backup` (backup_site).")

    def handle(self, *args, folder, **options):
        try:
            restore(Path(folder))
        except (FileNotFoundError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the database and the pictures from {folder}")
