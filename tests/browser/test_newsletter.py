"""The newsletter and privacy rights in Chromium: a patient on a phone signs up from the home
page, confirms from the e-mail and unsubscribes from a newsletter; staff on a laptop write one,
preview it, send a test and the issue, then find, export and erase a person's data."""

import json
import re
import zipfile

from django.contrib.auth.models import Permission, User
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from appointments.models import AppointmentRequest, NewsletterIssue, PrivacyRecord, Subscriber, SuppressedAddress
from appointments.newsletter.services import newsletter_issue_send
from tests.appointments.factories import make_request

from .test_admin import PASSWORD, signed_in

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def path_in(text, kind):
    return re.search(rf"https?://[^/\s]+(/newsletter/{kind}/[^\s\"<>]+/)", text).group(1)


def test_a_patient_signs_up_on_a_phone_confirms_and_unsubscribes_from_the_newsletter(
    browser_context_factory, site_url, axe_violations, settings
):
    settings.SITE_URL = site_url
    page = browser_context_factory(viewport=PHONE).new_page()
    page.goto(site_url + "/")
    form = page.locator("form.newsletter-form")
    form.get_by_label("Your e-mail address").fill("ana.rivera@example.org")
    form.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    assert axe_violations(page) == []
    run_worker()
    assert [message.to for message in mail.outbox] == [["ana.rivera@example.org"]]

    page.goto(site_url + path_in(mail.outbox[0].body, "confirm"))
    assert Subscriber.objects.get().status == "pending"  # opening the link confirms nobody
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    assert Subscriber.objects.get().status == "confirmed"

    issue = NewsletterIssue.objects.create(subject="Winter news", body="Hello, **readers**.")
    newsletter_issue_send(issue, by=None)
    run_worker()
    newsletter = mail.outbox[-1]
    assert newsletter.subject == "Winter news"
    html = newsletter.alternatives[0][0]
    page.goto(site_url + path_in(html, "unsubscribe"))  # the link in its footer
    assert axe_violations(page) == []
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    page.screenshot(path="/tmp/mesoclinic-unsubscribed.png", full_page=True)
    assert not Subscriber.objects.exists()
    assert SuppressedAddress.objects.count() == 1


def staff_member(browser_context_factory, site_url):
    user = User.objects.create_user(
        "olu", password=PASSWORD, is_staff=True, first_name="Olu", email="olu@clinic.example"
    )
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "add_newsletterissue", "change_newsletterissue", "view_newsletterissue", "handle_privacy_requests",
            ]
        )
    )  # fmt: skip
    return signed_in(browser_context_factory, site_url, user, "/admin/", viewport=LAPTOP, accept_downloads=True)


def test_staff_write_preview_test_and_send_a_newsletter_then_export_and_erase_a_person(
    browser_context_factory, site_url, axe_violations
):
    for number in range(3):
        Subscriber.objects.create(email=f"reader{number}@example.org", address_hash=f"{number:064d}",
                                  status="confirmed", source="sign_up_form")  # fmt: skip
    page = staff_member(browser_context_factory, site_url)
    page.goto(site_url + "/admin/appointments/newsletterissue/add/")
    page.get_by_label("Subject").fill("Questions to ask before a first visit")
    page.get_by_label("Text").fill("Hello,\n\nAsk **how many sessions** you may need.")
    page.get_by_role("button", name="Save and continue editing").click()

    page.get_by_role("link", name="Preview at phone and laptop width").click()
    phone_frame = page.frame_locator("iframe.draft-preview__phone")
    expect(phone_frame.locator("strong")).to_have_text("how many sessions")
    assert axe_violations(page) == []
    page.go_back()
    page.get_by_role("button", name="Send a test to olu@clinic.example").click()
    expect(page.locator(".messagelist")).to_contain_text("A test is on its way")
    run_worker()
    assert [message.to for message in mail.outbox] == [["olu@clinic.example"]]

    page.get_by_role("link", name="Send to the 3 confirmed subscribers…").click()
    page.get_by_role("button", name="Send it now").click()
    expect(page.locator(".messagelist")).to_contain_text("Sending to 3 subscribers")
    run_worker()
    page.reload()
    counts = page.locator(".newsletter-counts")
    expect(counts).to_contain_text("Sent")
    assert page.locator(".newsletter-counts dt:text-is('Sent') + dd").inner_text() == "3"
    assert axe_violations(page) == []

    make_request(first_name="Quartermain", email="q@example.org", phone="+12125550181")
    page.goto(site_url + "/admin/privacy/")
    page.get_by_label("Phone number").fill("(212) 555-0181")
    page.get_by_role("button", name="Find").click()
    expect(page.locator(".privacy-counts")).to_contain_text("1 appointment request")
    expect(page.locator("body")).to_contain_text("Quartermain")
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("button", name="Download it all as one file (JSON and a readable page)").click()
    archive = zipfile.ZipFile(download.value.path())
    assert json.loads(archive.read("your-data.json"))["appointment_requests"][0]["details"]["first name"] == (
        "Quartermain"
    )
    page.get_by_label("I have checked that this is the person who asked").check()
    page.get_by_role("button", name="Erase all of it").click()
    expect(page.locator(".messagelist")).to_contain_text("Erased: 1 appointment request.")
    page.screenshot(path="/tmp/mesoclinic-erased.png", full_page=True)
    assert not AppointmentRequest.objects.exists()
    assert [record.action for record in PrivacyRecord.objects.order_by("at")] == ["search", "export", "erase"]
