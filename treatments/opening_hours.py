"""The clinic's opening hours and closed days as staff keep them in the admin, read once and
kept in the shared cache until the content changes. The response promise (appointments), the
Visiting page and the structured data all read them here."""

import datetime
from dataclasses import dataclass

from django.db import DatabaseError

from sitewide.page_cache import kept_content

from .models import ClinicClosure, OpeningTime


@dataclass(frozen=True)
class OpeningHours:
    """Opening and closing time for each weekday the clinic is open (0 = Monday)."""

    days: dict[int, tuple[datetime.time, datetime.time]]


def _read_hours() -> tuple[dict, list]:
    days = {time.weekday: (time.opens, time.closes) for time in OpeningTime.objects.order_by("weekday")}
    return days, list(ClinicClosure.objects.order_by("day").values_list("day", flat=True))


def _kept_hours() -> tuple[dict, list]:
    try:
        return kept_content("opening-hours", _read_hours)
    except DatabaseError:  # not known just now: no promise is made, rather than an error page
        return {}, []


def clinic_hours() -> OpeningHours | None:
    """The hours, or None while staff have recorded none (then no response time is promised)."""
    days, _closed = _kept_hours()
    return OpeningHours(days) if days else None


def clinic_holidays() -> set[datetime.date]:
    return set(_kept_hours()[1])


def upcoming_closures(today: datetime.date) -> list[datetime.date]:
    return [day for day in _kept_hours()[1] if day >= today]
