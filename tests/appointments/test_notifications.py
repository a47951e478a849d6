import io
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django.asserts import assertContains

from appointments.models import AppointmentRequest
from sitewide.logs import JsonLines, RequestId

from .conftest import Inbox, free_port
from .factories import form_data

pytestmark = pytest.mark.django_db

PATIENT_DETAILS = ["Ana", "Rivera", "Brooklyn", "ana.rivera@example.org", "555", "0142", "Weekday", "Mesotherapy"]


def test_staff_are_alerted_without_any_patient_detail(send):
    from treatments.models import Clinic

    clinic = Clinic.current()
    clinic.staff_alert_email = "frontdesk@clinic.example"  # as staff set it in the admin
    clinic.save()
    send()
    appointment = AppointmentRequest.objects.get()
    [alert] = mail.outbox
    assert alert.to == ["frontdesk@clinic.example"]
    assert (
        "http://127.0.0.1:8000" + reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk])
        in alert.body
    )
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
    assert "We will contact you by e-mail as soon as we can." in confirmation.body
    assert "1-212-679-9667" in confirmation.body
    for medical in ["Mesotherapy", "Weekday mornings", "cellulite", "treatment"]:
        assert medical.lower() not in confirmation.body.lower()
    assert AppointmentRequest.objects.get().patient_confirmed_at is not None


def test_patients_who_chose_phone_get_no_email(send):
    send(contact_preference="phone")
    assert [m.to for m in mail.outbox] == [["info@patientsmedical.com"]]


def test_the_request_and_its_mail_task_are_stored_together_and_the_page_sends_nothing(client, content, run_worker):
    response = client.post(reverse("appointments:request"), form_data())
    assert response.status_code == 302
    appointment = AppointmentRequest.objects.get()
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "appointments.tasks.deliver_request_notifications"
    assert queued.args_kwargs["args"] == [appointment.pk]
    assert mail.outbox == []  # the worker sends it, not the patient's request
    run_worker()
    assert len(mail.outbox) == 1


def test_real_smtp_server_receives_both_messages(send, smtp):
    _controller, inbox = smtp
    _controller.start()
    send(contact_preference="email")
    recipients = sorted(rcpt for rcpts, _ in inbox.messages for rcpt in rcpts)
    assert recipients == ["ana.rivera@example.org", "info@patientsmedical.com"]
    assert AppointmentRequest.objects.notification_pending().count() == 0


def test_smtp_down_keeps_the_request_pending_with_the_reason_and_the_worker_retries_once_it_is_back(
    send, smtp, admin_client, run_worker
):
    controller, inbox = smtp  # not started: the mail server is down
    response = send(contact_preference="email")
    assert response.status_code == 302  # the patient still gets the thank-you page
    appointment = AppointmentRequest.objects.get()
    assert appointment.notification_is_pending
    assert appointment.notification_attempts == 1
    assert "Staff alert: ConnectionRefusedError" in appointment.notification_problem
    changelist = reverse("admin:appointments_appointmentrequest_changelist")
    assert admin_client.get(changelist, {"notification": "pending"}).context["cl"].result_count == 1
    page = admin_client.get(reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk]))
    assertContains(page, "ConnectionRefusedError")

    # The worker has queued a retry a minute from now; nothing runs before then.
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert retry.run_after > timezone.now()
    run_worker()
    assert inbox.messages == []

    controller.start()  # the mail server comes back, and the minute passes
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker()
    assert sorted(rcpt for rcpts, _ in inbox.messages for rcpt in rcpts) == [
        "ana.rivera@example.org",
        "info@patientsmedical.com",
    ]
    appointment.refresh_from_db()
    assert not appointment.notification_is_pending
    assert appointment.notification_problem == ""
    run_worker()
    call_command("send_pending_notifications")  # the catch-up command sends nothing twice either
    assert len(inbox.messages) == 2
    assert admin_client.get(changelist, {"notification": "pending"}).context["cl"].result_count == 0


def test_retries_stop_after_the_last_delay_and_the_request_stays_visible_as_pending(send, smtp, run_worker, settings):
    settings.NOTIFICATION_RETRY_MINUTES = [0, 0]  # no waiting, two retries
    send()  # the worker tries at once and twice more, then gives up
    appointment = AppointmentRequest.objects.get()
    assert appointment.notification_attempts == 3
    assert appointment.notification_is_pending
    assert not DBTaskResult.objects.filter(status="READY").exists()


