import logging
import time

import pytest
from bs4 import BeautifulSoup
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from appointments.forms import issue_form_token
from appointments.models import AppointmentRequest
from sitewide.logs import JsonLines
from tests.treatments.factories import record_opening_hours

from .factories import form_data, time_machine_at

FORM_URL = reverse("appointments:request")
THANKS_URL = reverse("appointments:thanks")
pytestmark = pytest.mark.django_db


def test_form_page_warns_about_emergencies_and_email_and_is_not_stored(client, content):
    response = client.get(FORM_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "not for emergencies: if you need urgent help, call 911" in html
    assert "E-mail is not a secure channel" in html
    assert "* Denotes a required field" in html
    assert "Please do not describe symptoms or medical details here." in html


def test_arriving_from_a_treatment_page_preselects_it(client, content):
    page = client.get("/treatments/mesotherapy/faq/").content.decode()
    assert 'href="/appointments/request/?treatment=mesotherapy"' in page
    html = client.get(FORM_URL + "?treatment=mesotherapy").content.decode()
    assert '<option value="mesotherapy" selected>Mesotherapy</option>' in html


def test_every_treatment_page_links_to_the_form(client, content):
    for url in ["/treatments/mesotherapy/", "/treatments/mesotherapy/side-effects-and-safety/", "/"]:
        assert 'href="/appointments/request/' in client.get(url).content.decode()


def test_a_good_request_is_saved_then_redirected_to_thanks(client, send):
    response = send()
    assert response.status_code == 302
    assert response["Location"] == THANKS_URL
    saved = AppointmentRequest.objects.get()
    assert (saved.first_name, saved.last_name, saved.city, saved.state) == ("Ana", "Rivera", "Brooklyn", "NY")
    assert str(saved.phone) == "+17185550142"
    assert saved.treatment.slug == "mesotherapy"
    assert saved.status == "new"

    thanks = client.get(THANKS_URL)
    assert "no-store" in thanks["Cache-Control"]
    html = thanks.content.decode()
    assert "We will contact you by phone as soon as we can." in html  # no opening hours: no promise
    assert 'href="tel:+12126799667">1-212-679-9667</a>' in html


def test_the_thank_you_page_names_the_day_from_the_opening_hours(client, send, settings):
    record_opening_hours("mon-fri 09:00-17:00", closed=["2026-11-26"])  # Thanksgiving
    with time_machine_at("2026-11-25 21:31"):  # a Wednesday evening in New York
        send(contact_preference="email")
        html = client.get(THANKS_URL).content.decode()
    assert "We will contact you by e-mail by Friday 27 November." in html


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, send):
    response = send(email="ana@", phone="12")
    html = response.content.decode()
    assert response.status_code == 200
    assert AppointmentRequest.objects.count() == 0
    assert html.startswith("<!doctype html>")
    assert "<title>Error: Request an appointment" in html
    assert '<a href="#id_email">Enter an e-mail address like name@example.com.</a>' in html
    assert '<a href="#id_phone">Enter a US phone number with its area code' in html
    assert 'value="Rivera"' in html
    assert "Weekday mornings suit me best." in html
    assert 'aria-invalid="true" aria-describedby="id_email_error"' in html
    assert "no-store" in response["Cache-Control"]


def test_pressing_send_twice_or_reloading_stores_one_request(client, content, run_worker):
    data = form_data()
    first = client.post(FORM_URL, data)
    second = client.post(FORM_URL, data)
    run_worker()
    assert first["Location"] == second["Location"] == THANKS_URL
    assert AppointmentRequest.objects.count() == 1
    assert len([m for m in mail.outbox if "New appointment request" in m.subject]) == 1


def test_a_bot_filling_the_hidden_field_gets_the_normal_thank_you_page_but_nothing_is_stored(send):
    response = send(website="http://cheap-pills.example")
    assert response["Location"] == THANKS_URL
    assert AppointmentRequest.objects.count() == 0
    assert mail.outbox == []


