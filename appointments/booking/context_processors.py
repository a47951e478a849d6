"""Whether patients can book online in the page's language: "Book online" shows only then.
Worked out only by templates that ask; a change of the calendar's set-up retires kept pages
(sitewide.page_cache), so a kept page never offers booking that is closed, or hides it."""

from django.db import DatabaseError
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from .models import VisitType


def booking_is_open(language: str) -> bool:
    try:
        return _offered(language)
    except DatabaseError:  # the database down: the pages still come, offering the request form
        return False


def _offered(language: str) -> bool:
    visit_types = VisitType.objects.filter(
        active=True, clinicians__active=True, clinicians__working_hours__isnull=False
    )
    return any(visit.in_language(language) is not None for visit in visit_types.prefetch_related("words").distinct())


def booking(request):
    return {"booking_open": SimpleLazyObject(lambda: booking_is_open(get_language()))}
