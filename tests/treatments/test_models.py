import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from treatments.models import Clinic, Treatment, TreatmentPage

from .factories import make_page, make_treatment

pytestmark = pytest.mark.django_db


def test_clinic_phone_becomes_an_international_tel_link():
    clinic = Clinic(phone="1-212-679-9667")
    assert clinic.phone_href == "tel:+12126799667"
    assert Clinic(phone="(212) 679-9667").phone_href == "tel:+12126799667"


def test_current_clinic_is_none_before_content_is_loaded():
    assert Clinic.current() is None


def test_next_review_must_fall_after_the_last_review():
    page = make_page(make_treatment())
    page.next_review_due = page.last_reviewed
    with pytest.raises(ValidationError, match="next review must be due after"):
        page.full_clean()
    with pytest.raises(IntegrityError):
        page.save()


def test_a_page_cannot_be_reviewed_before_it_was_published():
    page = make_page(make_treatment())
    page.last_reviewed = page.first_published - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="before it was first published"):
        page.full_clean()


def test_two_pages_of_a_treatment_cannot_share_an_address():
    treatment = make_treatment()
    make_page(treatment, slug="faq")
    with pytest.raises(IntegrityError):
        make_page(treatment, slug="faq")


def test_published_hides_drafts_and_pages_of_unpublished_treatments():
    live = make_treatment()
    hidden = make_treatment(name="Hidden", slug="hidden", is_published=False)
    shown = make_page(live)
    make_page(live, slug="draft", is_published=False)
    make_page(hidden)
    assert list(TreatmentPage.objects.published()) == [shown]
    assert list(Treatment.objects.published()) == [live]


def test_review_is_overdue_once_the_due_date_has_passed():
    page = make_page(make_treatment())
    page.next_review_due = datetime.date(2000, 1, 1)
    assert page.review_is_overdue
    page.next_review_due = datetime.date(2999, 1, 1)
    assert not page.review_is_overdue


def test_page_addresses_are_clean():
    treatment = make_treatment(slug="mesotherapy")
    assert make_page(treatment).get_absolute_url() == "/treatments/mesotherapy/"
    assert make_page(treatment, slug="faq").get_absolute_url() == "/treatments/mesotherapy/faq/"


def test_a_page_is_named_for_staff_without_repeating_its_treatment():
    treatment = make_treatment(name="Mesotherapy")
    assert str(make_page(treatment, title="Mesotherapy: side effects")) == "Mesotherapy: side effects"
    assert str(make_page(treatment, slug="steps", title="Five steps")) == "Mesotherapy: Five steps"
