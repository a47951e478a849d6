from django.core.management.base import BaseCommand

from appointments.models import AppointmentRequest
from appointments.notifications import send_request_notifications


class Command(BaseCommand):
    """Sends the staff alerts and patient confirmations that could not be sent when the request
    came in (mail server down). Safe to run again and from cron: nothing is sent twice."""

    help = "Send appointment-request e-mails that are still pending."

    def handle(self, *args, **options):
        pending = list(AppointmentRequest.objects.notification_pending().order_by("pk").values_list("pk", flat=True))
        done = sum(send_request_notifications(pk) for pk in pending)
        still_pending = len(pending) - done
        self.stdout.write(f"Notified {done} of {len(pending)} pending requests; {still_pending} still pending.")
        if still_pending:
            self.stderr.write("Some could not be sent; the mail server may be down. Run this again later.")
