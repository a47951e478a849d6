"""When the clinic promises to answer a request: within APPOINTMENT_RESPONSE_BUSINESS_DAYS
business days, counted on the clinic's opening hours and closed days, which staff keep in the
admin with the clinic's details.

A request is due by closing time on the N-th business day after the day it arrived: one that
arrives on Friday evening, on a Saturday, or on Monday morning before opening is due by Monday's
or Tuesday's close accordingly (Friday -> Monday, Saturday -> Monday, Monday -> Tuesday), and a
closed day does not count. While no opening hours are recorded the clinic makes no promise:
nothing is computed, and the site says it will answer as soon as it can.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from treatments.opening_hours import clinic_holidays, clinic_hours


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
