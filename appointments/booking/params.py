"""A day or a moment read from what a browser sent: None for anything else, never an error."""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime


def date_param(value: str | None) -> datetime.date | None:
    """A day as the pages write it ("2026-12-04")."""
    try:
        return parse_date(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def moment_param(value: str | None) -> datetime.datetime | None:
    """A moment with its offset, as the free times' buttons send it ("2026-12-04T10:30:00-05:00")."""
    try:
        moment = parse_datetime(value) if value and len(value) <= 40 else None
    except ValueError:
        return None
    return moment if moment is not None and timezone.is_aware(moment) else None
