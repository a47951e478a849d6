"""Drafts: an editor changes a page on a draft patients never see (not the page, the page cache,
the sitemap), previews it from the admin only, compares it, and publishes it now or at a time
(the worker does that); or discards it."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.admin_forms import admin_change_form_data
from treatments.models import FAQEntry, TreatmentPage

pytestmark = pytest.mark.django_db

NEW_ANSWER = "It stings for a moment, like a small scratch."


def url(name, page):
    return reverse(f"admin:treatments_treatmentpage_{name}", args=[page.pk])


@pytest.fixture
def faq(content):
    return TreatmentPage.objects.get(slug="faq")


def draft_with_a_new_answer(admin_client, faq):
    assert admin_client.post(url("open_draft", faq)).status_code == 302
    draft = faq.drafts.get()
    data = admin_change_form_data(admin_client.get(url("change", draft)))
    pain = draft.faq_entries.get(anchor="pain")
    index = list(draft.faq_entries.all()).index(pain)
    data[f"faq_entries-{index}-answer"] = NEW_ANSWER
    assert admin_client.post(url("change", draft), data).status_code == 302
    return draft


def test_a_draft_is_never_shown_to_patients(admin_client, faq):
    public = Client()
    public.get(faq.get_absolute_url())  # the page is in the page cache
    draft = draft_with_a_new_answer(admin_client, faq)
    assert NEW_ANSWER not in public.get(faq.get_absolute_url()).content.decode()
    assert NEW_ANSWER not in Client().get(faq.get_absolute_url()).content.decode()
    assert FAQEntry.objects.get(page=faq, anchor="pain").answer != NEW_ANSWER
    sitemap = public.get("/sitemap.xml").content.decode()
    assert sitemap.count(f"<loc>http://testserver{faq.get_absolute_url()}</loc>") == 1
    assert draft.get_absolute_url() == faq.get_absolute_url()  # the same address: the page's, not the draft's
    assert list(TreatmentPage.objects.published().filter(pk=draft.pk)) == []


def test_the_preview_is_for_staff_only_and_shows_the_draft_as_patients_would(admin_client, faq):
    draft = draft_with_a_new_answer(admin_client, faq)
    page = admin_client.get(url("preview_page", draft))
    assert page.status_code == 200
    assert NEW_ANSWER in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert page["X-Frame-Options"] == "SAMEORIGIN"  # shown in the admin's own frames only
    assert "frame-ancestors 'self'" in page["Content-Security-Policy"]
    frames = BeautifulSoup(admin_client.get(url("preview", draft)).content, "html.parser").select("iframe")
    assert [frame["class"] for frame in frames] == [["draft-preview__phone"], ["draft-preview__laptop"]]
    for anonymous in [url("preview_page", draft), url("preview", draft)]:
        assert Client().get(anonymous).status_code == 302  # to the sign-in page


def test_publishing_shows_the_difference_then_makes_the_draft_the_page(admin_client, client, faq):
    draft = draft_with_a_new_answer(admin_client, faq)
    comparison = BeautifulSoup(admin_client.get(url("publish", draft)).content, "html.parser")
    row = comparison.select_one(".draft-changes tbody tr")
    assert "Question “Does it hurt?”: answer" in row.get_text()
    assert NEW_ANSWER in row.select("td")[1].get_text()  # side by side: now, and in the draft
    revisions = faq.revisions.count()
    assert admin_client.post(url("publish", draft), {"publish_at": ""}).status_code == 302
    assert NEW_ANSWER in client.get(faq.get_absolute_url()).content.decode()
    assert not TreatmentPage.objects.filter(pk=draft.pk).exists()
    assert faq.revisions.count() == revisions + 1
    pain = FAQEntry.objects.get(page=faq, anchor="pain")  # the same question, changed in place
    assert pain.answer == NEW_ANSWER
    assert pain.history.count() == 2  # loaded, then this one change


def test_a_draft_published_at_a_time_is_published_by_the_worker_then(admin_client, client, faq, monkeypatch):
    from django_tasks_db.management.commands import db_worker

    from tests.appointments.factories import time_machine_at

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)  # the test's own connection
    draft = draft_with_a_new_answer(admin_client, faq)
    when = timezone.localtime() + datetime.timedelta(hours=2)
    assert admin_client.post(url("publish", draft), {"publish_at": f"{when:%Y-%m-%dT%H:%M}"}).status_code == 302
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # not yet
    assert NEW_ANSWER not in client.get(faq.get_absolute_url()).content.decode()
    later = timezone.localtime() + datetime.timedelta(hours=3)
    with time_machine_at(f"{later:%Y-%m-%d %H:%M}"):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert NEW_ANSWER in client.get(faq.get_absolute_url()).content.decode()
    assert not faq.drafts.exists()


def test_a_past_publishing_time_is_refused_with_a_clear_message(admin_client, faq):
    draft = draft_with_a_new_answer(admin_client, faq)
    earlier = timezone.localtime() - datetime.timedelta(hours=1)
    response = admin_client.post(url("publish", draft), {"publish_at": f"{earlier:%Y-%m-%dT%H:%M}"})
    assert response.status_code == 200
    assert "That time has passed." in response.content.decode()
    assert faq.drafts.exists()


def test_a_discarded_draft_leaves_the_page_as_it_was(admin_client, client, faq):
    draft = draft_with_a_new_answer(admin_client, faq)
    assert admin_client.post(url("discard", draft)).status_code == 302
    assert not TreatmentPage.objects.filter(pk=draft.pk).exists()
    assert NEW_ANSWER not in client.get(faq.get_absolute_url()).content.decode()
    assert faq.faq_entries.count() == FAQEntry.objects.filter(page=faq).count() > 0


def test_a_draft_never_breaks_the_pages_picture(admin_client, faq, django_capture_on_commit_callbacks):
    from tests.treatments.test_pictures import picture_bytes, upload

    with django_capture_on_commit_callbacks(execute=True):
        upload(admin_client, faq, picture_bytes(exif=False))
    faq.refresh_from_db()
    live_picture, storage = faq.image.name, faq.image.storage
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url("open_draft", faq))
        draft = faq.drafts.get()
        assert draft.image.name == live_picture  # the draft shows the same file
        admin_client.post(url("discard", draft))
    assert storage.exists(live_picture)  # discarding the draft left the page's picture alone
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url("open_draft", faq))
        draft = faq.drafts.get()
        upload(admin_client, draft, picture_bytes(kind="PNG", exif=False), name="new.png")
    draft.refresh_from_db()
    assert storage.exists(live_picture)  # a new picture on the draft: the page still shows its own
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url("publish", draft), {"publish_at": ""})
    faq.refresh_from_db()
    assert faq.image.name == draft.image.name
    assert storage.exists(faq.image.name)
    assert not storage.exists(live_picture)  # gone once the page stopped using it


def test_a_drafts_form_leads_to_its_preview_not_to_the_published_page(admin_client, faq):
    draft = draft_with_a_new_answer(admin_client, faq)
    form = BeautifulSoup(admin_client.get(url("change", draft)).content, "html.parser")
    assert form.select_one("a.viewsitelink")["href"] == url("preview", draft)
    assert form.select_one(f"a[href='{url('review', draft)}']") is None  # reviews are of the published page
    assert admin_client.get(url("review", draft)).status_code == 404


def test_a_draft_that_cannot_be_published_says_why_and_stays(admin_client, faq):
    draft = draft_with_a_new_answer(admin_client, faq)
    TreatmentPage.objects.filter(pk=draft.pk).update(slug="side-effects-and-safety")  # another page's address
    response = admin_client.post(url("publish", draft), {"publish_at": ""})
    assert response.status_code == 200
    assert "Another page of this treatment already has this address name." in response.content.decode()
    assert faq.drafts.exists()
    assert FAQEntry.objects.get(page=faq, anchor="pain").answer != NEW_ANSWER  # nothing half-published


def test_publishing_at_a_time_without_a_worker_says_so(admin_client, faq, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # as `make run`
    draft = draft_with_a_new_answer(admin_client, faq)
    later = timezone.localtime() + datetime.timedelta(hours=2)
    response = admin_client.post(url("publish", draft), {"publish_at": f"{later:%Y-%m-%dT%H:%M}"})
    assert response.status_code == 200
    assert "Publishing at a time needs the background worker" in response.content.decode()
    assert faq.drafts.get().publish_at is None


def test_a_scheduled_draft_that_gained_an_unbacked_claim_is_not_published_and_shows_unscheduled(admin_client, faq):
    from treatments.drafts import publish_if_due
    from treatments.models import TreatmentPage

    draft = draft_with_a_new_answer(admin_client, faq)
    when = timezone.now() - datetime.timedelta(minutes=1)  # its time has come
    TreatmentPage.objects.filter(pk=draft.pk).update(publish_at=when, intro="Guaranteed painless.")
    assert publish_if_due(draft.pk, when.isoformat()) is False
    draft.refresh_from_db()
    assert draft.publish_at is None  # the editor sees it is not scheduled any more
    faq.refresh_from_db()
    assert "Guaranteed" not in faq.intro
