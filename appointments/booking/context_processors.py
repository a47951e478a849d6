"""Whether patients can book online in the page's language: "Book online" shows only then.
Worked out only by templates that ask, and kept in the shared cache beside the pages: a change
of the calendar's set-up retires both (sitewide.page_cache.PAGE_MODELS), so a kept page never
offers booking that is closed, or hides it."""

from django.conf import settings
from django.db import DatabaseError
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from sitewide.page_cache import kept_content

from .models import VisitType


def booking_is_open(language: str) -> bool:
    try:
        return language in kept_content("booking-open", open_languages)
    except DatabaseError:  # the database down: the pages still come, offering the request form
        return False


def open_languages() -> list[str]:
    """One query: the languages in which some visit type can be booked (open to patients,
    offered by a clinician who takes bookings and has hours, named in that language; the
    site's first language is a visit type's own)."""
    bookable = VisitType.objects.filter(active=True, clinicians__active=True, clinicians__working_hours__isnull=False)
    named_in = set(bookable.values_list("words__language", flat=True).distinct())
    if not named_in:
        return []
    return sorted({settings.LANGUAGE_CODE, *(language for language in named_in if language)})


def booking(request):
    return {"booking_open": SimpleLazyObject(lambda: booking_is_open(get_language()))}
