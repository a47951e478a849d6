"""The newsletter's background work, through the task queue: the confirmation e-mail, a test
to the member of staff, and sending an issue to every confirmed subscriber.

An issue goes out in runs of at most `RUN_SECONDS` (well inside the lease a worker holds a
task for), each queueing the next: at most NEWSLETTER_MESSAGES_PER_MINUTE for the whole site,
however many workers send (each also spaces its own messages by that pace). Every delivery is
claimed with a lease before it is sent (mail.OnceSender says how none is sent twice), so two
workers, a task run twice, or a worker killed halfway and started again, each deliver every
message once and resume where the last stopped."""

import datetime
import logging
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task, task_backends

from .mail import OnceSender, Refused, Unreachable, confirmation_message, issue_message
from .models import NewsletterDelivery, NewsletterIssue, Subscriber, SuppressedAddress

logger = logging.getLogger(__name__)
State = NewsletterDelivery.State
MAX_ATTEMPTS = 5


def _later(task_function, minutes: float, *args) -> None:
    if task_backends[task_function.backend].supports_defer:
        task_function.using(run_after=timezone.now() + datetime.timedelta(minutes=minutes)).enqueue(*args)


def _lease() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)


@task()
def send_confirmation(subscriber_id: int, attempt: int = 1) -> bool:
    """The confirmation e-mail, once per cool-down: a task run twice finds it sent."""
    now = timezone.now()
    cooled_down = now - datetime.timedelta(minutes=settings.NEWSLETTER_CONFIRM_COOLDOWN_MINUTES)
    claimed = (
        Subscriber.objects.filter(pk=subscriber_id, status=Subscriber.Status.PENDING)
        .filter(Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lt=cooled_down))
        .filter(Q(confirmation_sending_until__isnull=True) | Q(confirmation_sending_until__lt=now))
        .update(confirmation_sending_until=_lease())
    )
    if not claimed:
        return True
    subscriber = Subscriber.objects.get(pk=subscriber_id)
    try:
        confirmation_message(subscriber).send(fail_silently=False)
    except Exception as error:  # the kind only: the server's words may quote the address
        logger.warning("Newsletter confirmation for subscriber %s not sent: %s", subscriber_id, type(error).__name__)
        Subscriber.objects.filter(pk=subscriber_id).update(confirmation_sending_until=None)
        delays = settings.NOTIFICATION_RETRY_MINUTES
        if attempt <= len(delays):
            _later(send_confirmation, delays[attempt - 1], subscriber_id, attempt + 1)
        return False
    Subscriber.objects.filter(pk=subscriber_id).update(
        confirmation_sent_at=timezone.now(), confirmation_sending_until=None
    )
    return True


@task()
def send_test(issue_id: int, user_id: int) -> bool:
    """The issue as subscribers will get it, to the member of staff who asked."""
    from .addresses import address_hash

    user = get_user_model().objects.get(pk=user_id)
    issue = NewsletterIssue.objects.get(pk=issue_id)
    issue_message(issue, user.email, address_hash(user.email), test=True).send(fail_silently=False)
    return True


def _claim_next(issue_id: int) -> NewsletterDelivery | None:
    """Takes the next delivery nobody holds: waiting, or left `sending` by a worker whose lease
    ran out (it never reached the mail server's acceptance). One UPDATE decides who has it."""
    now = timezone.now()
    claimable = Q(state=State.WAITING) | Q(state=State.SENDING, lease_until__lt=now)
    for pk in (
        NewsletterDelivery.objects.filter(claimable, issue_id=issue_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:20]
    ):
        taken = NewsletterDelivery.objects.filter(claimable, pk=pk).update(
            state=State.SENDING, lease_until=_lease(), attempts=F("attempts") + 1
        )
        if taken:
            return NewsletterDelivery.objects.select_related("subscriber", "issue").get(pk=pk)
    return None


def _settle_in_doubt(issue_id: int) -> None:
    """A delivery handed over by a worker that then died: the server may have it. Never again."""
    NewsletterDelivery.objects.filter(
        issue_id=issue_id, state=State.HANDED_OVER, lease_until__lt=timezone.now()
    ).update(state=State.IN_DOUBT, lease_until=None)


