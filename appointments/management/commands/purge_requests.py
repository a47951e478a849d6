import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from appointments.models import AppointmentRequest, Subscriber
from appointments.services import appointment_requests_purge


class Command(BaseCommand):
    """Deletes closed and declined appointment requests older than the retention period, so the
    clinic keeps patients' details no longer than it needs them; and newsletter sign-ups never
    confirmed within NEWSLETTER_PENDING_DAYS. Consent records and the suppression list are never
    purged: they are kept apart from requests, without the address."""

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
        pending_days = settings.NEWSLETTER_PENDING_DAYS
        unconfirmed = Subscriber.objects.filter(
            status=Subscriber.Status.PENDING, asked_at__lt=timezone.now() - datetime.timedelta(days=pending_days)
        )
        if dry_run:
            count = AppointmentRequest.objects.past_retention(days).count()
            self.stdout.write(f"Would remove {count} closed or declined requests older than {days} days.")
            self.stdout.write(
                f"Would remove {unconfirmed.count()} newsletter sign-ups not confirmed in {pending_days} days."
            )
            return
        count = appointment_requests_purge(older_than_days=days)
        self.stdout.write(f"Removed {count} closed or declined requests older than {days} days.")
        removed, _rows = unconfirmed.delete()
        self.stdout.write(f"Removed {removed} newsletter sign-ups not confirmed in {pending_days} days.")
