"""Patients' privacy rights: staff allowed to find everything about a person by e-mail or phone,
hand it over as one file, and erase it, leaving no trace of them in any table."""

import io
import json
import uuid
import zipfile

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.urls import reverse

from appointments.booking.availability import free_times_of
from appointments.booking.models import Booking, WaitingListEntry
from appointments.booking.services import booking_create, waiting_list_join
from appointments.models import (
    AppointmentRequest,
    ConsentEvent,
    ContactAttempt,
    PageComment,
    PatientMessage,
    PrivacyRecord,
    RatedPage,
    Subscriber,
    SuppressedAddress,
)
from appointments.newsletter.addresses import address_hash
from appointments.newsletter.services import subscriber_sign_up
from conftest import sign_in
from treatments.models import TreatmentPage

from .booking.factories import clinic_calendar
from .factories import form_data

NAME, SURNAME, EMAIL, PHONE = "Quartermain", "Okonkwo-Vasquez", "q.okonkwo@example.org", "+12125550181"
PHONE_DIGITS = ["2125550181", "555-0181", "(212) 555-0181"]


@pytest.fixture
def officer(db, django_user_model):
    user = django_user_model.objects.create_user("officer", password="x", is_staff=True, first_name="Olu")
    user.groups.add(Group.objects.get(name="Privacy officers"))
    return sign_in(Client(), user)


@pytest.fixture
def person(content, client, run_worker, admin_client):
    """Everything a patient leaves: two requests (one with the newsletter box), a contact log, an
    e-mail staff sent, a comment quoting her number, a confirmed sign-up; and staff at work on it."""
    client.post(reverse("appointments:request"), form_data(
        first_name=NAME, last_name=SURNAME, email=EMAIL, phone="(212) 555-0181", newsletter="on",
        contact_preference="email", comments=f"Please ask for {NAME}.",
    ))  # fmt: skip
    client.post(reverse("appointments:request"), form_data(
        first_name=NAME, last_name=SURNAME, email=EMAIL.upper(), phone="212 555 0181",
    ))  # fmt: skip
    run_worker()
    first = AppointmentRequest.objects.order_by("pk").first()
    ContactAttempt.objects.create(request=first, outcome="voicemail", note=f"Left a message for {NAME}")
    PatientMessage.objects.create(request=first, subject="We tried to call you", body=f"Hello {NAME},")
    page = TreatmentPage.objects.first()
    rated, _created = RatedPage.objects.get_or_create(page=page)
    PageComment.objects.create(rated_page=rated, text="Call me on (212) 555-0181 please")
    PageComment.objects.create(rated_page=rated, text="A useful page.")
    from appointments.newsletter.services import subscriber_confirm

    subscriber_confirm(digest=address_hash(EMAIL), client_address="203.0.113.9")
    # a time booked on her first request, and a place on a waiting list
    visit_type, _people = clinic_calendar()
    booking_create(visit_type=visit_type, starts_at=free_times_of(visit_type)[0].starts_at, details={}, request=first)
    waiting_list_join(visit_type=visit_type, first_name=NAME, email=EMAIL, language="en", token=uuid.uuid4())
    admin_client.get(reverse("admin:appointments_appointmentrequest_change", args=[first.pk]))
    return first


def search(officer, **fields):
    return officer.post(reverse("privacy_requests"), {"action": "search", "email": "", "phone": "", **fields})


def test_only_staff_allowed_may_search(person, admin_client, django_user_model):
    desk = django_user_model.objects.create_user("desk", password="x", is_staff=True)
    desk.groups.add(Group.objects.get(name="Front desk"))
    assert sign_in(Client(), desk).post(reverse("privacy_requests"), {"email": EMAIL}).status_code == 403
    assert not PrivacyRecord.objects.exists()


def test_an_e_mail_or_a_phone_number_finds_everything_and_the_search_is_recorded_without_it(person, officer):
    # The comment quotes her number, not her address; by phone, the address on her requests
    # finds her newsletter sign-up.
    for fields, comments in [({"email": EMAIL.upper()}, 0), ({"phone": "212-555-0181"}, 1)]:
        response = search(officer, **fields)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        counts = [li.get_text(" ", strip=True) for li in BeautifulSoup(response.content, "html.parser").select(
            ".privacy-counts li")]  # fmt: skip
        assert counts == ["2 appointment requests", "2 contact attempts", "1 e-mail to the patient",
                          ["0 page comments", "1 page comment"][comments], "1 newsletter sign-up",
                          "2 consent records", "1 booking", "1 e-mail about a booking",
                          "1 waiting list entry"]  # fmt: skip
    by_email = BeautifulSoup(search(officer, email=EMAIL).content, "html.parser").select_one(".privacy-counts")
    assert "1 newsletter sign-up" in by_email.get_text()
    assert "2 consent records" in by_email.get_text()
    records = list(PrivacyRecord.objects.all())
    assert [record.action for record in records] == ["search"] * 3
    assert records[0].rows["appointment requests"] == 2
    stored = json.dumps([record.rows for record in records])
    for trace in [EMAIL, NAME, *PHONE_DIGITS]:
        assert trace not in stored


def test_nothing_found_says_so_and_bad_input_explains(person, officer):
    page = search(officer, email="nobody@example.org").content.decode()
    assert "Nothing matches" in page
    bad = search(officer, phone="call me").content.decode()
    assert "Enter the whole phone number with its area code" in bad
    empty = search(officer).content.decode()
    assert "Enter an e-mail address, a phone number, or both." in empty