def _deliver(sender: OnceSender, delivery: NewsletterDelivery) -> None:
    subscriber = delivery.subscriber
    suppressed = SuppressedAddress.objects.filter(address_hash=delivery.address_hash).exists()
    if subscriber is None or subscriber.status != Subscriber.Status.CONFIRMED or suppressed:
        NewsletterDelivery.objects.filter(pk=delivery.pk).update(state=State.SKIPPED, lease_until=None)
        return
    message = issue_message(delivery.issue, subscriber.email, delivery.address_hash)

    def handed_over():
        NewsletterDelivery.objects.filter(pk=delivery.pk).update(state=State.HANDED_OVER)

    try:
        sender.send(message, handed_over)
    except Refused as error:
        NewsletterDelivery.objects.filter(pk=delivery.pk).update(
            state=State.FAILED, lease_until=None, problem=f"Refused by the mail server ({error})"
        )
        return
    except Unreachable as error:
        final = delivery.attempts >= MAX_ATTEMPTS
        NewsletterDelivery.objects.filter(pk=delivery.pk).update(
            state=State.FAILED if final else State.WAITING,
            lease_until=None,
            problem=f"Mail server: {error} ({timezone.localtime():%Y-%m-%d %H:%M})",
        )
        raise
    NewsletterDelivery.objects.filter(pk=delivery.pk).update(
        state=State.SENT, sent_at=timezone.now(), lease_until=None
    )


RUN_SECONDS = 20


def _over_the_rate() -> bool:
    """NEWSLETTER_MESSAGES_PER_MINUTE is the whole site's pace, whatever number of workers send:
    the messages handed over in the last minute, by any of them, are counted in the database."""
    minute_ago = timezone.now() - datetime.timedelta(minutes=1)
    recent = NewsletterDelivery.objects.filter(sent_at__gte=minute_ago).count()
    return recent >= settings.NEWSLETTER_MESSAGES_PER_MINUTE


@task()
def send_issue(issue_id: int) -> int:
    """Sends the issue's waiting deliveries for up to RUN_SECONDS, then queues itself for the
    rest. Returns how many it sent."""
    run_for = min(RUN_SECONDS, settings.NOTIFICATION_LEASE_SECONDS / 2)
    pause = 60 / max(settings.NEWSLETTER_MESSAGES_PER_MINUTE, 1)
    started, sent = time.monotonic(), 0
    _settle_in_doubt(issue_id)
    try:
        with OnceSender() as sender:
            while time.monotonic() - started < run_for:
                if _over_the_rate():
                    _later(send_issue, 0.1, issue_id)  # the minute's share is used up: in 6 s
                    return sent
                delivery = _claim_next(issue_id)
                if delivery is None:
                    break
                _deliver(sender, delivery)
                sent += 1
                if pause > 1:  # a slow pace: the worker is free for other tasks meanwhile
                    _later(send_issue, pause / 60, issue_id)
                    return sent
                time.sleep(pause)
            else:
                send_issue.enqueue(issue_id)  # more to send: the next run goes on
                return sent
    except Unreachable as error:
        logger.warning(
            "Newsletter %s: the mail server cannot be reached (%s); trying again in a minute", issue_id, error
        )
        _later(send_issue, 1, issue_id)
        return sent
    # Nothing left to claim now; deliveries another worker holds (or held when it died) are
    # looked at again when their lease runs out.
    held = NewsletterDelivery.objects.filter(issue_id=issue_id, state__in=[State.SENDING, State.HANDED_OVER])
    until = held.order_by("lease_until").values_list("lease_until", flat=True).first()
    if until is not None:
        seconds = max((until - timezone.now()).total_seconds(), 0) + 1
        _later(send_issue, seconds / 60, issue_id)
    return sent


def resume_unfinished_issues() -> int:
    """Queues `send_issue` again for any issue with deliveries left and no sending task waiting
    or running: whatever stopped its chain of runs (an error, a task lost with its worker), the
    heartbeat resumes it. Returns how many were queued."""
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(status__in=["READY", "RUNNING"], task_path=send_issue.module_path).exists():
        return 0
    left = Q(state=State.WAITING) | Q(state=State.SENDING, lease_until__lt=timezone.now())
    unfinished = NewsletterDelivery.objects.filter(left).values_list("issue_id", flat=True).distinct()
    issues = list(unfinished)
    for issue_id in issues:
        send_issue.enqueue(issue_id)
    return len(issues)
