"""When the clinic promises to answer a request: within the clinic's response days (business
days), counted on its opening hours and closed days, all of which staff keep in the admin with
the clinic's details.

A request is due by closing time on the N-th business day after the day it arrived: one that
arrives on Friday evening, on a Saturday, or on Monday morning before opening is due by Monday's
or Tuesday's close accordingly (Friday -> Monday, Saturday -> Monday, Monday -> Tuesday), and a
closed day does not count. While no opening hours are recorded the clinic makes no promise:
nothing is computed, and the site says it will answer as soon as it can.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from treatments.context_processors import clinic_for_pages
from treatments.opening_hours import clinic_holidays, clinic_hours


def response_business_days() -> int:
    clinic = clinic_for_pages()
    return clinic.response_business_days if clinic is not None else settings.APPOINTMENT_RESPONSE_BUSINESS_DAYS


def response_due(received_at: datetime.datetime) -> datetime.datetime | None:
    """The moment a request received at `received_at` must have been answered, or None when the
    clinic's opening hours are not known."""
    hours = clinic_hours()
    if hours is None:
        return None
    return due_after(received_at, hours.days, clinic_holidays(), response_business_days())


def due_after(received_at, days: dict, holidays, business_days: int) -> datetime.datetime:
    """Closing time on the `business_days`-th open day after the day of `received_at` (in the
    clinic's time zone); `days` maps a weekday to its (opens, closes) times."""
    day = timezone.localtime(received_at).date()
    remaining = business_days
    while True:
        day += datetime.timedelta(days=1)
        if day.weekday() in days and day not in holidays:
            remaining -= 1
            if remaining <= 0:
                return timezone.make_aware(datetime.datetime.combine(day, days[day.weekday()][1]))
