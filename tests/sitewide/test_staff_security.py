"""The admin locked down: sign-in throttling, staff session limits, and the audit trail."""

import datetime
import io
import logging
import re
import time

import pytest
from auditlog.models import LogEntry
from django.contrib.admin.models import CHANGE
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appointments.models import AppointmentRequest, QueueView
from conftest import current_code
from sitewide.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from tests.admin_forms import admin_change_form_data
from tests.appointments.factories import make_request

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "a-long-front-desk-password"


@pytest.fixture
def receptionist(db):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.create_user("desk", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Front desk"))
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def sign_in(password, username="desk", address="198.51.100.20", code=None):
    """The sign-in form as the receptionist fills it: password, and the code their app shows."""
    client = Client(REMOTE_ADDR=address)
    user = User.objects.filter(username=username).first()
    if code is None and user is not None and user.totpdevice_set.exists():
        code = current_code(user)
    data = {"username": username, "password": password, "otp_token": code or "", "next": "/admin/"}
    return client, client.post(LOGIN, data)


def test_failed_sign_ins_lock_the_account_and_are_logged_without_the_password(receptionist, settings, caplog):
    settings.AXES_FAILURE_LIMIT = 3
    caplog.set_level(logging.INFO)
    for attempt in range(3):
        _, response = sign_in(f"wrong-password-{attempt}")
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    _, response = sign_in(PASSWORD)  # even the right password, while locked
    assert response.status_code == 429
    _, response = sign_in(PASSWORD, address="198.51.100.99")  # the real user, from elsewhere, is not locked out
    assert response.status_code == 302
    assert "desk" in caplog.text
    assert "wrong-password" not in caplog.text
    assert PASSWORD not in caplog.text

    call_command(
        "axes_reset_ip_username", "198.51.100.20", "desk"
    )  # how an administrator unlocks it (docs/deploying.md)
    _, response = sign_in(PASSWORD)
    assert response.status_code == 302


def test_nobody_can_lock_a_staff_account_from_another_address(receptionist, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for attempt in range(5):
        sign_in(f"wrong-{attempt}", address="203.0.113.66")  # someone else, trying the receptionist's name
    _, response = sign_in(PASSWORD, address="198.51.100.20")  # the receptionist, at the front desk
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_password_alone_does_not_open_the_admin(receptionist):
    _, response = sign_in(PASSWORD, code="")
    assert response.status_code == 200
    assert "Enter the code from your authenticator app, or a recovery code." in response.content.decode()
    _, response = sign_in(PASSWORD, code="000000")
    assert "That code is not right." in response.content.decode()


def test_signing_in_without_a_next_page_lands_on_the_admin_not_a_404(receptionist):
    client = Client(REMOTE_ADDR="198.51.100.20")
    response = client.post(LOGIN, {"username": "desk", "password": PASSWORD, "otp_token": current_code(receptionist)})
    assert response["Location"] == reverse("admin:index")


def age_session(client, **seconds_ago):
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_an_idle_staff_session_ends(receptionist, settings):
    settings.STAFF_IDLE_MINUTES = 30
    client, _ = sign_in(PASSWORD)
    assert client.get("/admin/").status_code == 200
    age_session(client, **{LAST_SEEN_AT: 29 * 60})
    assert client.get("/admin/").status_code == 200  # still active: the clock starts again
    age_session(client, **{LAST_SEEN_AT: 31 * 60})
    response = client.get("/admin/appointments/appointmentrequest/?q=Rivera")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/admin/appointments/appointmentrequest/")
    assert "Rivera" not in response["Location"]
    assert client.get("/admin/").status_code == 302  # signed out


def test_a_save_after_the_idle_limit_is_kept_and_saved_after_signing_in_again(receptionist, settings, content):
    from bs4 import BeautifulSoup

    settings.STAFF_IDLE_MINUTES = 30
    appointment = make_request()
    url = reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk])
    client, _ = sign_in(PASSWORD)
    data = admin_change_form_data(client.get(url))
    page = BeautifulSoup(client.get(url).content, "html.parser")
    data["csrfmiddlewaretoken"] = page.select_one("#appointmentrequest_form input[name=csrfmiddlewaretoken]")["value"]
    # The warning is on the page (the script shows it two minutes before the limit).
    assert page.select_one("#idle-warning[hidden][data-idle-minutes='30']")
    age_session(client, **{LAST_SEEN_AT: 31 * 60})  # she typed a note, slowly
    data["staff_notes"] = "Called back on Tuesday; prefers mornings."
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    appointment.refresh_from_db()
    assert appointment.staff_notes == ""  # not saved by a signed-out session...

    login = {"username": "desk", "password": PASSWORD, "otp_token": current_code(receptionist), "next": url}
    assert client.post(LOGIN, login)["Location"] == url
    offer = client.get(url)  # ...nor lost: the page offers it back
    assert "You have a change that was not saved yet" in offer.content.decode()
    form = BeautifulSoup(offer.content, "html.parser").select_one("#content-main form")
    kept = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
    assert kept["staff_notes"] == "Called back on Tuesday; prefers mornings."
    assert client.post(form["action"], kept).status_code == 302
    appointment.refresh_from_db()
    assert appointment.staff_notes == "Called back on Tuesday; prefers mornings."
    assert "not saved yet" not in client.get(url).content.decode()  # offered once


