from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from sitewide.backups import backup


class Command(BaseCommand):
    """`make backup`: the database and the uploaded pictures, in one new folder under BACKUP_DIR."""

    help = "Back up the database and the uploaded pictures into a new folder under BACKUP_DIR."

    def handle(self, *args, **options):
        folder = backup(Path(settings.BACKUP_DIR))
        self.stdout.write(f"Backed up into {folder}")
