import csv
import datetime
import io

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appointments.models import AppointmentRequest
from conftest import sign_in
from tests.admin_forms import admin_change_form_data

from .factories import make_request, search_queue

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:appointments_appointmentrequest_changelist")


@pytest.fixture
def front_desk_client(client):
    user = User.objects.create_user("desk", password="a-long-front-desk-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Front desk"))
    sign_in(client, user)
    return client


def rows(response):
    return list(response.context["cl"].result_list)


def test_the_queue_opens_on_the_worklist_oldest_first_without_opening_hours(admin_client, content):
    older = make_request(first_name="Older", received_at=timezone.now() - datetime.timedelta(days=2))
    newer = make_request(first_name="Newer", email="newer@example.org")
    make_request(first_name="Finished", email="done@example.org", status="closed")
    response = admin_client.get(CHANGELIST)
    assert rows(response) == [older, newer]
    headers = [
        th.get_text(" ", strip=True) for th in BeautifulSoup(response.content, "html.parser").select("thead th")
    ]
    assert headers[1:] == ["Name", "Next step", "Received", "Status", "Contact by", "Assigned to"]
    every = admin_client.get(CHANGELIST, {"queue": "all"})
    assert len(rows(every)) == 3


@pytest.mark.parametrize(
    "term", ["Rivera", "ana.rivera@example.org", "(718) 555-0142", "718.555.0142", "+17185550142"]
)
def test_staff_find_a_request_by_name_email_or_phone_in_any_format(admin_client, content, term):
    wanted = make_request()
    make_request(first_name="Other", last_name="Person", email="o@example.org", phone="+12125550100")
    assert rows(search_queue(admin_client, term)) == [wanted]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "contacted"}, ["contacted"]),
        ({"contact_preference__exact": "email"}, ["contacted"]),
        ({"newsletter__exact": "1"}, ["contacted"]),
        ({"notification": "pending"}, ["new"]),
        ({"notification": "sent"}, ["contacted"]),
    ],
)
def test_filters_narrow_the_queue(admin_client, content, query, expected):
    make_request(status="new")
    make_request(
        status="contacted",
        contact_preference="email",
        newsletter=True,
        staff_notified_at=timezone.now(),
        patient_confirmed_at=timezone.now(),
    )
    assert [a.status for a in rows(admin_client.get(CHANGELIST, query))] == expected


def test_treatment_and_date_filters_are_offered(admin_client, content):
    html = admin_client.get(CHANGELIST).content.decode()
    assert "By treatment" in html
    assert "By received" in html


def test_what_the_patient_sent_is_read_only_and_status_change_is_recorded(admin_client, admin_user, content):
    appointment = make_request()
    url = reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk])
    data = admin_change_form_data(admin_client.get(url))
    assert "first_name" not in data
    data.update(first_name="Changed", status="contacted", staff_notes="Prefers Tuesday mornings.")
    assert admin_client.post(url, data).status_code == 302
    appointment.refresh_from_db()
    assert appointment.first_name == "Ana"
    assert appointment.status == "contacted"
    assert appointment.staff_notes == "Prefers Tuesday mornings."
    assert appointment.status_changed_by == admin_user
    assert appointment.status_changed_at is not None


def test_notes_alone_do_not_count_as_a_status_change(admin_client, content):
    appointment = make_request()
    url = reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk])
    data = admin_change_form_data(admin_client.get(url))
    data["staff_notes"] = "Left a voicemail."
    admin_client.post(url, data)
    appointment.refresh_from_db()
    assert appointment.status_changed_at is None


def test_staff_cannot_add_requests_by_hand(admin_client, content):
    assert admin_client.get(reverse("admin:appointments_appointmentrequest_add")).status_code == 403


def test_mark_contacted_action(admin_client, admin_user, content):
    first, second = make_request(), make_request(status="contacted")
    response = admin_client.post(
        CHANGELIST, {"action": "mark_contacted", "_selected_action": [first.pk, second.pk]}, follow=True
    )
    assert "1 request marked as contacted." in response.content.decode()
    first.refresh_from_db()
    assert (first.status, first.status_changed_by) == ("contacted", admin_user)


