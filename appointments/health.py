"""What /healthz says of the background work: whether a worker is taking the tasks, and whether
a request's e-mail has waited too long. Both are read from the database, so they are true
whichever server asks."""

import dataclasses
import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import AppointmentRequest, BookingMessage, ContactPreference, PatientMessage, WorkerHeartbeat


def _cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.NOTIFICATION_ALERT_MINUTES)


def worker_is_taking_tasks() -> bool:
    """False when the worker's heartbeat is older than WORKER_SILENT_MINUTES (it writes one every
    HEARTBEAT_SECONDS while it runs), or when a task has been ready for longer than
    NOTIFICATION_ALERT_MINUTES (tasks without a time of their own count from when they were
    queued): no worker is running, or none can reach the database. A site whose worker never
    started has no heartbeat yet: then only waiting tasks tell."""
    now, cutoff = timezone.now(), _cutoff()
    beat = WorkerHeartbeat.objects.filter(pk=1).values_list("beat_at", flat=True).first()
    if beat is not None and now - beat > datetime.timedelta(minutes=settings.WORKER_SILENT_MINUTES):
        return False
    waiting = DBTaskResult.objects.ready().filter(
        Q(run_after__lt=cutoff) | Q(run_after__gt=now, enqueued_at__lt=cutoff)
    )
    return not waiting.exists()


def tasks_past_their_lease() -> int:
    """Tasks still marked running past NOTIFICATION_LEASE_SECONDS: their worker died or hangs. The
    heartbeat puts them back in the queue; until then /healthz names them."""
    stalled_before = timezone.now() - datetime.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    return DBTaskResult.objects.running().filter(started_at__lt=stalled_before).count()


def oldest_unsent_minutes() -> int | None:
    """How long the oldest request with unsent e-mail has waited, in minutes (None: none waits)."""
    oldest = (
        AppointmentRequest.objects.notification_pending()
        .order_by("received_at")
        .values_list("received_at", flat=True)
        .first()
    )
    return None if oldest is None else int((timezone.now() - oldest).total_seconds() // 60)


def requeue_stalled_tasks() -> int:
    """Tasks a worker took and never finished (it was killed, or the server stopped) go back to
    the queue once they have run longer than NOTIFICATION_LEASE_SECONDS. Sending is safe to
    repeat: each message is recorded as sent the moment the mail server accepts it."""
    stalled_before = timezone.now() - datetime.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    return DBTaskResult.objects.running().filter(started_at__lt=stalled_before).update(status="READY")


@dataclasses.dataclass(frozen=True)
class BackgroundWork:
    waiting: int  # e-mails queued and not sent: requests' alerts and confirmations, staff's, bookings'
    oldest_unsent_seconds: float  # 0 when none waits
    heartbeat_timestamp: float  # Unix time of the worker's last heartbeat; 0 before its first
    tasks_due: int  # tasks whose time has come and that no worker has taken


def background_work(now: datetime.datetime) -> BackgroundWork:
    """What /metrics says of the mail and the worker, read from the database (sitewide/metrics.py)."""
    requests = AppointmentRequest.objects
    queues = [  # each e-mail waiting, with when it was queued
        requests.filter(staff_notified_at__isnull=True).values_list("received_at", flat=True),
        requests.filter(
            contact_preference=ContactPreference.EMAIL, patient_confirmed_at__isnull=True, origin="form"
        ).values_list("received_at", flat=True),
        PatientMessage.objects.filter(sent_at__isnull=True).values_list("queued_at", flat=True),
        BookingMessage.objects.filter(sent_at__isnull=True).values_list("queued_at", flat=True),
    ]
    waiting = sum(queue.count() for queue in queues)
    oldest = [first for queue in queues if (first := queue.order_by(*queue.query.values_select).first())]
    beat = WorkerHeartbeat.objects.filter(pk=1).values_list("beat_at", flat=True).first()
    due = DBTaskResult.objects.ready().filter(Q(run_after__isnull=True) | Q(run_after__lte=now)).count()
    return BackgroundWork(
        waiting=waiting,
        oldest_unsent_seconds=max(0.0, (now - min(oldest)).total_seconds()) if oldest else 0.0,
        heartbeat_timestamp=beat.timestamp() if beat else 0.0,
        tasks_due=due,
    )
