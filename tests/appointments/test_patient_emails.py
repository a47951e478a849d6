"""E-mails the front desk sends a patient from a request's page, through a real SMTP server
(aiosmtpd): the clinic's templates, the contact log, the appointment's calendar file parsed back
with icalendar, and each message sent once."""

import datetime
import email
import email.policy
import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from appointments.models import MessageTemplate, PatientMessage

from .booking.factories import clinic_calendar
from .factories import make_request

pytestmark = pytest.mark.django_db


def change_url(appointment):
    return reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk])


def received(inbox):
    return [email.message_from_string(text, policy=email.policy.default) for _recipients, text in inbox.messages]


def send_template(client, appointment, name):
    page = BeautifulSoup(client.get(change_url(appointment)).content, "html.parser")
    form = page.select_one("#contact-log form[action$='/email/']")
    option = next(option for option in form.select("option") if option.get_text() == name)
    token = form.select_one("input[name=csrfmiddlewaretoken]")["value"]
    return client.post(form["action"], {"csrfmiddlewaretoken": token, "template": option["value"]})


def test_we_tried_to_call_you_reaches_the_patient_once_and_is_in_the_contact_log(
    admin_client,
    content,
    smtp,
    run_worker,
):
    controller, inbox = smtp
    controller.start()
    appointment = make_request(comments="About my knee pain", treatment=None)
    response = send_template(admin_client, appointment, "We tried to call you")
    assert response["Location"] == change_url(appointment) + "#contact-log"
    run_worker()
    run_worker()  # a second run sends nothing again
    [message] = received(inbox)
    assert message["To"] == "ana.rivera@example.org"
    assert message["Reply-To"] == "info@patientsmedical.com"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Dear Ana,")
    assert "1-212-679-9667" in body
    assert "Rivera" not in body  # the first name only
    assert "knee" not in body  # nothing the patient wrote
    [attempt] = appointment.contact_attempts.all()
    assert (attempt.method, attempt.outcome, attempt.note) == ("email", "sent", "We tried to call you")
    page = admin_client.get(change_url(appointment)).content.decode()
    assert "sent" in BeautifulSoup(page, "html.parser").select_one(".contact-panel__messages").get_text()


def test_booking_a_time_on_a_request_sends_its_confirmation_with_a_calendar_file(
    admin_client,
    content,
    smtp,
    run_worker,
    settings,
):
    settings.SITE_URL = "https://clinic.example:8443"
    controller, inbox = smtp
    controller.start()
    visit_type, _people = clinic_calendar()
    appointment = make_request()
    phone = reverse("admin:appointments_booking_phone")
    times = admin_client.get(phone, {"request": appointment.pk, "visit_type": visit_type.pk}).content.decode()
    time = re.findall(r'name="time" value="([^"]+)"', times)[1]
    when = datetime.datetime.fromisoformat(time)
    assert (
        admin_client.post(phone, {"request": appointment.pk, "visit_type": visit_type.pk, "time": time}).status_code
        == 302
    )
    run_worker()
    [message] = received(inbox)
    assert f"{timezone.localtime(when):%A %-d %B %Y at %-I:%M %p}" in message["Subject"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    calendar = Calendar.from_ical(attachment.get_content())
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == when
    assert event.decoded("dtend") == when + datetime.timedelta(minutes=30)  # the visit type's length
    assert "800 Second Avenue" in str(event["location"])
    assert "1-212-679-9667" in str(event["description"])
    booking = appointment.bookings.get()
    assert str(event["uid"]) == f"booking-{booking.pk}@clinic.example"  # the site's domain
    appointment.refresh_from_db()
    assert appointment.status == "scheduled"


def test_a_confirmation_needs_an_appointment_first(admin_client, content):
    appointment = make_request()
    response = send_template(admin_client, appointment, "Your appointment")
    assert response.status_code == 400
    assert "Record the appointment's date and time first" in BeautifulSoup(response.content, "html.parser").get_text()
    assert PatientMessage.objects.count() == 0
    assert appointment.contact_attempts.count() == 0


def test_a_mail_server_that_refuses_leaves_the_message_queued_with_the_reason(
    admin_client,
    content,
    smtp,
    run_worker,
):
    _controller, inbox = smtp  # not started: down
    appointment = make_request()
    send_template(admin_client, appointment, "Please call us")
    run_worker()
    message = PatientMessage.objects.get()
    assert message.sent_at is None
    assert message.problem.startswith("ConnectionRefusedError")
    assert inbox.messages == []


def test_a_template_with_an_unknown_placeholder_is_a_form_error(admin_client, content):
    url = reverse("admin:appointments_messagetemplate_add")
    response = admin_client.post(
        url, {"name": "Typo", "language": "en", "subject": "Hello", "body": "Dear {firstname},", "order": "0"}
    )
    assert response.status_code == 200
    assert "{firstname} is not filled in by the site" in BeautifulSoup(response.content, "html.parser").get_text()
    assert not MessageTemplate.objects.filter(name="Typo").exists()
