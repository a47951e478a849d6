from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from appointments.models import AppointmentRequest
from appointments.services import appointment_requests_purge


class Command(BaseCommand):
    """Deletes closed and declined appointment requests older than the retention period, so the
    clinic keeps patients' details no longer than it needs them."""

    help = "Delete closed or declined appointment requests older than --days days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.APPOINTMENT_RETENTION_DAYS,
            help=f"Age in days (default: {settings.APPOINTMENT_RETENTION_DAYS}, from APPOINTMENT_RETENTION_DAYS).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only say how many would be removed.")

    def handle(self, *args, days, dry_run, **options):
        if days < 0:
            raise CommandError("--days must be zero or more.")
        if dry_run:
            count = AppointmentRequest.objects.past_retention(days).count()
            self.stdout.write(f"Would remove {count} closed or declined requests older than {days} days.")
            return
        count = appointment_requests_purge(older_than_days=days)
        self.stdout.write(f"Removed {count} closed or declined requests older than {days} days.")
