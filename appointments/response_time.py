"""When the clinic promises to answer a request: within APPOINTMENT_RESPONSE_BUSINESS_DAYS
business days, counted on the clinic's opening hours and holidays.

A request is due by closing time on the N-th business day after the day it arrived: one that
arrives on Friday evening, on a Saturday, or on Monday morning before opening is due by Monday's
or Tuesday's close accordingly (Friday -> Monday, Saturday -> Monday, Monday -> Tuesday), and a
holiday does not count. Without CLINIC_OPENING_HOURS the clinic makes no promise: nothing is
computed, and the site says it will answer as soon as it can.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SPEC = re.compile(r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+(?P<opens>\d\d:\d\d)-(?P<closes>\d\d:\d\d)$")


@dataclass(frozen=True)
class OpeningHours:
    """Opening and closing time for each weekday the clinic is open (0 = Monday)."""

    days: dict[int, tuple[datetime.time, datetime.time]]

    @classmethod
    def parse(cls, spec: str) -> "OpeningHours | None":
        """'mon-fri 09:00-17:00; sat 10:00-13:00' -> hours; '' -> None (not known)."""
        days = {}
        for part in filter(None, (part.strip().lower() for part in (spec or "").split(";"))):
            match = SPEC.match(part)
            if not match or match["first"] not in DAYS or (match["last"] and match["last"] not in DAYS):
                raise ImproperlyConfigured(
                    f"CLINIC_OPENING_HOURS: cannot read {part!r}; write e.g. 'mon-fri 09:00-17:00; sat 10:00-13:00'."
                )
            first, last = DAYS.index(match["first"]), DAYS.index(match["last"] or match["first"])
            opens, closes = (datetime.time.fromisoformat(match[key]) for key in ("opens", "closes"))
            if closes <= opens:
                raise ImproperlyConfigured(f"CLINIC_OPENING_HOURS: {part!r} closes before it opens.")
            for day in range(first, last + 1):
                days[day] = (opens, closes)
        return cls(days) if days else None


def clinic_hours() -> OpeningHours | None:
    return OpeningHours.parse(settings.CLINIC_OPENING_HOURS)


def clinic_holidays() -> set[datetime.date]:
    try:
        return {datetime.date.fromisoformat(day.strip()) for day in settings.CLINIC_HOLIDAYS if day.strip()}
    except ValueError as error:
        raise ImproperlyConfigured(f"CLINIC_HOLIDAYS: {error}; write dates as 2026-12-25.") from error


def response_due(received_at: datetime.datetime) -> datetime.datetime | None:
    """The moment a request received at `received_at` must have been answered, or None when the
    clinic's opening hours are not known."""
    hours = clinic_hours()
    if hours is None:
        return None
    holidays = clinic_holidays()
    day = timezone.localtime(received_at).date()
    remaining = settings.APPOINTMENT_RESPONSE_BUSINESS_DAYS
    while True:
        day += datetime.timedelta(days=1)
        if day.weekday() in hours.days and day not in holidays:
            remaining -= 1
            if remaining <= 0:
                closes = hours.days[day.weekday()][1]
                return timezone.make_aware(datetime.datetime.combine(day, closes))


def is_overdue(received_at, answered: bool, now=None) -> bool:
    due = response_due(received_at)
    return due is not None and not answered and (now or timezone.now()) > due