def test_csv_export_neutralises_spreadsheet_formulas(admin_client, content):
    appointment = make_request(
        first_name='=HYPERLINK("http://evil")',
        last_name="+1",
        city="@SUM(A1)",
        comments="-2+3",
        call_language="other",
        call_language_other="=1+1",
    )
    response = admin_client.post(CHANGELIST, {"action": "export_csv", "_selected_action": [appointment.pk]})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    [header, row] = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert header[:3] == ["received", "first name", "last name"]
    assert row[1] == '\'=HYPERLINK("http://evil")'
    assert row[2] == "'+1"
    assert row[3] == "'@SUM(A1)"
    assert row[6] == "(718) 555-0142"
    assert row[header.index("comments")] == "'-2+3"
    assert row[header.index("language for the call")] == "'=1+1"  # what the patient typed, as text


def test_the_front_desk_sees_the_language_for_the_call_filters_by_it_and_exports_it(admin_client, content):
    spanish = make_request(first_name="Lucía", call_language="es", language="es")
    other = make_request(first_name="Minh", call_language="other", call_language_other="Vietnamese")
    english = make_request(first_name="Ann", email="ann@example.org", phone="+17185550199")
    queue = admin_client.get(CHANGELIST).content.decode()
    assert "in Spanish" in queue
    assert "in Vietnamese" in queue
    page = admin_client.get(spanish.get_admin_url()).content.decode()
    assert "Prefers Spanish: call with an interpreter if needed." in page
    assert (
        "Prefers Vietnamese: call with an interpreter if needed."
        in admin_client.get(other.get_admin_url()).content.decode()
    )
    assert "Not needed: the patient asked for English." in admin_client.get(english.get_admin_url()).content.decode()
    filtered = admin_client.get(CHANGELIST, {"call_language__exact": "es"}).content.decode()
    assert "Lucía" in filtered
    assert "Minh" not in filtered
    assert f"#{english.pk} Ann" not in filtered
    response = admin_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [spanish.pk, other.pk, english.pk]}
    )
    header, *rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    columns = {
        row[header.index("first name")]: (
            row[header.index("language for the call")],
            row[header.index("site language")],
        )
        for row in rows
    }
    assert columns == {
        "Lucía": ("Spanish", "Spanish"),
        "Minh": ("Vietnamese", "English"),
        "Ann": ("English", "English"),
    }


def test_front_desk_can_view_and_change_requests(front_desk_client, content):
    appointment = make_request()
    assert front_desk_client.get(CHANGELIST).status_code == 200
    url = reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk])
    data = admin_change_form_data(front_desk_client.get(url))
    data["status"] = "contacted"
    assert front_desk_client.post(url, data).status_code == 302
    assert AppointmentRequest.objects.get().status == "contacted"


def test_front_desk_cannot_delete_requests_or_edit_content(front_desk_client, content):
    appointment = make_request()
    assert (
        front_desk_client.get(
            reverse("admin:appointments_appointmentrequest_delete", args=[appointment.pk])
        ).status_code
        == 403
    )
    actions = dict(front_desk_client.get(CHANGELIST).context["action_form"].fields["action"].choices)
    assert "delete_selected" not in actions
    assert "mark_contacted" in actions
    assert front_desk_client.get(reverse("admin:treatments_treatmentpage_changelist")).status_code == 403
    assert front_desk_client.get(reverse("admin:treatments_treatmentpage_change", args=[1])).status_code == 403
    assert AppointmentRequest.objects.count() == 1


