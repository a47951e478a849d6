"""Signing up, confirming and unsubscribing, as a patient does it, through a real SMTP server."""

import email
import email.policy
import re

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from appointments.models import ConsentEvent, Subscriber, SuppressedAddress
from appointments.newsletter.addresses import address_hash
from appointments.newsletter.tokens import unsubscribe_token
from tests.appointments.factories import form_data

SITE = {"HTTP_ORIGIN": "http://testserver"}


def sign_up(client, address="ana.rivera@example.org"):
    return client.post(reverse("newsletter:sign_up"), {"email": address, "website": ""}, **SITE)


def confirm_link(text):
    return re.search(r"http://\S+/newsletter/confirm/(\S+)/", text).group(0)


def path_of(url):
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


@pytest.mark.django_db
def test_a_sign_up_is_confirmed_by_the_button_not_by_opening_the_link(client, content, smtp, run_worker, settings):
    settings.SITE_URL = "http://testserver"
    controller, inbox = smtp
    controller.start()
    response = sign_up(client, "  Ana.Rivera@Example.org ")
    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter:check_email")
    run_worker()
    assert len(inbox.messages) == 1
    recipients, raw = inbox.messages[0]
    assert recipients == ["ana.rivera@example.org"]
    message = email.message_from_string(raw, policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    assert "nothing will be sent to you" in text
    assert "unsubscribe in one click" in text
    link = path_of(confirm_link(text))

    # A link scanner opens it: a page with a button, and nobody is confirmed.
    page = client.get(link)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert BeautifulSoup(page.content, "html.parser").select_one("form button").get_text(strip=True) == "Confirm"
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING

    assert client.post(link).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    events = list(ConsentEvent.objects.order_by("at", "pk"))
    assert [event.kind for event in events] == ["asked", "confirmed"]
    assert "We will first e-mail you a link to confirm" in events[0].wording.text
    assert events[0].source == "sign_up_form"
    assert events[0].client_address == "127.0.0.1"
    assert "Yes, send the clinic's free newsletter" in events[1].wording.text
    assert all(event.address_hash == address_hash("ana.rivera@example.org") for event in events)


@pytest.mark.django_db
def test_nobody_learns_whether_an_address_was_known(client, content, run_worker):
    first = sign_up(client, "new@example.org")
    run_worker()
    Subscriber.objects.update(status=Subscriber.Status.CONFIRMED)
    again = sign_up(client, "new@example.org")
    other = sign_up(client, "other@example.org")
    run_worker()
    assert first["Location"] == again["Location"] == other["Location"]
    pages = [client.get(reverse("newsletter:check_email")).content for _ in range(2)]
    assert pages[0] == pages[1]
    # The confirmed address is sent nothing; the new one its confirmation.
    assert [message.to for message in mail.outbox] == [["new@example.org"], ["other@example.org"]]


@pytest.mark.django_db
def test_signing_someone_up_again_and_again_sends_one_confirmation_an_hour(client, content, run_worker):
    for _ in range(4):
        sign_up(client, "target@example.org")
    run_worker()
    assert Subscriber.objects.count() == 1  # the same sign-up sent again is stored once
    assert len(mail.outbox) == 1
    assert ConsentEvent.objects.filter(kind="asked").count() == 4  # each asking is on the record


@pytest.mark.django_db
def test_the_request_forms_box_signs_up_and_says_what_it_means(client, content, run_worker):
    html = BeautifulSoup(client.get(reverse("appointments:request")).content, "html.parser")
    box = html.select_one('input[name="newsletter"]')
    hint = html.find(id=box["aria-describedby"].split()[0])
    assert "nothing is sent until you do" in hint.get_text()
    assert "unsubscribe in one click" in hint.get_text()
    client.post(reverse("appointments:request"), form_data(newsletter="on", contact_preference="phone"))
    run_worker()
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status, subscriber.source) == (
        "ana.rivera@example.org", "pending", "request_form",
    )  # fmt: skip
    to_her = [message.subject for message in mail.outbox if message.to == ["ana.rivera@example.org"]]
    assert len(to_her) == 1
    assert to_her[0].startswith("Please confirm:")
    asked = ConsentEvent.objects.get()
    assert asked.wording.text.startswith("Receive our free newsletter.")


@pytest.mark.django_db
def test_without_the_box_nobody_is_signed_up(client, content, run_worker):
    client.post(reverse("appointments:request"), form_data())
    run_worker()
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
def test_the_home_page_sign_up_form_is_refused_from_another_site_and_explains_bad_input(client, content):
    home = BeautifulSoup(client.get("/").content, "html.parser")
    form = home.select_one("form.newsletter-form")
    assert form["action"] == reverse("newsletter:sign_up")
    assert "nothing is sent until you do" in form.get_text()
    forged = client.post(reverse("newsletter:sign_up"), {"email": "a@example.org"}, HTTP_ORIGIN="https://evil.example")
    assert forged.status_code == 403
    assert not Subscriber.objects.exists()
    bad = client.post(reverse("newsletter:sign_up"), {"email": "not an address"}, **SITE)
    assert bad.status_code == 400
    assert "Enter an e-mail address like name@example.com." in bad.content.decode()
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
def test_an_old_or_broken_confirmation_link_says_so_and_changes_nothing(client, content, settings, run_worker):
    sign_up(client)
    run_worker()
    link = path_of(confirm_link(mail.outbox[0].body))
    assert client.post(link[:-5] + "xxxx/").status_code == 404
    settings.NEWSLETTER_CONFIRM_DAYS = 0
    import time

    time.sleep(1.1)
    expired = client.post(link)
    assert expired.status_code == 410
    assert "too old" in expired.content.decode()
    assert Subscriber.objects.get().status == "pending"


