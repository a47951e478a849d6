"""Everything that writes the newsletter's records: signing up, confirming, unsubscribing, a
bounce or complaint, and starting to send an issue. Views, tasks and commands call these.

Each is safe to run twice (a resent form, a second click, a task run again): the second run
finds the work done and changes nothing."""

import datetime
import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from .addresses import address_hash, normalised
from .models import ConsentEvent, ConsentWording, NewsletterDelivery, NewsletterIssue, Subscriber, SuppressedAddress
from .selectors import recipients

# The words a person is shown where they ask for the newsletter, and where they confirm it. Each
# consent record keeps the version shown (ConsentWording): change these and new records name
# the new words.
SIGN_UP_LABEL = gettext_lazy("Receive our free newsletter")
SIGN_UP_HELP = gettext_lazy(
    "We will first e-mail you a link to confirm: nothing is sent until you do. Every newsletter has a "
    "link to unsubscribe in one click. This box has nothing to do with your appointment request."
)
SIGN_UP_ONLY_HELP = gettext_lazy(
    "We will first e-mail you a link to confirm: nothing is sent until you do. Every newsletter has a "
    "link to unsubscribe in one click."
)
CONFIRM_WORDS = gettext_lazy(
    "Yes, send the clinic's free newsletter to this address. I can unsubscribe at any time with the "
    "link in every newsletter."
)


def wording(text: str) -> ConsentWording:
    text = str(text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    try:
        with transaction.atomic():
            return ConsentWording.objects.get_or_create(digest=digest, defaults={"text": text})[0]
    except IntegrityError:  # two first uses at once
        return ConsentWording.objects.get(digest=digest)


def subscriber_sign_up(
    *, email: str, source: str, words: str, client_address: str | None, language: str | None = None
) -> Subscriber | None:
    """Records that this address asked for the newsletter and, unless it is confirmed already
    or was sent a confirmation within the cool-down, queues the confirmation e-mail. The caller
    says the same thing whatever happened here: nobody learns whether an address was known.
    Runs inside the caller's transaction when there is one (the appointment request's)."""
    from .tasks import send_confirmation

    language = language or get_language()
    digest = address_hash(email)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(address_hash=digest).first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        email=normalised(email), address_hash=digest, source=source, language=language
                    )
            except IntegrityError:  # the same address signed up at the same moment
                subscriber = Subscriber.objects.select_for_update().get(address_hash=digest)
        if subscriber.language != language:  # signed up again from the other language's pages
            subscriber.language = language
            subscriber.save(update_fields=["language"])
        ConsentEvent.objects.create(
            kind=ConsentEvent.Kind.ASKED,
            address_hash=digest,
            subscriber=subscriber,
            wording=wording(words),
            source=source,
            client_address=client_address or None,
        )
        if subscriber.status == Subscriber.Status.CONFIRMED:
            return subscriber
        cooled_down = timezone.now() - datetime.timedelta(minutes=settings.NEWSLETTER_CONFIRM_COOLDOWN_MINUTES)
        if subscriber.confirmation_sent_at is None or subscriber.confirmation_sent_at < cooled_down:
            send_confirmation.enqueue(subscriber.pk)  # stored in this transaction: never lost, never early
    return subscriber


def subscriber_confirm(*, digest: str, client_address: str | None) -> bool:
    """Confirms the subscriber with this address hash (a second confirmation changes nothing).
    Lifts a suppression: the owner of the address has just asked again. False when there is no
    such sign-up any more (it was unsubscribed, erased, or never confirmed in time)."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(address_hash=digest).first()
        if subscriber is None:
            return False
        if subscriber.status == Subscriber.Status.CONFIRMED:
            return True
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["status", "confirmed_at"])
        ConsentEvent.objects.create(
            kind=ConsentEvent.Kind.CONFIRMED,
            address_hash=digest,
            subscriber=subscriber,
            wording=wording(CONFIRM_WORDS),
            source=_("confirmation page"),
            client_address=client_address or None,
        )
        SuppressedAddress.objects.filter(address_hash=digest).delete()
    return True


REASON_FOR_KIND = {
    ConsentEvent.Kind.UNSUBSCRIBED: SuppressedAddress.Reason.UNSUBSCRIBED,
    ConsentEvent.Kind.BOUNCED: SuppressedAddress.Reason.BOUNCED,
    ConsentEvent.Kind.COMPLAINED: SuppressedAddress.Reason.COMPLAINED,
}


def subscriber_suppress(
    *, digest: str, kind: str, source: str, issue_id: int | None = None, client_address: str | None = None
) -> bool:
    """Unsubscribes (or, for a bounce or complaint, suppresses) an address: the subscriber row
    goes, the address joins the suppression list, and the consent record says why. Idempotent:
    a second unsubscribe records nothing more. True when something changed."""
    with transaction.atomic():
        deleted, _rows = Subscriber.objects.filter(address_hash=digest).delete()
        _suppression, added = SuppressedAddress.objects.get_or_create(
            address_hash=digest, defaults={"reason": REASON_FOR_KIND[kind]}
        )
        if not (deleted or added):
            return False
        issue = issue_id if issue_id and NewsletterIssue.objects.filter(pk=issue_id).exists() else None
        ConsentEvent.objects.create(
            kind=kind,
            address_hash=digest,
            source=source,
            client_address=client_address or None,
            issue_id=issue,
        )
    return True


class CannotSend(Exception):
    pass


def newsletter_issue_send(issue: NewsletterIssue, *, by) -> int:
    """Fixes the issue's words and makes one delivery row for each confirmed, unsuppressed
    subscriber, then queues the sending. Twice (two clicks, two members of staff) starts it
    once. Returns how many will get it."""
    from treatments.context_processors import clinic_for_pages

    from .tasks import send_issue

    clinic = clinic_for_pages()
    if clinic is None or not (clinic.street_address and clinic.city):
        raise CannotSend(_("Record the clinic's postal address first (Clinic): every newsletter must carry it."))
    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
        if issue.sending_started:
            raise CannotSend(_("This newsletter is being sent already: it goes to each subscriber once."))
        NewsletterDelivery.objects.bulk_create(
            [
                NewsletterDelivery(issue=issue, subscriber_id=pk, address_hash=digest)
                for pk, digest in recipients(issue.language).values_list("pk", "address_hash").iterator()
            ],
            batch_size=500,
        )
        issue.send_started_at = timezone.now()
        issue.send_started_by = by
        issue.save(update_fields=["send_started_at", "send_started_by"])
        send_issue.enqueue(issue.pk)
        return issue.deliveries.count()