class SilentServer:
    """A mail server that accepts connections and never says a word."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.connections = []
        self.running = True
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self):
        while self.running:
            try:
                self.connections.append(self.listener.accept()[0])
            except OSError:
                continue

    def close(self):
        self.running = False
        self.thread.join()
        for connection in self.connections:
            connection.close()
        self.listener.close()


def test_a_mail_server_that_never_answers_never_holds_up_a_patient(client, content, settings, run_worker):
    silent = SilentServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", silent.port, 1
    try:
        response = client.post(reverse("appointments:request"), form_data(contact_preference="email"))
        assert response["Location"] == reverse("appointments:thanks")
        assert client.get(response["Location"]).status_code == 200
        assert silent.connections == []  # the patient's request opened no mail connection
        assert AppointmentRequest.objects.get().notification_is_pending

        run_worker()  # the worker waits for the silent server, gives up after its timeout, retries later
        assert len(silent.connections) >= 1
        appointment = AppointmentRequest.objects.get()
        assert appointment.notification_is_pending
        assert appointment.notification_problem, list(DBTaskResult.objects.values("status", "traceback"))
    finally:
        silent.close()

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=silent.port)  # the server answers now
    controller.start()
    try:
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_worker()
        run_worker()
    finally:
        controller.stop()
    assert sorted(rcpt for rcpts, _ in inbox.messages for rcpt in rcpts) == [
        "ana.rivera@example.org",
        "info@patientsmedical.com",
    ]


def test_an_unexpected_error_while_sending_is_recorded_and_retried(client, content, run_worker, monkeypatch, caplog):
    from appointments import tasks

    def broken(appointment_id):
        raise RuntimeError("ana.rivera@example.org is not reachable")

    monkeypatch.setattr(tasks, "send_request_notifications", broken)
    client.post(reverse("appointments:request"), form_data())
    run_worker()
    appointment = AppointmentRequest.objects.get()
    assert appointment.notification_problem.startswith("Unexpected error: RuntimeError")
    assert appointment.notification_attempts == 1
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # the retry
    assert "ana.rivera" not in appointment.notification_problem
    assert "RuntimeError" in caplog.text
    assert "ana.rivera" not in caplog.text
    as_json = "\n".join(JsonLines().format(record) for record in caplog.records)  # LOG_FORMAT=json
    assert "RuntimeError" in as_json
    assert "ana.rivera" not in as_json


class SlowInbox(Inbox):
    """A mail server that takes its time over each message (a slow or overloaded provider)."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        await asyncio.sleep(self.seconds)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.django_db(transaction=True)
def test_a_slow_mail_server_never_holds_up_a_staff_save_nor_is_overwritten_by_it(settings, content):
    import time

    from appointments.notifications import send_request_notifications

    from .factories import make_request

    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 10
    inbox = SlowInbox(seconds=3)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        appointment = make_request()
        worker = threading.Thread(target=send_request_notifications, args=[appointment.pk])
        worker.start()
        time.sleep(0.5)  # the worker is now in the middle of the SMTP conversation
        started = time.monotonic()
        staff_copy = AppointmentRequest.objects.get(pk=appointment.pk)
        staff_copy.staff_notes = "Called, no answer."
        staff_copy.save(update_fields=["staff_notes"])
        saved_in = time.monotonic() - started
        worker.join(timeout=30)
    finally:
        controller.stop()
    assert saved_in < 1.5, f"a staff save waited {saved_in:.1f} s for the mail server"
    appointment.refresh_from_db()
    assert appointment.staff_notes == "Called, no answer."
    assert appointment.staff_notified_at is not None
    assert appointment.notification_attempts == 1
    assert len(inbox.messages) == 1


def sweep():
    call_command("send_pending_notifications", stdout=io.StringIO(), stderr=io.StringIO())


def test_a_request_another_worker_is_sending_is_left_alone_until_its_lease_runs_out(smtp):
    import datetime

    from .factories import make_request

    controller, inbox = smtp
    controller.start()
    appointment = make_request()
    # A worker took it and died in the middle of sending: its lease is still running.
    AppointmentRequest.objects.filter(pk=appointment.pk).update(
        notification_lease_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    sweep()
    assert inbox.messages == []
    AppointmentRequest.objects.filter(pk=appointment.pk).update(
        notification_lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    sweep()
    sweep()
    assert len(inbox.messages) == 1  # sent once, however many sweeps
    appointment.refresh_from_db()
    assert appointment.notification_lease_until is None
    assert not appointment.notification_is_pending


def test_the_workers_lines_name_the_request_that_queued_the_mail(client, content, run_worker, monkeypatch, caplog):
    from appointments import tasks

    def broken(appointment_id):
        raise RuntimeError("the mail server hung up")

    monkeypatch.setattr(tasks, "send_request_notifications", broken)
    client.post(reverse("appointments:request"), form_data(), HTTP_X_REQUEST_ID="nginx-id-0123456789abcdef")
    run_worker()  # after the patient's request has finished: its id is no longer current
    [line] = [record for record in caplog.records if "failed: RuntimeError" in record.getMessage()]
    RequestId().filter(line)  # what the site's log handlers do to every line
    assert line.request_id == "nginx-id-0123456789abcdef"
    assert '"request_id": "nginx-id-0123456789abcdef"' in JsonLines().format(line)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["args"][-1] == "nginx-id-0123456789abcdef"  # and its retry will too