def confirmed(address="ana.rivera@example.org"):
    from appointments.newsletter.services import subscriber_confirm, subscriber_sign_up

    subscriber_sign_up(email=address, source="sign_up_form", words="test words", client_address=None)
    subscriber_confirm(digest=address_hash(address), client_address=None)


@pytest.mark.django_db
def test_one_click_unsubscribe_works_without_cookie_or_csrf_token_and_twice(content):
    confirmed()
    url = reverse("newsletter:unsubscribe", args=[unsubscribe_token(address_hash("ana.rivera@example.org"))])
    mail_provider = Client(enforce_csrf_checks=True)  # no cookie, no token: as Gmail posts it
    for _ in range(2):
        response = mail_provider.post(
            url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
        assert "You are unsubscribed" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert SuppressedAddress.objects.get().address_hash == address_hash("ana.rivera@example.org")
    assert ConsentEvent.objects.filter(kind="unsubscribed").count() == 1


@pytest.mark.django_db
def test_opening_the_unsubscribe_link_shows_a_button_and_changes_nothing(client, content):
    confirmed()
    url = reverse("newsletter:unsubscribe", args=[unsubscribe_token(address_hash("ana.rivera@example.org"))])
    page = BeautifulSoup(client.get(url).content, "html.parser")
    assert page.select_one("form[method=post] button").get_text(strip=True) == "Unsubscribe"
    assert Subscriber.objects.filter(status="confirmed").exists()
    assert client.post(url.replace("/unsubscribe/", "/unsubscribe/x")).status_code == 404


@pytest.mark.django_db
def test_suppression_outlives_every_purge_and_a_new_sign_up_needs_a_new_confirmation(client, content, run_worker):
    confirmed()
    digest = address_hash("ana.rivera@example.org")
    Client().post(reverse("newsletter:unsubscribe", args=[unsubscribe_token(digest)]))
    call_command("purge_requests", "--days", "0")
    assert SuppressedAddress.objects.filter(address_hash=digest).exists()
    assert ConsentEvent.objects.filter(address_hash=digest).count() == 3

    sign_up(client, "ana.rivera@example.org")
    run_worker()
    assert Subscriber.objects.get().status == "pending"
    assert SuppressedAddress.objects.filter(address_hash=digest).exists()  # until confirmed
    client.post(path_of(confirm_link(mail.outbox[-1].body)))
    assert Subscriber.objects.get().status == "confirmed"
    assert not SuppressedAddress.objects.filter(address_hash=digest).exists()


@pytest.mark.django_db
def test_unconfirmed_sign_ups_are_deleted_after_their_time_but_their_record_stays(content, settings):
    import datetime

    from django.utils import timezone

    from appointments.newsletter.services import subscriber_sign_up

    subscriber_sign_up(email="late@example.org", source="sign_up_form", words="w", client_address=None)
    Subscriber.objects.update(asked_at=timezone.now() - datetime.timedelta(days=settings.NEWSLETTER_PENDING_DAYS + 1))
    call_command("purge_requests")
    assert not Subscriber.objects.exists()
    assert ConsentEvent.objects.get().kind == "asked"


@pytest.mark.django_db
def test_the_requests_own_confirmation_says_what_the_box_means(client, content, run_worker):
    client.post(reverse("appointments:request"), form_data(newsletter="on", contact_preference="email"))
    run_worker()
    confirmation = next(message for message in mail.outbox if message.subject.startswith("We received your"))
    assert "You also ticked the box for our free newsletter" in confirmation.body
    assert "unsubscribe in one click" in confirmation.body


@pytest.mark.django_db
def test_the_privacy_notice_describes_the_newsletter_and_the_rights_from_the_settings(client, content, settings):
    settings.NEWSLETTER_CONFIRM_DAYS = 5
    settings.NEWSLETTER_PENDING_DAYS = 21
    text = BeautifulSoup(client.get(reverse("privacy")).content, "html.parser").get_text(" ", strip=True)
    assert "The link works for 5 days." in text
    assert "A sign-up that is not confirmed is deleted after 21 days." in text
    assert "keyed hash" in text
    assert "one file, with a page you can read and the same data for a computer (JSON)" in text
    assert "we delete all of it at once" in text


@pytest.mark.django_db
def test_sign_ups_from_one_client_are_rate_limited_with_a_clear_page(client, content, settings):
    settings.NEWSLETTER_SIGN_UP_RATE_LIMIT = "2/10m"
    answers = [sign_up(client, f"reader{number}@example.org").status_code for number in range(3)]
    assert answers == [302, 302, 429]
    assert Subscriber.objects.count() == 2
