"""Small builders for treatment content, for tests that need pages of a chosen size."""

import datetime

from treatments.models import FAQEntry, PreventionStep, PreventionTip, Section, Treatment, TreatmentPage

REVIEWED = datetime.date(2026, 1, 15)


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
        "first_published": datetime.date(2015, 8, 26),
        "last_reviewed": REVIEWED,
        "next_review_due": REVIEWED + datetime.timedelta(days=365),
        "reviewed_by": "Test reviewer",
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
