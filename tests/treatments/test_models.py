import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from treatments.models import Clinic, PageReview, Reviewer, Treatment, TreatmentPage
from treatments.months import add_months

from .factories import make_page, make_reviewer, make_treatment, record_review

pytestmark = pytest.mark.django_db


def test_clinic_phone_becomes_an_international_tel_link():
    clinic = Clinic(phone="1-212-679-9667")
    assert clinic.phone_href == "tel:+12126799667"
    assert Clinic(phone="(212) 679-9667").phone_href == "tel:+12126799667"


def test_current_clinic_is_none_before_content_is_loaded():
    assert Clinic.current() is None


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


def test_a_page_claims_no_review_until_one_is_recorded(settings):
    settings.REVIEW_INTERVAL_MONTHS = 12
    page = make_page(make_treatment())
    assert page.latest_review is None
    assert page.next_review_due is None
    assert not page.review_is_overdue
    record_review(page, reviewed_on=datetime.date(2026, 2, 28))
    page = TreatmentPage.objects.with_content().get(pk=page.pk)
    assert page.next_review_due == datetime.date(2027, 2, 28)


def test_a_review_is_overdue_once_its_interval_has_passed(settings):
    settings.REVIEW_INTERVAL_MONTHS = 12
    page = make_page(make_treatment())
    record_review(page, reviewed_on=datetime.date.today() - datetime.timedelta(days=400))
    assert TreatmentPage.objects.with_content().get(pk=page.pk).review_is_overdue
    record_review(page, reviewer=Reviewer.objects.get(), reviewed_on=datetime.date.today())
    assert not TreatmentPage.objects.with_content().get(pk=page.pk).review_is_overdue


def test_the_next_review_is_the_same_day_months_later_or_the_months_last_day():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2026, 11, 23), 12) == datetime.date(2027, 11, 23)
    assert add_months(datetime.date(2026, 12, 15), -12) == datetime.date(2025, 12, 15)


def test_a_reviewer_needs_a_name_patients_can_read_and_a_review_cannot_be_in_the_future():
    user = User.objects.create_user("nameless")
    with pytest.raises(ValidationError, match="first and last name"):
        Reviewer(user=user, role="MD").full_clean()
    page = make_page(make_treatment())
    review = PageReview(
        page=page, reviewer=make_reviewer(), reviewed_on=datetime.date.today() + datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="day still to come"):
        review.full_clean()


def test_pages_due_for_review_are_the_unreviewed_the_overdue_and_those_due_soon(settings):
    settings.REVIEW_INTERVAL_MONTHS = 12
    treatment = make_treatment()
    never = make_page(treatment, slug="never")
    fresh = make_page(treatment, slug="fresh")
    soon = make_page(treatment, slug="soon")
    overdue = make_page(treatment, slug="overdue")
    reviewer = make_reviewer()
    today = datetime.date.today()
    record_review(fresh, reviewer, today)
    record_review(soon, reviewer, add_months(today, -12) + datetime.timedelta(days=20))
    record_review(overdue, reviewer, add_months(today, -12) - datetime.timedelta(days=1))
    assert set(TreatmentPage.objects.due_for_review(30)) == {never, soon, overdue}


def test_page_addresses_are_clean():
    treatment = make_treatment(slug="mesotherapy")
    assert make_page(treatment).get_absolute_url() == "/treatments/mesotherapy/"
    assert make_page(treatment, slug="faq").get_absolute_url() == "/treatments/mesotherapy/faq/"


def test_a_page_is_named_for_staff_without_repeating_its_treatment():
    treatment = make_treatment(name="Mesotherapy")
    assert str(make_page(treatment, title="Mesotherapy: side effects")) == "Mesotherapy: side effects"
    assert str(make_page(treatment, slug="steps", title="Five steps")) == "Mesotherapy: Five steps"
