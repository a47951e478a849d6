"""The front desk's calendar: the day and week view, what happened to a booking, a caller booked
by phone, a request from the queue booked in one step, a booking moved; hours changed under
bookings; each clinician's private calendar feed; every staff view in the audit trail."""

import datetime
import pathlib
import re

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from appointments.booking.availability import free_times_of
from appointments.booking.models import Booking, BookingStatus, TimeOff
from appointments.booking.services import booking_create
from appointments.models import AppointmentRequest, ContactAttempt
from tests.appointments.factories import make_request
from treatments.models import Clinic, ClinicClosure

from .factories import booking_details, clinic_calendar, details

pytestmark = pytest.mark.django_db


def book(visit_type, slot=0, **overrides):
    starts_at = free_times_of(visit_type)[slot].starts_at
    return booking_create(visit_type=visit_type, starts_at=starts_at, details=booking_details(**overrides)).booking


def phone_times(admin_client, **params):
    page = admin_client.get(reverse("admin:appointments_booking_phone"), params)
    assert page.status_code == 200
    return re.findall(r'name="time" value="([^"]+)"', page.content.decode())


def test_a_receptionist_books_a_caller_by_phone_into_a_free_time(admin_client, admin_user, content, run_worker):
    visit_type, _people = clinic_calendar(notice_hours=24 * 14)
    times = phone_times(admin_client, visit_type=visit_type.pk)
    # the patients' two weeks' notice does not bind the front desk: this week's times are listed
    assert times
    assert datetime.datetime.fromisoformat(times[-1]) < timezone.now() + datetime.timedelta(days=8)
    assert free_times_of(visit_type)[0].starts_at > timezone.now() + datetime.timedelta(days=14)
    form = admin_client.get(
        reverse("admin:appointments_booking_phone"), {"visit_type": visit_type.pk, "time": times[0]}
    )
    assert "The caller's details" in form.content.decode()
    wrong = admin_client.post(
        reverse("admin:appointments_booking_phone"),
        {"visit_type": visit_type.pk, "time": times[0], **details(first_name="", email="not-an-address")},
    )
    assert wrong.status_code == 400
    assert "Enter your first name." in wrong.content.decode()
    assert Booking.objects.count() == 0
    assert AppointmentRequest.objects.count() == 0
    done = admin_client.post(
        reverse("admin:appointments_booking_phone"), {"visit_type": visit_type.pk, "time": times[0], **details()}
    )
    assert done.status_code == 302
    booking = Booking.objects.get()
    assert booking.source == Booking.Source.PHONE
    assert booking.made_by == admin_user
    assert booking.starts_at == datetime.datetime.fromisoformat(times[0])
    assert booking.request.origin == AppointmentRequest.Origin.PHONE
    page = admin_client.get(done["Location"]).content.decode()
    assert "Booked: First consultation" in page
    assert ContactAttempt.objects.get(request=booking.request).outcome == ContactAttempt.Outcome.BOOKED
    run_worker()
    assert [message.subject for message in mail.outbox if message.to == ["ana.rivera@example.org"]] == [
        f"Your appointment is booked: {timezone.localtime(booking.starts_at):%A %-d %B %Y at %-I:%M %p}"
    ]
    # the same time again: refused in words, with the nearest free times, nothing stored
    again = admin_client.post(
        reverse("admin:appointments_booking_phone"),
        {"visit_type": visit_type.pk, "time": times[0], **details(email="other@example.org")},
    )
    assert again.status_code == 409
    assert "was just taken, or is no longer free. Nothing was booked." in again.content.decode()
    assert times[1] in again.content.decode()
    assert Booking.objects.count() == 1


def test_a_time_outside_the_hours_cannot_be_booked_by_staff(admin_client, content):
    visit_type, _people = clinic_calendar()
    today = timezone.localdate()
    sunday = today + datetime.timedelta(days=(6 - today.weekday()) or 7)
    three_am = timezone.make_aware(datetime.datetime.combine(sunday, datetime.time(3, 0)))
    response = admin_client.post(
        reverse("admin:appointments_booking_phone"),
        {"visit_type": visit_type.pk, "time": three_am.isoformat(), **details()},
    )
    assert response.status_code == 409
    assert Booking.objects.count() == 0
    assert AppointmentRequest.objects.count() == 0


