"""The editorial workflow: an honest review record kept by staff, the history of every change,
reading grades, review reminders, and content that seeds an empty site but never overwrites one."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from conftest import sign_in
from tests.admin_forms import admin_change_form_data
from treatments.models import PageReview, Reviewer, Section, TreatmentPage
from treatments.months import add_months
from treatments.readability import grade, page_readability

from .factories import make_reviewer, record_review

pytestmark = pytest.mark.django_db

FAQ = "/treatments/mesotherapy/faq/"


@pytest.fixture
def faq(content):
    return TreatmentPage.objects.get(slug="faq")


def test_recording_a_review_shows_name_role_date_and_next_due(client, faq, settings):
    settings.REVIEW_INTERVAL_MONTHS = 12
    reviewed_on = datetime.date.today() - datetime.timedelta(days=10)
    record_review(faq, make_reviewer(first_name="Grace", last_name="Lee", role="MD, medical director"), reviewed_on)
    response = client.get(FAQ)
    assertContains(response, "Grace Lee, MD, medical director, on")
    assertContains(response, f'<time datetime="{reviewed_on:%Y-%m-%d}">{reviewed_on:%-d %B %Y}</time>', html=True)
    due = add_months(reviewed_on, 12)
    assertContains(response, f'<time datetime="{due:%Y-%m-%d}">{due:%-d %B %Y}</time>', html=True)
    assertNotContains(response, "due for review")


def test_an_overdue_review_says_so_in_plain_words_and_shows_no_past_due_date(client, faq, settings):
    settings.REVIEW_INTERVAL_MONTHS = 12
    reviewed_on = datetime.date.today() - datetime.timedelta(days=500)
    record_review(faq, reviewed_on=reviewed_on)
    response = client.get(FAQ)
    assertContains(response, "This information is due for review.")
    assertNotContains(response, "Next review due")
    assertNotContains(response, f"{add_months(reviewed_on, 12):%Y-%m-%d}")


def clinical_reviewer(username="ada2", first_name="Ada", last_name="Stone", role="RN, nurse educator"):
    from django.test import Client

    reviewer = make_reviewer(username=username, first_name=first_name, last_name=last_name, role=role)
    reviewer.user.groups.add(Group.objects.get(name="Clinical reviewers"))
    return reviewer, sign_in(Client(), reviewer.user)


def test_a_clinical_reviewer_records_their_own_review_after_seeing_the_checks(admin_client, faq):
    reviewer, client = clinical_reviewer()
    url = reverse("admin:treatments_treatmentpage_review", args=[faq.pk])
    page = client.get(url).content.decode()
    assert "Claims check" in page
    assert "Flesch-Kincaid grade" in page
    assert "Recorded as reviewed by <strong>Ada Stone, RN, nurse educator</strong>" in page
    response = client.post(url, {"notes": "Checked against current guidance."})
    assert response.status_code == 302
    review = TreatmentPage.objects.with_content().get(pk=faq.pk).latest_review
    assert (review.reviewer, review.recorded_by) == (reviewer, reviewer.user)
    assert review.words_as_of == TreatmentPage.objects.get(pk=faq.pk).words_changed_at  # which words
    assert review.revision == faq.revisions.order_by("-number").first()  # which whole-page revision
    status = admin_client.get(reverse("admin:treatments_treatmentpage_change", args=[faq.pk])).content.decode()
    assert "Reviewed by Ada Stone, RN, nurse educator" in status


def test_nobody_records_a_review_in_someone_elses_name(admin_client, faq):
    reviewer, _ = clinical_reviewer()
    url = reverse("admin:treatments_treatmentpage_review", args=[faq.pk])
    assert admin_client.get(url).status_code == 403  # a superuser with no reviewer's role on file
    assert admin_client.post(url, {"notes": "For Dr Stone."}).status_code == 403
    change = reverse("admin:treatments_treatmentpage_change", args=[faq.pk])
    data = admin_change_form_data(admin_client.get(change))
    assert "reviews-0-reviewer" not in data  # the page form has no review to fill in
    data.update({"reviews-TOTAL_FORMS": "1", "reviews-0-reviewer": str(reviewer.pk)})
    admin_client.post(change, data)
    assert PageReview.objects.count() == 0


def test_a_change_after_the_review_says_so_until_the_next_review(client, faq):
    from treatments.reviews import review_record

    reviewer, _ = clinical_reviewer()
    review_record(page=faq, user=reviewer.user)
    assert "changed since this review" not in client.get(faq.get_absolute_url()).content.decode()
    answer = faq.faq_entries.first()
    answer.answer += " More words."
    answer.save()
    assert "The page has changed since this review." in client.get(faq.get_absolute_url()).content.decode()
    review_record(page=faq, user=reviewer.user)
    assert "changed since this review" not in client.get(faq.get_absolute_url()).content.decode()


def test_the_manager_adds_a_clinical_reviewer_in_one_form(admin_client, faq):
    url = reverse("admin:treatments_reviewer_add")
    response = admin_client.post(
        url,
        {
            "first_name": "Grace",
            "last_name": "Okafor",
            "role": "MD, dermatologist",
            "email": "g.okafor@clinic.example",
            "username": "gokafor",
            "password": "a-long-first-password-for-grace",
        },
    )
    assert response.status_code == 302
    reviewer = Reviewer.objects.get(user__username="gokafor")
    assert str(reviewer) == "Grace Okafor, MD, dermatologist"
    assert reviewer.user.is_staff
    assert reviewer.user.has_perm("treatments.record_own_review")


def test_every_edit_and_review_is_in_the_pages_history_with_who_and_what(admin_client, admin_user, db):
    call_command("seed_content")
    faq = TreatmentPage.objects.get(slug="faq")
    url = reverse("admin:treatments_treatmentpage_change", args=[faq.pk])
    data = admin_change_form_data(admin_client.get(url))
    data["summary"] = "Answers to the questions our patients ask most."
    admin_client.post(url, data)
    section = Section.objects.create(page=faq, heading="A new section", anchor="new", body="Text.")
    record_review(faq)
    html = admin_client.get(url).content.decode()
    assert "Page: summary changed" in html
    assert "Section “A new section” added" in html
    assert "Review of " in html
    assert "Page added" in html  # the content as first loaded
    assert admin_user.get_username() in html
    assert section.history.count() == 1


def test_reading_grades_are_computed_offline_and_shown_to_staff(admin_client, faq):
    assert grade("The cat sat on the mat. It was happy.") < 2
    assert grade("Mesotherapy is a minimally invasive procedure that is widely used in Europe.") > 8
    html = admin_client.get(reverse("admin:treatments_treatmentpage_changelist")).content.decode()
    assert "reading grade" in html.lower()
    page_html = admin_client.get(reverse("admin:treatments_treatmentpage_change", args=[faq.pk])).content.decode()
    assert "Flesch-Kincaid grade" in page_html
    assert "target 8.0" in page_html


def test_the_hardest_parts_of_a_page_are_named(db, settings):
    from .factories import make_page, make_treatment

    settings.READING_GRADE_TARGET = 8
    page = make_page(make_treatment(), intro="It is short. It is clear.")
    Section.objects.create(
        page=page,
        heading="Physiological considerations",
        anchor="hard",
        body="Comprehensive multidisciplinary evaluation necessitates considerable administrative coordination.",
    )
    result = page_readability(TreatmentPage.objects.with_content().get(pk=page.pk))
    assert [part.name for part in result.hardest] == ["Physiological considerations"]


@pytest.mark.parametrize(
    "url",
    [
        "/treatments/mesotherapy/",
        FAQ,
        "/treatments/mesotherapy/preventing-wrinkles/",
        "/treatments/mesotherapy/side-effects-and-safety/",
    ],
)
def test_every_page_meets_the_reading_grade_target(content, url, settings):
    page = TreatmentPage.objects.with_content().get(
        treatment__language="en", slug=url.rstrip("/").split("/")[-1] if url.count("/") > 3 else ""
    )
    result = page_readability(page)
    assert result.grade <= settings.READING_GRADE_TARGET, (result.grade, [(p.name, p.grade) for p in result.hardest])


def test_review_reminders_mail_the_editors_only_when_pages_are_due(content, settings, capsys):
    settings.REVIEW_INTERVAL_MONTHS = 12
    editor = User.objects.create_user("editor", email="editor@clinic.example")
    editor.groups.add(Group.objects.get(name="Editors"))
    call_command("review_reminders")
    [reminder] = mail.outbox
    assert reminder.to == ["editor@clinic.example"]
    assert "8 patient pages are due for review" in reminder.subject
    assert "never reviewed" in reminder.body
    reviewer = make_reviewer()
    for page in TreatmentPage.objects.all():
        record_review(page, reviewer)
    mail.outbox.clear()
    call_command("review_reminders")
    assert mail.outbox == []
    assert "No page is due for review." in capsys.readouterr().out


def test_the_admin_index_shows_how_many_pages_are_due(admin_client, content):
    assertContains(admin_client.get(reverse("admin:index")), "8 patient pages are due for review")


def test_editors_edit_content_but_never_see_patients_requests(client, content):
    editor = User.objects.create_user("editor", password="a-long-editor-password", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    sign_in(client, editor)
    page = TreatmentPage.objects.first()
    assert client.get(reverse("admin:treatments_treatmentpage_change", args=[page.pk])).status_code == 200
    assert client.get(reverse("admin:appointments_appointmentrequest_changelist")).status_code == 403


def test_seeding_fills_an_empty_site_and_never_overwrites_staff_edits(db, capsys):
    call_command("seed_content")
    assert "Loaded the shipped content into the empty site." in capsys.readouterr().out
    TreatmentPage.objects.filter(slug="faq").update(summary="Edited by staff.")
    call_command("seed_content")  # what a second `make run` does
    assert "nothing loaded" in capsys.readouterr().out
    assert TreatmentPage.objects.get(slug="faq").summary == "Edited by staff."
    call_command("seed_content", "--overwrite")  # `make content`, on purpose
    assert TreatmentPage.objects.get(slug="faq").summary != "Edited by staff."


HARD = (
    "Notwithstanding considerable heterogeneity in methodological approaches, investigators have "
    "characterized subcutaneous adipose tissue modifications following intradermal administration."
)


def test_a_part_above_the_target_is_flagged_with_its_hardest_sentence_even_when_the_page_meets_it(admin_client, faq):
    Section.objects.create(page=faq, heading="About the research", anchor="research", body=HARD)
    page = TreatmentPage.objects.with_content().get(pk=faq.pk)
    assert page_readability(page).meets_target  # the average still meets the target...
    html = admin_client.get(reverse("admin:treatments_treatmentpage_change", args=[faq.pk])).content.decode()
    assert "Parts above the target:" in html  # ...the part does not, and is named
    assert "<strong>About the research</strong>" in html
    assert "Notwithstanding considerable heterogeneity" in html


def test_the_reading_grade_of_a_text_as_it_is_typed(admin_client, client, faq):
    url = reverse("admin:treatments_treatmentpage_reading_grade")
    result = admin_client.post(url, {"text": f"It stings a little. {HARD}"}).json()
    assert result["above"] is True
    assert result["target"] == 8.0
    assert result["hardest"] == [HARD]
    assert admin_client.post(url, {"text": "It stings a little."}).json()["above"] is False
    assert client.post(url, {"text": "x"}).status_code == 302  # staff only: the sign-in page


def test_the_page_form_folds_each_part_to_its_title_with_its_grade(admin_client, faq):
    from bs4 import BeautifulSoup

    html = admin_client.get(reverse("admin:treatments_treatmentpage_change", args=[faq.pk])).content
    parts = BeautifulSoup(html, "html.parser").select("#faq_entries-group details.page-part")
    saved = [part for part in parts if "empty-form" not in part.parent["class"]]
    assert len(saved) == faq.faq_entries.count()
    assert not any(part.has_attr("open") for part in saved)  # folded: one opens at a time
    assert all(part["name"] == "page-part" for part in parts)
    assert any("Does it hurt?" in part.select_one("summary").get_text() for part in saved)
    assert all("grade" in part.select_one("summary .part-grade").get_text() for part in saved)


def test_editors_do_not_see_record_my_review_and_a_refusal_is_an_admin_page(client, content):
    editor = User.objects.create_user("editor", password="a-long-editor-password", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    sign_in(client, editor)
    page = TreatmentPage.objects.get(slug="faq")
    form = client.get(reverse("admin:treatments_treatmentpage_change", args=[page.pk])).content.decode()
    assert "Record my review" not in form
    refused = client.get(reverse("admin:treatments_treatmentpage_review", args=[page.pk]))
    assert refused.status_code == 403
    html = refused.content.decode()
    assert "Clinic website administration" in html  # the admin's own page, with its menu
    assert "Only a clinical reviewer" in html
    assert "call us" not in html.lower()


def test_a_clinical_reviewer_sees_record_my_review(client, content):
    reviewer = make_reviewer()
    reviewer.user.groups.add(Group.objects.get(name="Clinical reviewers"))
    sign_in(client, reviewer.user)
    page = TreatmentPage.objects.get(slug="faq")
    form = client.get(reverse("admin:treatments_treatmentpage_change", args=[page.pk])).content.decode()
    assert "Record my review" in form


def test_every_part_of_every_shipped_page_and_what_each_page_shares_meets_the_reading_grade(content, settings):
    """Not only each page on average: each section, answer, step and decision part, the clinic's
    next steps (on every treatment page) and the treatment's warning."""
    from treatments.models import Clinic
    from treatments.readability import grade, measure_for

    for page in TreatmentPage.objects.with_content():
        above = [(part.name, part.grade) for part in page_readability(page).parts_above_target]
        assert above == [], page
        assert not measure_for(page.language).too_hard(grade(page.treatment.warning, page.language)), page
    assert grade(Clinic.objects.get().next_steps) <= settings.READING_GRADE_TARGET


