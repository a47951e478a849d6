"""Background work, through Django's tasks framework (django-tasks, with django-tasks-db's
database backend in production). A request's notifications are queued in the same transaction
that stores it; the worker (`manage.py run_worker`) sends them, retrying with growing delays while
the mail server is down. The patient's page never waits for the mail server."""

import datetime
import logging

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django_tasks import task, task_backends

from sitewide.logs import queued_by

from .models import AppointmentRequest, WorkerHeartbeat
from .notifications import send_request_notifications

logger = logging.getLogger(__name__)


@task()
def deliver_request_notifications(appointment_id: int, attempt: int = 1, request_id: str = "") -> bool:
    """Sends what is still unsent for one request; if something could not be sent, tries again
    after the next delay in NOTIFICATION_RETRY_MINUTES. True when nothing is pending.

    An unexpected error (not the mail server's) is recorded for staff and retried like any
    other: a request's mail is never dropped because one attempt went wrong. Its log lines name
    the web request that stored the patient's (`request_id`, as nginx gave it).
    """
    with queued_by(request_id):
        return _deliver_request_notifications(appointment_id, attempt, request_id)


def _deliver_request_notifications(appointment_id: int, attempt: int, request_id: str) -> bool:
    try:
        done = send_request_notifications(appointment_id)
    except Exception as error:
        # Only the error's kind, no traceback: its text may quote a patient's address.
        logger.error("Notifications for appointment request %s failed: %s", appointment_id, type(error).__name__)
        when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        AppointmentRequest.objects.filter(pk=appointment_id).update(
            notification_attempts=F("notification_attempts") + 1,
            notification_problem=f"Unexpected error: {type(error).__name__} ({when})",
        )
        done = False
    delays = settings.NOTIFICATION_RETRY_MINUTES
    if not done and attempt <= len(delays) and task_backends[deliver_request_notifications.backend].supports_defer:
        run_after = timezone.now() + datetime.timedelta(minutes=delays[attempt - 1])
        deliver_request_notifications.using(run_after=run_after).enqueue(appointment_id, attempt + 1, request_id)
    return done


@task()
def worker_heartbeat() -> None:
    """Records that a worker is taking tasks, puts back in the queue any task whose worker died
    while running it (past NOTIFICATION_LEASE_SECONDS), resumes a newsletter whose sending
    stopped (appointments.newsletter.tasks), then queues itself again for
    HEARTBEAT_SECONDS later: while a worker runs, the heartbeat never grows older than that
    (appointments.health). Started by `requeue_stalled_tasks`, which runs before every start of
    the worker, and by the worker itself when the database answers again after an outage."""
    from .health import requeue_stalled_tasks
    from .newsletter.tasks import resume_unfinished_issues

    WorkerHeartbeat.objects.update_or_create(pk=1, defaults={"beat_at": timezone.now()})
    requeue_stalled_tasks()
    resume_unfinished_issues()
    queue_heartbeat(after=datetime.timedelta(seconds=settings.HEARTBEAT_SECONDS))


def queue_heartbeat(after: datetime.timedelta = datetime.timedelta(0)) -> bool:
    """Queues the heartbeat unless one is already waiting (several workers, or a restart, never
    multiply it). True when one was queued."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(status="READY", task_path=worker_heartbeat.module_path).exists()
    if waiting or not task_backends[worker_heartbeat.backend].supports_defer:
        return False
    worker_heartbeat.using(run_after=timezone.now() + after).enqueue()
    return True


@task()
def send_patient_message(message_id: int, attempt: int = 1, request_id: str = "") -> bool:
    """Sends an e-mail staff wrote to a patient (appointments.patient_email), once; tried again
    after each delay in NOTIFICATION_RETRY_MINUTES while the mail server refuses it. Its log
    lines name the staff's request that queued it."""
    from .patient_email import send

    with queued_by(request_id):
        done = send(message_id)
    delays = settings.NOTIFICATION_RETRY_MINUTES
    if not done and attempt <= len(delays) and task_backends[send_patient_message.backend].supports_defer:
        run_after = timezone.now() + datetime.timedelta(minutes=delays[attempt - 1])
        send_patient_message.using(run_after=run_after).enqueue(message_id, attempt + 1, request_id)
    return done
