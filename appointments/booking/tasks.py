"""The worker's part in booking (django-tasks): send each booking e-mail once, and the reminder
BOOKING_REMINDER_HOURS before the visit, queued with `run_after` when the booking is made or
moved. A reminder names the time it was queued for: a booking moved or cancelled since gets
none, and a reminder run twice (two workers, a restart) is written and sent once."""

import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import task, task_backends

from sitewide.logs import queued_by

from . import mail


@task()
def send_booking_message(message_id: int, attempt: int = 1, request_id: str = "") -> bool:
    """Sends one booking e-mail; its log lines name the request that queued it."""
    with queued_by(request_id):
        done = mail.send(message_id)
    delays = settings.NOTIFICATION_RETRY_MINUTES
    if not done and attempt <= len(delays) and task_backends[send_booking_message.backend].supports_defer:
        run_after = timezone.now() + datetime.timedelta(minutes=delays[attempt - 1])
        send_booking_message.using(run_after=run_after).enqueue(message_id, attempt + 1, request_id)
    return done


@task()
def remind_booking(booking_id: int, starts_at_iso: str) -> bool:
    """Writes and sends the reminder for the booking's time; False when none is due."""
    message = mail.write_reminder(booking_id, starts_at_iso)
    if message is None:
        return False
    return send_booking_message.call(message.pk)