def test_a_request_from_the_queue_is_booked_in_one_step(admin_client, content):
    visit_type, _people = clinic_calendar()
    appointment = make_request()
    page = admin_client.get(appointment.get_admin_url()).content.decode()
    link = reverse("admin:appointments_booking_phone") + f"?request={appointment.pk}"
    assert link.replace("&", "&amp;") in page  # "Book a time" on the request's page
    times = phone_times(admin_client, request=appointment.pk, visit_type=visit_type.pk)
    done = admin_client.post(
        reverse("admin:appointments_booking_phone"),
        {"visit_type": visit_type.pk, "time": times[2], "request": appointment.pk},
    )
    assert done.status_code == 302
    assert done["Location"] == appointment.get_admin_url()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentRequest.Status.SCHEDULED
    assert appointment.appointment_at == datetime.datetime.fromisoformat(times[2])
    assert appointment.bookings.get().request_id == appointment.pk
    log = admin_client.get(appointment.get_admin_url()).content.decode()
    assert "Booked" in log
    assert "First consultation" in log


def test_the_request_form_no_longer_takes_any_appointment_time(admin_client, content):
    appointment = make_request()
    page = admin_client.get(appointment.get_admin_url()).content.decode()
    assert 'name="appointment_at_0"' not in page


def test_the_day_view_lists_bookings_by_time_and_marks_what_happened(admin_client, content):
    visit_type, people = clinic_calendar(clinicians=2)
    first, second = book(visit_type, 0), book(visit_type, 0, email="b@example.org")
    assert {first.clinician, second.clinician} == set(people)  # the same time, two clinicians
    day = timezone.localtime(first.starts_at).date()
    page = admin_client.get(reverse("admin:appointments_booking_calendar"), {"day": f"{day:%Y-%m-%d}"})
    text = page.content.decode()
    assert text.count('class="booking-row') == 2
    assert f"#{first.request_id} Ana Rivera" in text
    assert "@media print" in pathlib.Path("static/css/admin.css").read_text()
    mark = admin_client.post(
        reverse("admin:appointments_booking_mark", args=[first.pk]),
        {"status": "arrived", "version": first.version, "next": page.request["PATH_INFO"]},
    )
    assert mark.status_code == 302
    first.refresh_from_db()
    assert first.status == BookingStatus.ARRIVED
    stale = admin_client.post(
        reverse("admin:appointments_booking_mark", args=[first.pk]), {"status": "no_show", "version": 1}, follow=True
    )
    assert "was changed meanwhile" in stale.content.decode()
    first.refresh_from_db()
    assert first.status == BookingStatus.ARRIVED
    week = admin_client.get(reverse("admin:appointments_booking_calendar"), {"day": f"{day:%Y-%m-%d}", "span": "week"})
    assert week.content.decode().count('<h2 id="day-') == 7
    # hostile input gets the page, not an error
    assert admin_client.get(reverse("admin:appointments_booking_calendar"), {"day": "2026-13-45"}).status_code == 200


def test_staff_cancel_frees_the_time_and_a_move_keeps_the_booking(admin_client, content, run_worker):
    visit_type, _people = clinic_calendar()
    booking = book(visit_type, 0)
    new = phone_times(admin_client, move=booking.pk)[3]
    moved = admin_client.post(
        reverse("admin:appointments_booking_phone"), {"move": booking.pk, "time": new, "version": booking.version}
    )
    assert moved.status_code == 302
    booking.refresh_from_db()
    assert booking.starts_at == datetime.datetime.fromisoformat(new)
    assert booking.version == 2
    cancel = admin_client.post(
        reverse("admin:appointments_booking_mark", args=[booking.pk]), {"status": "cancelled", "version": 2}
    )
    assert cancel.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.starts_at in [slot.starts_at for slot in free_times_of(visit_type)]