def test_a_request_sent_within_seconds_is_stored_and_flagged_for_staff(send, admin_client, settings):
    settings.APPOINTMENT_MIN_FILL_SECONDS = 3
    response = send(form_token=issue_form_token(time.time()))  # as a browser's autofill sends it
    assert response["Location"] == THANKS_URL
    appointment = AppointmentRequest.objects.get()
    assert appointment.sent_quickly
    assert len(mail.outbox) == 1  # staff are alerted as for any request
    page = admin_client.get(reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk]))
    assertContains(page, "Sent very quickly")
    flagged = admin_client.get(reverse("admin:appointments_appointmentrequest_changelist"), {"sent_quickly__exact": 1})
    assert list(flagged.context["cl"].result_list) == [appointment]


def test_a_request_sent_after_a_person_would_type_it_is_not_flagged(send):
    send()
    assert not AppointmentRequest.objects.get().sent_quickly


def test_honeypot_is_hidden_from_people_and_screen_readers(client, content):
    html = BeautifulSoup(client.get(FORM_URL).content, "html.parser")
    field = html.select_one('input[name="website"]')
    assert field.find_parent(class_="honeypot")["aria-hidden"] == "true"
    assert field["tabindex"] == "-1"


def test_a_forged_form_token_asks_to_send_again_with_a_fresh_one(send):
    response = send(form_token="not-ours")
    html = response.content.decode()
    assert "This form could not be checked. Please send it again." in html
    assert 'value="not-ours"' not in html
    assert AppointmentRequest.objects.count() == 0


def test_too_many_requests_from_one_client_get_a_friendly_429(send, settings):
    settings.APPOINTMENT_RATE_LIMIT = "3/10m"
    for _ in range(2):
        assert send(email="").status_code == 200  # mistakes do not count against the patient
    for _ in range(3):
        assert send(form_token=issue_form_token(time.time() - 60)).status_code == 302
    response = send(form_token=issue_form_token(time.time() - 60), comments="Mornings, please.")
    assert response.status_code == 429
    page = BeautifulSoup(response.content, "html.parser")
    assert page.title.get_text().startswith("Not sent:")
    assert "please send it again in 10 minutes at the latest" in page.get_text(" ", strip=True)
    assert "1-212-679-9667" in response.content.decode()
    # Everything typed is still there, to send again.
    assert page.select_one("input[name=first_name]")["value"] == "Ana"
    assert page.select_one("textarea[name=comments]").get_text().strip() == "Mornings, please."
    assert AppointmentRequest.objects.count() == 3


def test_the_same_form_sent_again_is_stored_once_and_the_patient_told_so(send, client):
    """After an error page although the request had arrived (a server restarting mid-answer),
    the patient sends the same form again: one request, and words that say it is already here."""
    data = form_data()
    assert client.post(FORM_URL, data).status_code == 302
    again = client.post(FORM_URL, data, follow=True)
    assert AppointmentRequest.objects.count() == 1
    text = BeautifulSoup(again.content, "html.parser").get_text(" ", strip=True)
    assert "We already have this request." in text
    assert "Thank you: your request was sent" in text
    first = Client().get(THANKS_URL)
    assert "We already have this request" not in first.content.decode()


def test_another_client_is_not_limited_by_the_first(send, client, settings):
    settings.APPOINTMENT_RATE_LIMIT = "1/10m"
    assert send().status_code == 302
    assert send(form_token=issue_form_token(time.time() - 60)).status_code == 429
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post(FORM_URL, form_data()).status_code == 302


def test_rate_limit_counts_in_redis_so_it_holds_across_processes(send, settings, redis_cache):
    import redis

    settings.APPOINTMENT_RATE_LIMIT = "2/10m"
    assert send().status_code == 302
    assert send(form_token=issue_form_token(time.time() - 60)).status_code == 302
    # A second process shares nothing with this one but Redis: start from a new connection.
    caches["default"].close()
    del caches["default"]
    assert send(form_token=issue_form_token(time.time() - 60)).status_code == 429
    assert redis.Redis.from_url(redis_cache).keys("*"), "the count is in Redis"


