"""What the newsletter's pages read: who gets an issue, and how its sending stands."""

from django.db.models import Count

from .models import ConsentEvent, NewsletterDelivery, NewsletterIssue, Subscriber, SuppressedAddress


def recipients():
    """Confirmed subscribers whose address is not on the suppression list."""
    suppressed = SuppressedAddress.objects.values("address_hash")
    return Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).exclude(address_hash__in=suppressed)


def issue_counts(issue: NewsletterIssue) -> dict:
    """How an issue's sending stands, and how many unsubscribed from it (two queries)."""
    by_state = dict(issue.deliveries.values_list("state").annotate(n=Count("pk")).order_by())
    states = NewsletterDelivery.State
    return {
        "recipients": sum(by_state.values()),
        "sent": by_state.get(states.SENT, 0),
        "failed": by_state.get(states.FAILED, 0),
        "in_doubt": by_state.get(states.IN_DOUBT, 0),
        "skipped": by_state.get(states.SKIPPED, 0),
        "waiting": sum(by_state.get(state, 0) for state in [states.WAITING, states.SENDING, states.HANDED_OVER]),
        "unsubscribed": ConsentEvent.objects.filter(issue=issue, kind=ConsentEvent.Kind.UNSUBSCRIBED).count(),
    }
