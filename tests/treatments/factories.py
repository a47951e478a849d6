"""Small builders for treatment content, for tests that need pages of a chosen size."""

import datetime

from django.contrib.auth.models import User

from treatments.models import (
    FAQEntry,
    PageReview,
    PreventionStep,
    PreventionTip,
    Reviewer,
    Section,
    Treatment,
    TreatmentPage,
)


def make_treatment(**fields):
    fields = {"name": "Test treatment", "slug": "test-treatment", "summary": "A treatment for tests.", **fields}
    return Treatment.objects.create(**fields)


def make_page(treatment, **fields):
    fields = {
        "kind": TreatmentPage.Kind.OVERVIEW,
        "slug": "",
        "title": "Test page",
        "short_title": "Test",
        "summary": "A page for tests.",
        **fields,
    }
    return TreatmentPage.objects.create(treatment=treatment, **fields)


def add_content(page, count):
    """`count` sections, FAQ entries and steps (each with two tips) on the page."""
    existing = page.sections.count()
    for number in range(existing + 1, existing + count + 1):
        Section.objects.create(page=page, heading=f"Section {number}", anchor=f"s{number}", body="Text.", order=number)
        FAQEntry.objects.create(page=page, question=f"Question {number}?", anchor=f"q{number}", answer="Answer.")
        step = PreventionStep.objects.create(page=page, title=f"Step {number}", order=number)
        PreventionTip.objects.create(step=step, text=f"Tip {number}a")
        PreventionTip.objects.create(step=step, text=f"Tip {number}b")


def make_reviewer(username="drlee", first_name="Grace", last_name="Lee", role="MD, medical director"):
    user = User.objects.create_user(username, password="a-long-reviewer-password", is_staff=True)
    user.first_name, user.last_name = first_name, last_name
    user.save()
    return Reviewer.objects.create(user=user, role=role)


def record_review(page, reviewer=None, reviewed_on=None, **fields):
    return PageReview.objects.create(
        page=page, reviewer=reviewer or make_reviewer(), reviewed_on=reviewed_on or datetime.date.today(), **fields
    )


DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def record_opening_hours(spec: str, closed=()):
    """Staff's opening hours for the clinic, written as 'mon-fri 09:00-17:00; sat 10:00-13:00', and
    its closed days ('2026-12-25'). Creates the clinic's record from fixtures/ when there is none."""
    from django.core.management import call_command

    from treatments.models import Clinic, ClinicClosure, OpeningTime

    if not Clinic.objects.exists():
        call_command("loaddata", "clinic", verbosity=0)
    clinic = Clinic.objects.get()
    OpeningTime.objects.filter(clinic=clinic).delete()
    ClinicClosure.objects.filter(clinic=clinic).delete()
    for part in filter(None, (part.strip() for part in spec.split(";"))):
        days, times = part.split()
        first, _, last = days.partition("-")
        opens, closes = (datetime.time.fromisoformat(time) for time in times.split("-"))
        for weekday in range(DAYS.index(first), DAYS.index(last or first) + 1):
            OpeningTime.objects.create(clinic=clinic, weekday=weekday, opens=opens, closes=closes)
    for day in closed:
        ClinicClosure.objects.create(clinic=clinic, day=datetime.date.fromisoformat(day))
