import contextlib
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command

from appointments.models import AppointmentRequest

from .conftest import form_data

pytestmark = pytest.mark.django_db

PATIENT_DETAILS = ["Ana", "Rivera", "Brooklyn", "ana.rivera@example.org", "555", "0142", "Weekday", "Mesotherapy"]


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf8", errors="replace")))
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, started and stopped by the test."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    yield controller, inbox
    with contextlib.suppress(AssertionError):  # never started by the test
        controller.stop()


def test_staff_are_alerted_without_any_patient_detail(send, settings):
    settings.APPOINTMENT_STAFF_EMAIL = "frontdesk@clinic.example"
    send()
    appointment = AppointmentRequest.objects.get()
    [alert] = mail.outbox
    assert alert.to == ["frontdesk@clinic.example"]
    assert f"http://127.0.0.1:8000/admin/appointments/appointmentrequest/{appointment.pk}/change/" in alert.body
    for detail in PATIENT_DETAILS:
        assert detail not in alert.subject + alert.body
    appointment.refresh_from_db()
    assert appointment.staff_notified_at is not None
    assert not appointment.notification_is_pending


def test_staff_alert_goes_to_the_clinic_address_when_none_is_configured(send):
    send()
    assert mail.outbox[0].to == ["info@patientsmedical.com"]


def test_patients_who_chose_email_get_a_short_confirmation_without_medical_content(send):
    send(contact_preference="email")
    confirmation = next(m for m in mail.outbox if m.to == ["ana.rivera@example.org"])
    assert "We received your appointment request" in confirmation.subject
    assert "We will contact you by e-mail within one business day." in confirmation.body
    assert "1-212-679-9667" in confirmation.body
    for medical in ["Mesotherapy", "Weekday mornings", "cellulite", "treatment"]:
        assert medical.lower() not in confirmation.body.lower()
    assert AppointmentRequest.objects.get().patient_confirmed_at is not None


def test_patients_who_chose_phone_get_no_email(send):
    send(contact_preference="phone")
    assert [m.to for m in mail.outbox] == [["info@patientsmedical.com"]]


def test_mail_is_sent_only_after_the_request_is_committed(client, content, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/appointments/request/", form_data())
    assert AppointmentRequest.objects.count() == 1
    assert mail.outbox == []  # nothing yet: the transaction has not committed
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_real_smtp_server_receives_both_messages(send, smtp):
    _controller, inbox = smtp
    _controller.start()
    send(contact_preference="email")
    recipients = sorted(rcpt for rcpts, _ in inbox.messages for rcpt in rcpts)
    assert recipients == ["ana.rivera@example.org", "info@patientsmedical.com"]
    assert AppointmentRequest.objects.notification_pending().count() == 0


def test_smtp_down_keeps_the_request_pending_until_the_command_sends_it_once(send, smtp, admin_client, capsys):
    controller, inbox = smtp  # not started: the mail server is down
    response = send(contact_preference="email")
    assert response.status_code == 302  # the patient still gets the thank-you page
    appointment = AppointmentRequest.objects.get()
    assert appointment.notification_is_pending
    assert appointment.staff_notified_at is None

    pending_list = admin_client.get("/admin/appointments/appointmentrequest/?notification=pending")
    assert pending_list.context["cl"].result_count == 1

    call_command("send_pending_notifications")
    assert "0 of 1 pending requests; 1 still pending" in capsys.readouterr().out

    controller.start()  # the mail server comes back
    call_command("send_pending_notifications")
    assert "Notified 1 of 1 pending requests; 0 still pending." in capsys.readouterr().out
    assert len(inbox.messages) == 2
    appointment.refresh_from_db()
    assert not appointment.notification_is_pending

    call_command("send_pending_notifications")  # running it again sends nothing twice
    assert "Notified 0 of 0 pending requests" in capsys.readouterr().out
    assert len(inbox.messages) == 2
    assert (
        admin_client.get("/admin/appointments/appointmentrequest/?notification=pending").context["cl"].result_count
        == 0
    )
