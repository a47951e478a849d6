"""The front desk's worklist: what needs doing, in the order it should be done, each row saying
why; saves that never undo a colleague's; call-backs and appointments; search within the view."""

import datetime
import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appointments.models import AppointmentRequest, QueueView
from appointments.services import StaleRequest, appointment_request_change
from conftest import sign_in
from tests.admin_forms import admin_change_form_data
from tests.treatments.factories import record_opening_hours

from .booking.factories import clinic_calendar
from .factories import make_request, search_queue, time_machine_at
from .test_front_desk import log_attempt, queue_rows, row_index

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:appointments_appointmentrequest_changelist")


def local(text):
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def change_url(appointment):
    return reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk])


def worklist(client, **params):
    """The queue's rows as a receptionist reads them: name, and the next-step column's words."""
    html = BeautifulSoup(client.get(CHANGELIST, params).content, "html.parser")
    return [
        (
            row.select_one("th").get_text(strip=True).split(" ", 1)[1],
            row.select_one(".field-next_step").get_text(" ", strip=True),
        )
        for row in html.select("#result_list tbody tr")
    ]


def front_desk(name, first_name):
    user = User.objects.create_user(name, password=f"a-long-password-for-{name}", is_staff=True, first_name=first_name)
    user.groups.add(Group.objects.get(name="Front desk"))
    return sign_in(Client(), user), user


@pytest.fixture
def clinic_day(content):
    """Open Monday to Friday 9 to 5, closed on Thanksgiving (Thursday 26 November 2026); the clock
    reads Wednesday 25 November, 2 PM, in New York."""
    record_opening_hours("mon-fri 09:00-17:00", closed=["2026-11-26"])
    with time_machine_at("2026-11-25 14:00"):
        earlier = local("2026-11-20 10:00")
        requests = {
            "Overdue": make_request(first_name="Overdue", received_at=local("2026-11-23 10:00")),
            "Before midnight": make_request(first_name="Before midnight", received_at=local("2026-11-24 23:50")),
            "After midnight": make_request(first_name="After midnight", received_at=local("2026-11-25 00:10")),
            "Later call": make_request(
                received_at=earlier,
                first_name="Later call",
                status="contacted",
                call_back_at=local("2026-11-25 15:00"),
            ),
            "Missed call": make_request(
                received_at=earlier,
                first_name="Missed call",
                status="contacted",
                call_back_at=local("2026-11-25 13:00"),
            ),
            "Past visit": make_request(
                received_at=earlier,
                first_name="Past visit",
                status="scheduled",
                appointment_at=local("2026-11-24 10:00"),
            ),
            "Next visit": make_request(
                received_at=earlier,
                first_name="Next visit",
                status="scheduled",
                appointment_at=local("2026-11-30 10:00"),
            ),
            "Closed": make_request(first_name="Closed", status="closed", received_at=earlier),
            "To book": make_request(first_name="To book", status="contacted", received_at=local("2026-11-20 10:00")),
        }
        for number, appointment in enumerate(requests.values()):  # different people: no duplicates
            AppointmentRequest.objects.filter(pk=appointment.pk).update(
                email=f"p{number}@example.org", phone=f"+1212555{number:04d}"
            )
        yield requests


def test_the_worklist_puts_patients_waiting_for_a_first_call_first_each_saying_why(admin_client, clinic_day):
    with time_machine_at("2026-11-25 14:00"):
        rows = worklist(admin_client)
        to_close = worklist(admin_client, queue="to_close")
    assert rows == [
        ("Overdue Rivera", "Overdue by 21 h"),
        ("Before midnight Rivera", "Due by 5:00 PM"),  # Tuesday 23:50 in New York: due Wednesday
        ("After midnight Rivera", "Due by Fri 27 Nov, 5:00 PM"),  # Wednesday 00:10: Thursday is closed
        ("Missed call Rivera", "Call back: was due at 1:00 PM (1 h ago)"),
        ("To book Rivera", "Contacted: book the appointment or close"),
    ]
    # A passed appointment is a task of its own, never ahead of a patient waiting for a call.
    assert to_close == [
        ("Past visit Rivera", "Appointment was Tue 24 Nov, 10:00 AM: close the request, or book again"),
    ]


