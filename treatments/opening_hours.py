"""The clinic's opening hours and closed days as staff keep them in the admin (OpeningTime and
ClinicClosure rows). Every save or deletion of one writes a summary onto the clinic's own row, so
the response promise (appointments), the Visiting page and the structured data read them with the
clinic's details (one query, kept in the shared cache) rather than with two more queries."""

import datetime
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save

from sitewide.page_cache import invalidate_pages

from .models import Clinic, ClinicClosure, OpeningTime


@dataclass(frozen=True)
class OpeningHours:
    """Opening and closing time for each weekday the clinic is open (0 = Monday)."""

    days: dict[int, tuple[datetime.time, datetime.time]]


def summarize(clinic_id: int) -> dict:
    return {
        "days": {
            str(time.weekday): [time.opens.isoformat(), time.closes.isoformat()]
            for time in OpeningTime.objects.filter(clinic_id=clinic_id).order_by("weekday")
        },
        "closed": [
            day.isoformat()
            for day in ClinicClosure.objects.filter(clinic_id=clinic_id).order_by("day").values_list("day", flat=True)
        ],
    }


def keep_summary(sender, instance, **kwargs) -> None:
    # An UPDATE of the one column: the content's post_save rule then retires the kept readings.
    Clinic.objects.filter(pk=instance.clinic_id).update(hours_summary=summarize(instance.clinic_id))
    invalidate_pages()


def connect() -> None:
    for model in (OpeningTime, ClinicClosure):
        post_save.connect(keep_summary, sender=model, dispatch_uid=f"hours:{model._meta.label}:save")
        post_delete.connect(keep_summary, sender=model, dispatch_uid=f"hours:{model._meta.label}:delete")


def _summary() -> dict:
    clinic = Clinic.for_pages()  # kept in the shared cache; the shipped copy if the database is down
    return (clinic.hours_summary or {}) if clinic is not None else {}


def clinic_hours() -> OpeningHours | None:
    """The hours, or None while staff have recorded none (then no response time is promised)."""
    days = {
        int(weekday): (datetime.time.fromisoformat(opens), datetime.time.fromisoformat(closes))
        for weekday, (opens, closes) in _summary().get("days", {}).items()
    }
    return OpeningHours(days) if days else None


def clinic_holidays() -> set[datetime.date]:
    return {datetime.date.fromisoformat(day) for day in _summary().get("closed", [])}


def upcoming_closures(today: datetime.date) -> list[datetime.date]:
    return sorted(day for day in clinic_holidays() if day >= today)
