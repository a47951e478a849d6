"""For the admin's front page: how many patient pages are due for review, and how many
translations trail the page they translate."""

from django import template
from django.conf import settings

from ..models import TreatmentPage

register = template.Library()


@register.simple_tag(takes_context=True)
def pages_due_for_review(context) -> int | None:
    """The count, for staff who may see pages; None for others."""
    request = context.get("request")
    if request is None or not request.user.has_perm("treatments.view_treatmentpage"):
        return None
    return TreatmentPage.objects.published().due_for_review(settings.REVIEW_REMINDER_DAYS).count()


@register.simple_tag(takes_context=True)
def translations_out_of_date(context) -> int | None:
    """How many translations trail their original's words, for staff who may see pages."""
    request = context.get("request")
    if request is None or not request.user.has_perm("treatments.view_treatmentpage"):
        return None
    return TreatmentPage.objects.translations_out_of_date().count()