def test_a_kept_save_is_offered_only_to_whoever_made_it(receptionist, settings, content):
    settings.STAFF_IDLE_MINUTES = 30
    appointment = make_request()
    url = reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk])
    client, _ = sign_in(PASSWORD)
    data = admin_change_form_data(client.get(url))
    age_session(client, **{LAST_SEEN_AT: 31 * 60})
    client.post(url, {**data, "staff_notes": "Mine."})
    other = User.objects.create_superuser("boss", password="a-long-boss-password")
    from conftest import sign_in as signed_in

    signed_in(client, other)  # someone else signs in on the same browser
    assert "not saved yet" not in client.get(url).content.decode()


def test_a_staff_session_ends_after_a_working_day_however_active(receptionist, settings):
    settings.STAFF_SESSION_MAX_HOURS = 10
    client, _ = sign_in(PASSWORD)
    client.get("/admin/")
    age_session(client, **{SIGNED_IN_AT: 10 * 3600 + 60, LAST_SEEN_AT: 60})
    assert client.get("/admin/").status_code == 302


def audit_entries(appointment):
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(AppointmentRequest), object_pk=str(appointment.pk)
        ).order_by("timestamp", "pk")
    )


def test_viewing_changing_and_exporting_a_request_are_recorded_with_who_and_where(receptionist, content):
    appointment = make_request(first_name="Ana", last_name="Rivera")
    client, _ = sign_in(PASSWORD, address="198.51.100.20")
    url = reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk])
    data = admin_change_form_data(client.get(url))
    client.post(url, {**data, "status": "contacted", "staff_notes": "Ana asked for mornings."})
    client.post(
        reverse("admin:appointments_appointmentrequest_changelist"),
        {"action": "export_csv", "_selected_action": [appointment.pk]},
    )
    entries = [entry for entry in audit_entries(appointment) if entry.actor_id]
    # Viewed; the note and the status saved together, in one versioned save.
    assert [entry.action for entry in entries] == [LogEntry.Action.ACCESS, LogEntry.Action.UPDATE]
    for entry in entries:
        assert entry.actor == receptionist
        assert entry.remote_addr == "198.51.100.20"
        assert entry.object_repr.startswith(f"Request #{appointment.pk}, ")
        assert "Ana" not in entry.object_repr + str(entry.changes)
    saved = entries[1]
    assert saved.changes_dict["status"] == ["new", "contacted"]
    assert "staff_notes" in saved.changes_dict
    assert "mornings" not in str(saved.changes)  # a note is recorded as changed, never copied
    # The export: one entry for the whole file, naming the requests by number.
    (export,) = QueueView.objects.exclude(exported="")
    assert (export.user, export.address, export.exported, export.shown) == (
        receptionist,
        "198.51.100.20",
        "requests CSV",
        [appointment.pk],
    )


