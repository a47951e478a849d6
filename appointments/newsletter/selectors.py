"""What the newsletter's pages read: who gets an issue, and how its sending stands."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from .models import ConsentEvent, NewsletterDelivery, NewsletterIssue, Subscriber, SuppressedAddress


def recipients(language: str | None = None):
    """Confirmed subscribers whose address is not on the suppression list: those who signed up in
    `language` (an issue's), or all of them."""
    suppressed = SuppressedAddress.objects.values("address_hash")
    confirmed = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).exclude(address_hash__in=suppressed)
    return confirmed if language is None else confirmed.filter(language=language)


COUNTS = ["recipients", "sent", "failed", "in_doubt", "skipped", "waiting", "unsubscribed"]


def issue_counts(issue: NewsletterIssue) -> dict:
    """How an issue's sending stands, and how many unsubscribed from it (one query)."""
    return with_counts(NewsletterIssue.objects.filter(pk=issue.pk)).values(*COUNTS).get()


def with_counts(issues):
    """Annotates the list's figures on each issue in the same query: sent, failed, not known,
    waiting, and unsubscribed from it."""
    states = NewsletterDelivery.State
    unsubscribed = (
        ConsentEvent.objects.filter(issue=OuterRef("pk"), kind=ConsentEvent.Kind.UNSUBSCRIBED)
        .values("issue")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return issues.annotate(
        recipients=Count("deliveries"),
        sent=Count("deliveries", filter=Q(deliveries__state=states.SENT)),
        failed=Count("deliveries", filter=Q(deliveries__state=states.FAILED)),
        in_doubt=Count("deliveries", filter=Q(deliveries__state=states.IN_DOUBT)),
        skipped=Count("deliveries", filter=Q(deliveries__state=states.SKIPPED)),
        waiting=Count(
            "deliveries", filter=Q(deliveries__state__in=[states.WAITING, states.SENDING, states.HANDED_OVER])
        ),
        unsubscribed=Coalesce(Subquery(unsubscribed, output_field=IntegerField()), Value(0)),
    )