def test_the_export_is_one_file_with_json_and_a_readable_page(person, officer):
    response = officer.post(reverse("privacy_requests"), {"action": "export", "email": EMAIL, "phone": PHONE})
    assert response["Content-Type"] == "application/zip"
    assert NAME not in response["Content-Disposition"]
    assert EMAIL not in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["your-data.html", "your-data.json"]
    data = json.loads(archive.read("your-data.json"))
    assert [request["details"]["first name"] for request in data["appointment_requests"]] == [NAME, NAME]
    assert data["appointment_requests"][0]["contact_attempts"][0]["note"] == f"Left a message for {NAME}"
    assert data["page_comments"][0]["comment"] == "Call me on (212) 555-0181 please"
    assert [event["what"] for event in data["newsletter_consent_records"]] == ["asked to subscribe", "confirmed"]
    assert data["newsletter_consent_records"][1]["from_address"] == "203.0.113.9"
    assert [booking["visit"] for booking in data["bookings"]] == ["First consultation"]
    assert data["emails_about_bookings"][0]["subject"].startswith("Your appointment is booked")
    assert data["waiting_list"][0]["e-mail"] == EMAIL
    html = BeautifulSoup(archive.read("your-data.html"), "html.parser")
    assert html.h1.get_text() == "What we hold about you"
    assert f"Left a message for {NAME}" in html.get_text()
    assert PrivacyRecord.objects.get().action == "export"


def database_dump() -> str:
    """Every row of every table, as text."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows.extend(f"{table}: {row!r}" for row in cursor.fetchall())
    return "\n".join(rows)


def test_erase_leaves_no_trace_of_the_person_in_any_table_and_keeps_her_off_the_list(person, officer, client):
    dump = database_dump()
    assert NAME in dump
    assert EMAIL in dump
    assert PHONE in dump
    # By her phone number alone: the address on her requests takes the rest with it.
    refused = officer.post(reverse("privacy_requests"), {"action": "erase", "phone": "212-555-0181"})
    assert "Tick this box to erase: nothing was erased." in refused.content.decode()
    assert AppointmentRequest.objects.count() == 2

    response = officer.post(
        reverse("privacy_requests"), {"action": "erase", "phone": "212-555-0181", "confirm_erase": "on"}
    )
    assert response.status_code == 302
    page = officer.get(response["Location"]).content.decode()
    assert "Erased: 2 appointment requests, 2 contact attempts, 1 e-mail to the patient, 1 page comment, " in page

    dump = database_dump()
    for trace in [EMAIL, EMAIL.upper(), NAME, SURNAME, PHONE, *PHONE_DIGITS, "203.0.113.9"]:
        assert trace not in dump, trace
    assert PageComment.objects.get().text == "A useful page."
    assert not Subscriber.objects.exists()
    assert not Booking.objects.exists()  # her booked time is free again
    assert not WaitingListEntry.objects.exists()
    assert SuppressedAddress.objects.get().address_hash == address_hash(EMAIL)
    assert ConsentEvent.objects.filter(address_hash=address_hash(EMAIL)).count() == 2  # the proof stays
    erasure = PrivacyRecord.objects.get(action="erase")
    assert erasure.rows["appointment requests"] == 2
    assert erasure.user.username == "officer"

    # Never mailed again, unless she signs up and confirms anew.
    subscriber_sign_up(email=EMAIL, source="sign_up_form", words="w", client_address=None)
    assert Subscriber.objects.get().status == "pending"
    assert SuppressedAddress.objects.filter(address_hash=address_hash(EMAIL)).exists()


def test_erase_is_all_or_nothing(person, officer, monkeypatch):
    from appointments import privacy

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(privacy.SuppressedAddress.objects, "get_or_create", fail)
    with pytest.raises(RuntimeError):
        officer.post(reverse("privacy_requests"), {"action": "erase", "email": EMAIL, "confirm_erase": "on"})
    assert AppointmentRequest.objects.count() == 2
    assert Subscriber.objects.count() == 1
    assert not PrivacyRecord.objects.filter(action="erase").exists()


def test_the_trail_of_privacy_requests_is_read_only_for_privacy_officers(person, officer):
    search(officer, email=EMAIL)
    listing = officer.get(reverse("admin:appointments_privacyrecord_changelist"))
    assert listing.status_code == 200
    assert "searched" in listing.content.decode()
    assert EMAIL not in listing.content.decode()
    record = PrivacyRecord.objects.get()
    assert officer.post(reverse("admin:appointments_privacyrecord_delete", args=[record.pk])).status_code == 403
    assert PrivacyRecord.objects.count() == 1


@pytest.mark.parametrize("part", ["555-0181", "5550181", "0181"])
def test_part_of_a_phone_number_is_refused_saying_what_to_type(person, officer, part):
    """A part of a number could be anyone's: the search says to type the whole number, and
    neither an export nor an erasure runs on it."""
    for action in ["search", "export", "erase"]:
        response = officer.post(
            reverse("privacy_requests"), {"action": action, "email": "", "phone": part, "confirm_erase": "on"}
        )
        assert response.status_code == 200
        assert "Enter the whole phone number with its area code" in response.content.decode()
    assert AppointmentRequest.objects.count() == 2
    assert not PrivacyRecord.objects.filter(action__in=["export", "erase"]).exists()


def test_erasing_or_exporting_nothing_is_refused_never_shown_as_done(person, officer):
    for action in ["export", "erase"]:
        response = officer.post(
            reverse("privacy_requests"),
            {"action": action, "email": "nobody@example.org", "phone": "", "confirm_erase": "on"},
            follow=True,
        )
        html = response.content.decode()
        assert response["Content-Type"].startswith("text/html")
        assert "Nothing matches" in html
        assert "Erased:" not in html
    assert not PrivacyRecord.objects.filter(action__in=["export", "erase"]).exists()
    assert AppointmentRequest.objects.count() == 2