def test_patient_details_never_reach_a_url_or_a_log(client, content, caplog, settings, run_worker):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_PORT = 9  # nothing listens: the failure is logged
    caplog.set_level(logging.DEBUG)
    response = client.post(FORM_URL, form_data())
    run_worker()
    client.post(FORM_URL, form_data(email="not-an-address"))
    assert response["Location"] == THANKS_URL
    logged = caplog.text + " ".join(str(record.args) for record in caplog.records)
    as_json = "\n".join(JsonLines().format(record) for record in caplog.records)  # LOG_FORMAT=json
    for detail in ["Ana", "Rivera", "Brooklyn", "ana.rivera", "555", "0142", "Weekday", "not-an-address"]:
        assert detail not in logged
        assert detail not in as_json
    assert "not sent: ConnectionRefusedError" in caplog.text
    assert "not sent: ConnectionRefusedError" in as_json


def test_csrf_is_enforced_on_the_form(content):
    client = Client(enforce_csrf_checks=True)
    response = client.post(FORM_URL, form_data())
    assert response.status_code == 403
    assert "Please send the form again" in response.content.decode()
    assert AppointmentRequest.objects.count() == 0


def test_undecodable_bytes_and_nul_characters_get_clear_messages(client, content):
    response = client.post(
        FORM_URL, data=b"first_name=%FF%FE&last_name=a%00b&city=\xff", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert AppointmentRequest.objects.count() == 0


def test_only_get_and_post_are_allowed(client, content):
    assert client.put(FORM_URL).status_code == 405


def test_the_thank_you_page_believes_only_its_own_signed_cookie(client, send):
    client.cookies["mesoclinic_contact"] = "email"  # not signed by the site
    assert "by e-mail" not in client.get(THANKS_URL).content.decode()
    response = send()
    assert response.cookies["mesoclinic_contact"]["httponly"]
    assert "We will contact you by phone" in client.get(THANKS_URL).content.decode()
    assert not Session.objects.exists()  # no session row for a patient's request


def test_a_request_is_stored_with_one_transaction_and_no_question_about_treatments(client, content, redis_cache):
    """The treatments offered are kept in the shared cache; storing a request is the request, its
    audit entry and its queued mail, written together (what the rate of posts depends on)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from treatments.models import Treatment

    # A first request: the published treatments are now kept, and this process knows the
    # audit log's content types, as a running server does.
    client.post(FORM_URL, form_data(form_token=issue_form_token(time.time() - 60)))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(FORM_URL, form_data(form_token=issue_form_token(time.time() - 60)))
    assert response["Location"] == THANKS_URL
    statements = [query["sql"].split()[0] for query in queries.captured_queries]
    assert "SELECT" not in statements, statements
    assert statements.count("INSERT") == 3
    assert [request.treatment.slug for request in AppointmentRequest.objects.all()] == ["mesotherapy"] * 2

    Treatment.objects.filter(slug="mesotherapy").get().delete()  # gone from the site: gone from the form
    html = client.get(FORM_URL).content.decode()
    assert 'value="mesotherapy"' not in html


def test_the_thank_you_page_says_a_request_was_sent_only_to_the_browser_that_sent_it(client, send, db):
    fresh = Client().get(THANKS_URL).content.decode()
    assert "your request was sent" not in fresh
    assert "We will contact you" not in fresh
    assert "<h1>No request to confirm</h1>" in fresh
    assert "This browser has not sent one in the last hour" in fresh
    send(contact_preference="phone")
    assert "Thank you: your request was sent" in client.get(THANKS_URL).content.decode()


def test_a_bot_caught_by_the_honeypot_is_never_told_its_request_was_sent(client, send, db):
    response = send(website="http://spam.example")
    assert AppointmentRequest.objects.count() == 0
    assert "your request was sent" not in client.get(response["Location"]).content.decode()


def test_a_comment_too_long_is_a_form_error_and_a_body_too_large_the_413_page(send, client):
    response = send(comments="x" * 1200)
    assert response.status_code == 200
    assert "Please keep your comments to 1000 characters or fewer." in response.content.decode()
    huge = client.post(FORM_URL, form_data(comments="x" * 3 * 1024 * 1024))
    assert huge.status_code == 413
    text = BeautifulSoup(huge.content, "html.parser").get_text(" ", strip=True)
    assert "nothing was saved or sent" in text
    assert "1-212-679-9667" in text
    assert AppointmentRequest.objects.count() == 0
