"""Whole-page revisions: one per save that changes the page or anything on it, listed with who,
when and what changed; restoring one brings the whole page back, a deleted step included."""

import re

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.admin_forms import admin_change_form_data
from treatments.models import FAQEntry, PageRevision, PreventionStep, TreatmentPage

pytestmark = pytest.mark.django_db


def change_url(page):
    return reverse("admin:treatments_treatmentpage_change", args=[page.pk])


def edit(admin_client, page, **changes):
    data = admin_change_form_data(admin_client.get(change_url(page)))
    data.update(changes)
    response = admin_client.post(change_url(page), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response


def test_each_save_that_changes_something_is_one_revision_and_a_save_of_nothing_none(admin_client, content):
    faq = TreatmentPage.objects.get(slug="faq")
    assert faq.revisions.count() == 1  # as loaded
    pain = FAQEntry.objects.get(page__treatment__language="en", anchor="pain")
    index = list(faq.faq_entries.all()).index(pain)
    edit(admin_client, faq, **{f"faq_entries-{index}-answer": "It stings for a moment."})
    edit(admin_client, faq)  # saved again, nothing changed
    assert faq.revisions.count() == 2
    latest = faq.revisions.order_by("-number").first()
    html = admin_client.get(change_url(faq)).content.decode()
    listing = BeautifulSoup(html, "html.parser").select_one(".field-revision_list").get_text(" ", strip=True)
    assert "Question “Does it hurt?”: answer" in listing
    assert "“It stings for a moment.”" in listing
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{1,2}:\d{2} [AP]M admin", listing)  # clinic time, to the minute
    assert latest.created_by.username == "admin"


def test_restoring_brings_back_a_changed_answer_and_a_deleted_step(admin_client, client, content):
    page = TreatmentPage.objects.filter(steps__isnull=False).distinct().first()
    first = page.revisions.get(number=1)
    step = page.steps.order_by("order", "pk").first()
    title, tips = step.title, list(step.tips.values_list("text", flat=True))
    section = page.sections.order_by("order", "pk").first()
    section_body = section.body
    # An editor changes a section and deletes a step with its tips.
    index = list(page.sections.all()).index(section)
    step_index = list(page.steps.all()).index(step)
    edit(
        admin_client,
        page,
        **{f"sections-{index}-body": "Shorter words.", f"steps-{step_index}-DELETE": "on"},
    )
    assert not PreventionStep.objects.filter(title=title, page=page).exists()

    restore_url = reverse("admin:treatments_treatmentpage_restore", args=[page.pk, first.number])
    preview = admin_client.get(restore_url).content.decode()
    assert f"Step “{title}” added" in preview  # what restoring will do, before it is done
    response = admin_client.post(restore_url)
    draft = page.drafts.get()  # it comes back as a draft: patients still read the page as it is
    assert response["Location"] == change_url(draft)
    assert title not in client.get(page.get_absolute_url()).content.decode()
    publish = reverse("admin:treatments_treatmentpage_publish", args=[draft.pk])
    assert admin_client.post(publish, {"publish_at": ""}).status_code == 302
    page.refresh_from_db()
    restored = page.steps.get(title=title)
    assert list(restored.tips.values_list("text", flat=True)) == tips
    assert page.sections.get(anchor=section.anchor).body == section_body
    assert title in client.get(page.get_absolute_url()).content.decode()
    newest = page.revisions.order_by("-number").first()
    assert newest.number == 3
    assert newest.content["steps"][0]["title"] == first.content["steps"][0]["title"]
    assert not page.drafts.exists()


def test_only_staff_who_may_change_pages_restore(client, content):
    page = TreatmentPage.objects.get(slug="faq")
    url = reverse("admin:treatments_treatmentpage_restore", args=[page.pk, 1])
    assert client.post(url).status_code == 302  # to the sign-in page
    assert PageRevision.objects.filter(page=page).count() == 1


def test_restoring_the_revision_before_a_picture_was_added_gives_a_draft(admin_client, content):
    """Draft a page, give it a picture with its description, publish; then restore the revision
    before: a draft, never a server error."""
    from tests.treatments.test_pictures import picture_bytes

    page = TreatmentPage.objects.get(slug="faq")
    before = page.revisions.order_by("-number").first()
    assert admin_client.post(reverse("admin:treatments_treatmentpage_open_draft", args=[page.pk])).status_code == 302
    draft = page.drafts.get()
    data = admin_change_form_data(admin_client.get(change_url(draft)))
    data.update(image=SimpleUploadedFile("nurse.png", picture_bytes("PNG", exif=False)), image_alt="A nurse.")
    assert admin_client.post(change_url(draft), data).status_code == 302
    publish = reverse("admin:treatments_treatmentpage_publish", args=[draft.pk])
    assert admin_client.post(publish, {"publish_at": ""}).status_code == 302
    page.refresh_from_db()
    assert page.image
    assert page.image_alt == "A nurse."

    restore_url = reverse("admin:treatments_treatmentpage_restore", args=[page.pk, before.number])
    assert admin_client.get(restore_url).status_code == 200
    response = admin_client.post(restore_url)
    restored = page.drafts.get()
    assert response["Location"] == change_url(restored)
    assert not restored.image  # as it was then: no picture
    assert admin_client.get(change_url(restored)).status_code == 200


def test_a_revision_that_todays_rules_refuse_is_a_clear_message_and_no_draft(admin_client, content):
    page = TreatmentPage.objects.get(slug="faq")
    first = page.revisions.get(number=1)
    first.content["page"]["title"] = ""  # stored before a rule that a title is needed, say
    first.save()
    edit(admin_client, page, summary="A new summary.")
    response = admin_client.post(reverse("admin:treatments_treatmentpage_restore", args=[page.pk, 1]), follow=True)
    assert response.status_code == 200
    assert "Revision 1 cannot come back as it was" in response.content.decode()
    assert not page.drafts.exists()