def test_a_call_back_time_brings_the_request_back_at_that_time(admin_client, clinic_day):
    with time_machine_at("2026-11-25 14:00"):
        assert "Later call Rivera" not in dict(worklist(admin_client))
        assert dict(worklist(admin_client, queue="waiting"))["Later call Rivera"] == "Call back at 3:00 PM"
    with time_machine_at("2026-11-25 15:05"):
        assert dict(worklist(admin_client))["Later call Rivera"] == "Call back: was due at 3:00 PM (5 min ago)"


def test_counts_on_the_front_page_and_their_filters(admin_client, clinic_day):
    with time_machine_at("2026-11-25 14:00"):
        page = BeautifulSoup(admin_client.get(reverse("admin:index")).content, "html.parser")
        counts = [link.get_text(" ", strip=True) for link in page.select(".worklist-counts a")]
        assert counts == ["1 overdue now", "1 due later today", "1 received today", "1 appointment to close"]
        # Overdue: a patient waiting past the clinic's promise, not a passed appointment.
        assert [name for name, _ in worklist(admin_client, queue="overdue")] == ["Overdue Rivera"]
        assert [name for name, _ in worklist(admin_client, queue="to_close")] == ["Past visit Rivera"]
        assert [name for name, _ in worklist(admin_client, queue="due_today")] == ["Before midnight Rivera"]
        assert [name for name, _ in worklist(admin_client, queue="new_today")] == ["After midnight Rivera"]
        dashboard = BeautifulSoup(admin_client.get(reverse("dashboard")).content, "html.parser")
        assert [link.get_text(" ", strip=True) for link in dashboard.select(".worklist-counts a")] == counts


def test_logging_an_attempt_with_a_call_back_time_takes_the_request_off_until_then(admin_client, content):
    appointment = make_request(first_name="Callme")
    later = timezone.localtime() + datetime.timedelta(hours=3)
    log_attempt(
        admin_client,
        appointment,
        method="phone",
        outcome="no_answer",
        note="",
        call_back_at=f"{later:%Y-%m-%dT%H:%M}",
    )
    assert "Callme Rivera" not in dict(worklist(admin_client))
    assert "Call back at" in dict(worklist(admin_client, queue="waiting"))["Callme Rivera"]


def test_scheduled_needs_a_booked_time_and_the_request_leaves_the_worklist(content):
    desk, _user = front_desk("maria", "Maria")
    visit_type, _people = clinic_calendar()
    appointment = make_request(first_name="Booked")
    url = change_url(appointment)
    data = admin_change_form_data(desk.get(url))
    response = desk.post(url, {**data, "status": "scheduled"})
    assert response.status_code == 200
    text = BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)
    assert "Book a time first (“Book a time”, above): that marks the request scheduled." in text
    phone = reverse("admin:appointments_booking_phone")
    times = desk.get(phone, {"request": appointment.pk, "visit_type": visit_type.pk}).content.decode()
    time = re.search(r'name="time" value="([^"]+)"', times).group(1)
    assert desk.post(phone, {"request": appointment.pk, "visit_type": visit_type.pk, "time": time}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "scheduled"  # booking a time schedules the request
    assert "Booked Rivera" not in dict(worklist(desk))


# No lost updates


def test_a_save_on_a_stale_page_is_refused_saying_what_changed_and_by_whom_and_keeps_her_note(content):
    appointment = make_request()
    maria, _ = front_desk("maria", "Maria")
    jo, _ = front_desk("jo", "Jo")
    url = change_url(appointment)
    marias_page = admin_change_form_data(maria.get(url))
    jos_page = admin_change_form_data(jo.get(url))

    assert maria.post(url, {**marias_page, "status": "contacted"}).status_code == 302
    response = jo.post(url, {**jos_page, "staff_notes": "Prefers mornings."})
    assert response.status_code == 200  # refused: the page again
    html = response.content.decode()
    assert "Not saved: Maria changed request" in html
    assert "status: New → Contacted" in html
    page = BeautifulSoup(html, "html.parser")
    assert page.select_one("textarea[name=staff_notes]").get_text().strip() == "Prefers mornings."  # hers, kept
    assert page.select_one("select[name=status] option[selected]")["value"] == "contacted"  # Maria's, not undone
    appointment.refresh_from_db()
    assert (appointment.status, appointment.staff_notes) == ("contacted", "")

    again = admin_change_form_data(response)  # Jo reads the message and saves again
    again["staff_notes"] = "Prefers mornings."
    assert jo.post(url, again).status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.staff_notes) == ("contacted", "Prefers mornings.")