def test_loading_the_shipped_content_keeps_the_day_its_words_last_changed(db):
    """A fresh install months later says when the words changed, not when they were loaded."""
    import datetime
    import io
    from unittest import mock

    from django.utils import timezone

    later = timezone.make_aware(datetime.datetime(2027, 3, 1, 12, 0))
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("seed_content", stdout=io.StringIO())
    days = {page.treatment.language: page.last_updated for page in TreatmentPage.objects.all()}
    assert days == {"en": datetime.date(2026, 12, 2), "es": datetime.date(2026, 12, 3)}  # fixtures/


def test_a_review_with_a_strong_claim_needs_its_sign_off_which_is_kept_by_sentence(faq):
    from django.core.exceptions import ValidationError

    from treatments.models import ClaimSignOff
    from treatments.reviews import review_record

    reviewer, _ = clinical_reviewer()
    Section.objects.create(page=faq, heading="Promise", anchor="promise", body="It is painless.")
    with pytest.raises(ValidationError, match="painless"):
        review_record(page=faq, user=reviewer.user)
    review_record(page=faq, user=reviewer.user, claims_signed_off=True)
    signed = ClaimSignOff.objects.get(page=faq)
    assert (signed.sentence, signed.signed_by) == ("It is painless.", reviewer.user)
    review_record(page=faq, user=reviewer.user)  # signed off once: the next review needs no new tick
