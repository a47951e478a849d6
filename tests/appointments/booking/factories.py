"""A clinic's calendar for booking tests: clinicians with weekly hours and visit types."""

import datetime

from appointments.booking.models import Clinician, VisitType, WorkingHours
from tests.appointments.factories import form_data


def weekday_hours(clinician, starts="09:00", ends="17:00", days=range(5)):
    for day in days:
        WorkingHours.objects.create(
            clinician=clinician,
            weekday=day,
            starts=datetime.time.fromisoformat(starts),
            ends=datetime.time.fromisoformat(ends),
        )


def clinic_calendar(clinicians=1, **visit):
    """`clinicians` people working 9 to 5 on weekdays, and one visit type they all offer."""
    people = []
    for number in range(clinicians):
        person = Clinician.objects.create(name=f"Clinician {number + 1}", order=number)
        weekday_hours(person)
        people.append(person)
    values = {"name": "First consultation", "minutes": 30, "step_minutes": 30, "notice_hours": 0, **visit}
    visit_type = VisitType.objects.create(**values)
    visit_type.clinicians.set(people)
    return visit_type, people


def details(**overrides):
    data = form_data(**overrides)
    data.pop("purpose", None)
    data.pop("treatment", None)
    return data


def booking_details(**overrides):
    """What booking_create stores for a patient (the form's cleaned values)."""
    data = {name: value for name, value in details(**overrides).items() if name not in ("form_token", "website")}
    data.update(submission_token=None, language="en", sent_quickly=False, phone="+17185550142")
    data["newsletter"] = bool(data.get("newsletter"))
    return data