def test_a_refusal_names_every_field_the_colleague_changed(content):
    appointment = make_request()
    maria, maria_user = front_desk("maria", "Maria")
    jo, _ = front_desk("jo", "Jo")
    url = change_url(appointment)
    marias_page = admin_change_form_data(maria.get(url))
    jos_page = admin_change_form_data(jo.get(url))
    changed = {**marias_page, "staff_notes": "Called once.", "assigned_to": maria_user.pk, "status": "contacted"}
    assert maria.post(url, changed).status_code == 302

    response = jo.post(url, {**jos_page, "staff_notes": "Prefers mornings."})
    assert response.status_code == 200
    text = BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)
    assert "Not saved: Maria changed request" in text
    for words in ["status: New → Contacted", "assigned to: now Maria", "staff notes changed"]:
        assert words in text


def test_the_service_refuses_a_change_to_an_older_version_and_writes_nothing(content):
    """The one lost-update check, on either database: a write made from version 1 after version 2
    was saved changes nothing."""
    appointment = make_request()
    _client, maria = front_desk("maria", "Maria")
    appointment_request_change(appointment=appointment, opened_version=1, changed_by=maria, status="contacted")
    with pytest.raises(StaleRequest) as refused:
        appointment_request_change(
            appointment=appointment, opened_version=1, changed_by=maria, status="declined", staff_notes="Late"
        )
    assert refused.value.current.version == 2
    appointment.refresh_from_db()
    assert (appointment.status, appointment.staff_notes, appointment.version) == ("contacted", "", 2)


def test_a_list_edit_on_a_stale_list_is_refused_too(admin_client, content):
    appointment = make_request(first_name="Listed")
    listed = queue_rows(admin_client.get(CHANGELIST))
    colleague, _ = front_desk("sam", "Sam")
    url = change_url(appointment)
    assert colleague.post(url, {**admin_change_form_data(colleague.get(url)), "status": "declined"}).status_code == 302
    (index,) = row_index(listed, appointment)
    listed[f"form-{index}-status"] = "contacted"
    response = admin_client.post(CHANGELIST, listed)
    assert response.status_code == 200
    assert "Not saved: Sam changed request" in BeautifulSoup(response.content, "html.parser").get_text(" ")
    appointment.refresh_from_db()
    assert appointment.status == "declined"


def test_a_contact_attempt_never_conflicts_with_a_save(admin_client, content):
    appointment = make_request()
    url = change_url(appointment)
    opened = admin_change_form_data(admin_client.get(url))
    colleague, _ = front_desk("lee", "Lee")
    log_attempt(colleague, appointment, method="phone", outcome="voicemail", note="Left a message.")
    assert admin_client.post(url, {**opened, "staff_notes": "Call after 4."}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.staff_notes == "Call after 4."
    assert appointment.contact_attempts.count() == 1


# Search within the view


@pytest.mark.parametrize(
    "typed", ["555-0181", "0181", "(212) 555-0181", "+1 212 555 0181", "12125550181", "2125550181"]
)
def test_a_phone_number_is_found_by_any_four_or_more_digits_in_a_row(admin_client, content, typed):
    wanted = make_request(phone="+12125550181")
    make_request(phone="+17185550142", email="other@example.org")
    assert list(search_queue(admin_client, typed).context["cl"].result_list) == [wanted]


def test_a_search_keeps_the_views_filters_and_points_to_matches_elsewhere(admin_client, admin_user, content):
    mine = make_request(phone="+12125550181", assigned_to=admin_user)
    make_request(phone="+12125550181", email="twin@example.org")  # assigned to nobody
    closed = make_request(phone="+16465550199", email="gone@example.org", status="closed")
    assert list(search_queue(admin_client, "0181", assigned="mine").context["cl"].result_list) == [mine]
    response = search_queue(admin_client, "0199")  # the default view: the worklist
    assert list(response.context["cl"].result_list) == []
    page = BeautifulSoup(response.content, "html.parser")
    hint = page.select_one(".messagelist").get_text(" ", strip=True)
    assert "1 request among all requests does" in hint
    link = page.select_one(".messagelist a")["href"]
    assert "0199" not in link
    assert list(admin_client.get(link).context["cl"].result_list) == [closed]


# The small things


def test_requests_are_assigned_to_front_desk_staff_by_full_name(admin_client, content):
    _, maria = front_desk("maria", "Maria")
    maria.last_name = "Lopez"
    maria.save()
    User.objects.create_user("editor", is_staff=True, first_name="Ed").groups.add(Group.objects.get(name="Editors"))
    page = BeautifulSoup(admin_client.get(change_url(make_request())).content, "html.parser")
    names = [option.get_text() for option in page.select("select[name=assigned_to] option")]
    assert "Maria Lopez" in names
    assert "Ed" not in names
    assert "editor" not in names


def test_the_request_page_links_nowhere_the_front_desk_cannot_go(content):
    from treatments.models import Treatment

    desk, _ = front_desk("maria", "Maria")
    appointment = make_request(treatment=Treatment.objects.get(language="en"))
    page = BeautifulSoup(desk.get(change_url(appointment)).content, "html.parser")
    for link in page.select("#content a[href^='/admin/']"):
        assert desk.get(link["href"]).status_code in (200, 302), link["href"]
    assert appointment.treatment.name in page.get_text()


def test_merged_duplicates_lose_their_badge(admin_client, content):
    first = make_request(received_at=timezone.now() - datetime.timedelta(days=1))
    second = make_request()
    admin_client.post(CHANGELIST, {"action": "merge_duplicates", "_selected_action": [first.pk, second.pk]})
    page = admin_client.get(CHANGELIST, {"queue": "all"}).content.decode()
    assert "Possible duplicate" not in page


def test_a_whole_export_is_one_entry_in_the_audit_trail(admin_client, content):
    requests = [make_request(email=f"e{n}@example.org", phone=f"+1212555030{n}") for n in range(5)]
    response = admin_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [request.pk for request in requests]}
    )
    assert len(b"".join(response.streaming_content).splitlines()) == 6
    (entry,) = QueueView.objects.exclude(exported="")
    assert (entry.exported, entry.shown) == ("requests CSV", sorted(request.pk for request in requests))