def test_changing_hours_keeps_bookings_and_lists_those_now_outside(admin_client, content):
    visit_type, (person,) = clinic_calendar()
    booking = book(visit_type, 0)
    local = timezone.localtime(booking.starts_at)
    hours = list(person.working_hours.all())
    data = {
        "name": person.name,
        "active": "on",
        "order": 0,
        "working_hours-TOTAL_FORMS": len(hours),
        "working_hours-INITIAL_FORMS": len(hours),
        "extra_hours-TOTAL_FORMS": 0,
        "extra_hours-INITIAL_FORMS": 0,
        "time_off-TOTAL_FORMS": 1,
        "time_off-INITIAL_FORMS": 0,
        "time_off-0-starts_at_0": f"{local:%Y-%m-%d}",
        "time_off-0-starts_at_1": "00:00:00",
        "time_off-0-ends_at_0": f"{local:%Y-%m-%d}",
        "time_off-0-ends_at_1": "23:59:00",
    }
    for number, period in enumerate(hours):
        data.update({
            f"working_hours-{number}-id": period.pk,
            f"working_hours-{number}-clinician": person.pk,
            f"working_hours-{number}-weekday": period.weekday,
            f"working_hours-{number}-starts": f"{period.starts:%H:%M}",
            f"working_hours-{number}-ends": f"{period.ends:%H:%M}",
        })  # fmt: skip
    response = admin_client.post(reverse("admin:appointments_clinician_change", args=[person.pk]), data, follow=True)
    assert TimeOff.objects.count() == 1, response.content.decode()[:2000]
    text = response.content.decode()
    assert "1 booking to come is now outside its clinician" in text
    assert booking.get_admin_url() in text
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    assert timezone.localtime(booking.starts_at) == local


def test_a_clinicians_feed_shows_only_what_they_need_and_can_be_revoked(client, admin_client, content):
    visit_type, (person,) = clinic_calendar()
    booking = book(visit_type, 0)
    feed = reverse("clinician_feed", args=[person.feed_token])
    response = client.get(feed)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode().replace("\r\n ", "")
    assert f"First consultation: Ana (#{booking.request_id})" in text
    for private in ["Rivera", "ana.rivera@example.org", "555", "Brooklyn"]:
        assert private not in text
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    page = admin_client.get(reverse("admin:appointments_clinician_change", args=[person.pk])).content.decode()
    assert person.feed_token in page
    admin_client.post(
        reverse("admin:appointments_clinician_changelist"),
        {"action": "new_calendar_address", "_selected_action": [person.pk]},
    )
    assert client.get(feed).status_code == 404  # the old address stopped working
    person.refresh_from_db()
    assert client.get(reverse("clinician_feed", args=[person.feed_token])).status_code == 200
    assert client.get("/calendar/" + "x" * 300 + ".ics").status_code == 404


def test_every_staff_view_of_a_booking_is_in_the_audit_trail(admin_client, content):
    visit_type, _people = clinic_calendar()
    booking = book(visit_type, 0)
    assert admin_client.get(booking.get_admin_url()).status_code == 200
    access = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(booking.pk))
    assert access.count() == 1
    assert "Rivera" not in access.get().object_repr
    admin_client.post(
        reverse("admin:appointments_booking_mark", args=[booking.pk]), {"status": "no_show", "version": 1}
    )
    change = LogEntry.objects.filter(action=LogEntry.Action.UPDATE, object_pk=str(booking.pk)).get()
    assert change.changes_dict["status"] == ["booked", "no_show"]


def test_a_day_the_clinic_closes_after_bookings_were_made_lists_them_in_the_day_view(admin_client, content):
    visit_type, _people = clinic_calendar()
    booking = book(visit_type, 0)
    view = reverse("admin:appointments_booking_calendar")
    assert "outside its clinician" not in admin_client.get(view).content.decode()
    ClinicClosure.objects.create(clinic=Clinic.objects.get(), day=timezone.localtime(booking.starts_at).date())
    page = admin_client.get(view).content.decode()
    assert "1 booking to come is outside its clinician" in page
    assert booking.get_admin_url() in page
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED  # kept as it was, for the front desk to rearrange