def test_the_audit_trail_is_for_superusers_only_and_read_only(receptionist, admin_client, content):
    appointment = make_request()
    client, _ = sign_in(PASSWORD)
    client.get(reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk]))
    trail = reverse("admin:auditlog_logentry_changelist")
    assert client.get(trail).status_code == 403
    response = admin_client.get(trail)
    assert response.status_code == 200
    assert f"Request #{appointment.pk}" in response.content.decode()
    entry = LogEntry.objects.first()
    assert admin_client.get(reverse("admin:auditlog_logentry_delete", args=[entry.pk])).status_code == 403
    assert (
        admin_client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk])).context["has_change_permission"]
        is False
    )


def test_after_the_purge_nothing_of_the_patient_is_left_in_any_history(admin_user, content):
    appointment = make_request(status="closed", first_name="Zelda", last_name="Quartermain")
    AppointmentRequest.objects.filter(pk=appointment.pk).update(
        received_at=timezone.now() - datetime.timedelta(days=400)
    )
    kept = make_request(first_name="Yolanda", last_name="Pemberton")
    content_type = ContentType.objects.get_for_model(AppointmentRequest)
    for old in [appointment, kept]:  # entries the admin wrote before requests were named by number
        AdminLogEntry.objects.create(
            user=admin_user,
            content_type=content_type,
            object_id=str(old.pk),
            object_repr=f"{old.first_name} {old.last_name} (2025-10-01)",
            action_flag=CHANGE,
            change_message="[]",
        )
    call_command("purge_requests", verbosity=0)
    assert not AppointmentRequest.objects.filter(pk=appointment.pk).exists()
    histories = " ".join(AdminLogEntry.objects.values_list("object_repr", flat=True)) + " ".join(
        f"{entry.object_repr} {entry.changes}" for entry in LogEntry.objects.all()
    )
    for name in ["Zelda", "Quartermain", "Yolanda", "Pemberton"]:
        assert name not in histories
    assert f"Request #{appointment.pk}" in histories


def test_a_first_sign_in_sets_up_the_app_then_gives_recovery_codes_that_work_once(db):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    newcomer = User.objects.create_user("newdesk", password=PASSWORD, is_staff=True)
    newcomer.groups.add(Group.objects.get(name="Front desk"))
    client = Client(REMOTE_ADDR="198.51.100.21")
    response = client.post(LOGIN, {"username": "newdesk", "password": PASSWORD, "next": "/admin/"})
    assert response["Location"] == reverse("admin:two_factor_setup")
    assert client.get("/admin/").status_code == 302  # nothing opens before the app is set up
    setup = client.get(reverse("admin:two_factor_setup")).content.decode()
    assert "<svg" in setup  # the QR code, drawn by the site
    device = TOTPDevice.objects.get(user=newcomer)
    wrong = client.post(reverse("admin:two_factor_setup"), {"code": "000000"})
    assert "That code is not right." in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code slows the next try by a second; a person takes longer than that
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    done = client.post(reverse("admin:two_factor_setup"), {"code": code}).content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done)
    assert len(codes) == 10
    assert client.get("/admin/").status_code == 200  # this session is verified

    phone_lost = Client(REMOTE_ADDR="198.51.100.21")
    signed_in = phone_lost.post(
        LOGIN, {"username": "newdesk", "password": PASSWORD, "otp_token": codes[0], "next": "/admin/"}
    )
    assert signed_in.status_code == 302
    again = Client(REMOTE_ADDR="198.51.100.21")
    reused = again.post(LOGIN, {"username": "newdesk", "password": PASSWORD, "otp_token": codes[0], "next": "/admin/"})
    assert reused.status_code == 200  # a recovery code works once


def test_a_lost_device_is_reset_with_a_command_and_set_up_again(receptionist):
    call_command("reset_two_factor", "desk", stdout=io.StringIO())
    client = Client(REMOTE_ADDR="198.51.100.20")
    response = client.post(LOGIN, {"username": "desk", "password": PASSWORD, "next": "/admin/"})
    assert response["Location"] == reverse("admin:two_factor_setup")