def test_the_clinics_phone_keeps_its_extension_in_every_tel_link(client, content):
    from treatments.models import Clinic

    clinic = Clinic.objects.get()
    clinic.phone = "1-212-679-9667 ext. 2"
    clinic.save()
    page = BeautifulSoup(client.get("/").content, "html.parser")
    links = {link["href"] for link in page.select("a[href^='tel:']")}
    assert links == {"tel:+12126799667;ext=2"}


def test_front_desk_settings_are_the_clinics_with_clear_errors(admin_client, content):
    from treatments.models import Clinic

    url = reverse("admin:treatments_clinic_change", args=[Clinic.objects.get().pk])
    data = admin_change_form_data(admin_client.get(url))
    response = admin_client.post(url, {**data, "response_business_days": "0", "staff_alert_email": "desk@"})
    assert response.status_code == 200
    errors = BeautifulSoup(response.content, "html.parser").select(".errorlist")
    text = " ".join(error.get_text(" ", strip=True) for error in errors)
    assert "greater than or equal to 1" in text
    assert "valid email address" in text
    assert admin_client.post(url, {**data, "response_business_days": "2"}).status_code == 302
    assert Clinic.objects.get().response_business_days == 2
    assert AppointmentRequest.objects.count() == 0


def test_an_export_starts_at_once_and_reads_its_rows_as_the_file_is_sent(admin_client, content, monkeypatch):
    import appointments.exports as exports

    original, read = exports.request_rows, []

    def counted(queryset):
        for row in original(queryset):
            read.append(row)
            yield row

    monkeypatch.setattr(exports, "request_rows", counted)
    for number in range(3):
        make_request(email=f"s{number}@example.org", phone=f"+1212555040{number}")
    # "Select all" across the list, as staff do for a full export (no list of ids in the form).
    response = admin_client.post(
        CHANGELIST + "?queue=all",
        {"action": "export_csv", "select_across": "1", "index": "0", "_selected_action": "1"},
    )
    assert read == []  # the file starts before a row is read...
    assert len(b"".join(response.streaming_content).splitlines()) == 4
    assert len(read) == 3  # ...and each is read as it is sent


def test_a_request_whose_stored_email_no_longer_validates_can_still_be_worked(admin_client, content):
    """Validation rules change; what a patient sent years ago stays as sent. Staff still save the
    request, and the address that fails today's rules is named on the page, not a server error."""
    appointment = make_request(email="ana.rivera@example")  # valid once, not by today's rules
    url = change_url(appointment)
    page = admin_client.get(url)
    assert "This e-mail does not pass today's checks" in page.content.decode()
    response = admin_client.post(url, {**admin_change_form_data(page), "staff_notes": "Called: no answer."})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.staff_notes == "Called: no answer."
    assert appointment.email == "ana.rivera@example"  # what the patient sent is never rewritten