def test_the_admin_changes_a_status_through_the_one_service_function(admin_client, content, monkeypatch):
    import appointments.admin.requests
    from appointments.services import appointment_request_change

    calls = []

    def recording(**kwargs):
        calls.append(kwargs["status"])
        return appointment_request_change(**kwargs)

    monkeypatch.setattr(appointments.admin.requests, "appointment_request_change", recording)
    appointment = make_request()
    url = reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk])
    data = admin_change_form_data(admin_client.get(url))
    admin_client.post(url, {**data, "status": "declined"})
    assert calls == ["declined"]
    appointment.refresh_from_db()
    assert appointment.status == "declined"


def test_a_staff_save_writes_back_only_what_it_changed(admin_client, content, monkeypatch):
    from django.contrib import admin

    appointment = make_request()
    url = reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk])
    data = admin_change_form_data(admin_client.get(url))  # the receptionist opens the request
    sent_at = timezone.now()
    model_admin = admin.site.get_model_admin(AppointmentRequest)
    loaded = model_admin.get_object

    def loaded_then_the_worker_writes(request, object_id, from_field=None):
        obj = loaded(request, object_id, from_field)
        if request.method == "POST":  # between the save's read of the row and its write
            AppointmentRequest.objects.filter(pk=obj.pk).update(staff_notified_at=sent_at, notification_attempts=1)
        return obj

    monkeypatch.setattr(model_admin, "get_object", loaded_then_the_worker_writes)
    data["staff_notes"] = "Prefers mornings."
    assert admin_client.post(url, data).status_code == 302
    appointment.refresh_from_db()
    assert appointment.staff_notes == "Prefers mornings."
    assert (appointment.staff_notified_at, appointment.notification_attempts) == (sent_at, 1)


def test_a_search_never_puts_the_words_in_an_address(admin_client, content):
    wanted = make_request(last_name="Quartermain")
    response = search_queue(admin_client, "Quartermain", status__exact="new")
    (final_url, _status), *_ = reversed(response.redirect_chain)
    assert "Quartermain" not in final_url
    assert "status__exact=new" in final_url  # the filters in force stay
    assert rows(response) == [wanted]
    page = BeautifulSoup(response.content, "html.parser")
    box = page.select_one("#searchbar")
    assert box["value"] == "Quartermain"  # shown in the page (no-store), not carried in a link
    assert box["autocomplete"] == "off"
    assert page.select_one("#changelist-search")["method"] == "post"
    assert all("Quartermain" not in link.get("href", "") for link in page.select("a"))
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_words_typed_into_an_address_leave_it_at_once_and_an_old_search_id_means_nothing(admin_client, content):
    make_request(last_name="Quartermain")
    moved = admin_client.get(CHANGELIST, {"q": "Quartermain"})
    assert moved.status_code == 302
    assert "Quartermain" not in moved["Location"]
    assert rows(admin_client.get(moved["Location"])) != []
    other_staff = Client()
    sign_in(other_staff, User.objects.create_superuser("other", password="a-long-enough-password-2"))
    ended = other_staff.get(moved["Location"], follow=True)  # another session: the id means nothing
    assert "That search has ended. Please search again." in ended.content.decode()


def test_listing_searching_and_history_are_in_the_audit_trail_by_number_only(admin_client, admin_user, content):
    from auditlog.models import LogEntry

    from appointments.models import QueueView

    first, second = make_request(last_name="Quartermain"), make_request(email="b@example.org", phone="+12125550100")
    admin_client.get(CHANGELIST)
    search_queue(admin_client, "Quartermain")
    views = list(QueueView.objects.order_by("at"))
    assert [(view.user, view.searched, sorted(view.shown)) for view in views] == [
        (admin_user, False, sorted([first.pk, second.pk])),
        (admin_user, True, [first.pk]),
    ]
    assert "Quartermain" not in str([view.__dict__ for view in views])
    admin_client.get(reverse("admin:appointments_appointmentrequest_history", args=[first.pk]))
    entry = LogEntry.objects.filter(object_pk=str(first.pk), action=LogEntry.Action.ACCESS).latest("timestamp")
    assert entry.additional_data == {"view": "history"}
