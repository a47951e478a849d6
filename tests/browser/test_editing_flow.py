"""The whole editing flow in Chromium, as an editor and as the clinic's reviewer: a draft, its
preview at phone and laptop width, the comparison and the publish, the reviewer's own review,
and a revision restored. Screenshots go to /tmp for a person to look at."""

from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from playwright.sync_api import expect

from treatments.models import Reviewer, TreatmentPage

from .test_admin import PASSWORD
from .test_admin import signed_in as staff_signed_in

NEW_ANSWER = "It stings for a moment, like a small scratch."


def signed_in(browser_context_factory, site_url, user, path):
    return staff_signed_in(browser_context_factory, site_url, user, path, viewport={"width": 1366, "height": 768})


def test_draft_preview_publish_review_and_restore(browser_context_factory, site_url):
    call_command("seed_content", verbosity=0)
    faq = TreatmentPage.objects.get(slug="faq")
    editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True, first_name="Eve")
    editor.user_permissions.add(*Permission.objects.filter(content_type__app_label="treatments"))
    editor.user_permissions.remove(*Permission.objects.filter(codename="record_own_review"))
    page = signed_in(browser_context_factory, site_url, editor, f"/admin/treatments/treatmentpage/{faq.pk}/change/")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.get_by_role("link", name="Edit as a draft").click()
    page.get_by_role("button", name="Make a draft").click()
    expect(page.locator(".field-draft_panel")).to_contain_text("A draft: patients do not see it.")
    part = page.locator("#faq_entries-group details.page-part").filter(has_text="Does it hurt?").first
    part.locator("summary").click()
    part.locator("textarea[name$='-answer']").fill(NEW_ANSWER)
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_text("was changed successfully").wait_for()
    page.screenshot(path="/tmp/mesoclinic-draft-form.png")

    patient = browser_context_factory().new_page()
    patient.goto(site_url + faq.get_absolute_url())
    expect(patient.locator("main")).not_to_contain_text(NEW_ANSWER)  # patients still read the page

    page.get_by_role("link", name="Preview at phone width").click()
    phone = page.frame_locator("iframe.draft-preview__phone")
    expect(phone.locator("main")).to_contain_text(NEW_ANSWER)
    assert page.locator("iframe.draft-preview__phone").bounding_box()["width"] <= 392
    page.screenshot(path="/tmp/mesoclinic-draft-preview.png", full_page=True)

    page.get_by_role("link", name="Compare and publish").click()
    expect(page.locator(".draft-changes")).to_contain_text(NEW_ANSWER)
    page.screenshot(path="/tmp/mesoclinic-draft-compare.png", full_page=True)
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Published: patients now read the new page.").wait_for()
    patient.reload()
    expect(patient.locator("main")).to_contain_text(NEW_ANSWER)

    # The clinic's reviewer records their own review, in their name.
    doctor = User.objects.create_user("drlee", password=PASSWORD, is_staff=True, first_name="Grace", last_name="Lee")
    doctor.groups.add(Group.objects.get_or_create(name="Clinical reviewers")[0])
    doctor.user_permissions.add(
        *Permission.objects.filter(codename__in=["record_own_review", "view_treatmentpage", "view_faqentry"])
    )
    Reviewer.objects.create(user=doctor, role="MD, medical director")
    review = signed_in(browser_context_factory, site_url, doctor, f"/admin/treatments/treatmentpage/{faq.pk}/review/")
    expect(review.locator("#content-main")).to_contain_text("Claims check")
    expect(review.locator("#content-main")).to_contain_text("Flesch-Kincaid grade")
    review.get_by_role("button", name="Record my review").click()
    review.get_by_text("is recorded, in your name").wait_for()
    patient.reload()
    expect(patient.locator(".review-dates")).to_contain_text("Grace Lee, MD, medical director")

    # The editor restores the page as it was first loaded: it comes back as a draft, then is published.
    page.goto(f"{site_url}/admin/treatments/treatmentpage/{faq.pk}/revisions/1/restore/")
    page.screenshot(path="/tmp/mesoclinic-restore.png", full_page=True)
    page.get_by_role("button", name="Restore this revision as a draft").click()
    page.get_by_role("link", name="Compare and publish").click()
    page.get_by_role("button", name="Publish").click()
    patient.reload()
    expect(patient.locator("main")).not_to_contain_text(NEW_ANSWER)
    expect(patient.locator(".review-dates")).to_contain_text("The page has changed since this review.")
    patient.screenshot(path="/tmp/mesoclinic-after-restore.png", full_page=True)
    assert errors == []
