"""Bookings kept no longer than the clinic needs them: the purge of old requests takes a visit's
booking and its e-mails; the waiting list's names go after as long."""

import datetime
import io
import uuid

import pytest
from django.core.management import call_command
from django.db.models import F

from appointments.booking.availability import free_times_of
from appointments.booking.models import Booking, BookingMessage, WaitingListEntry
from appointments.booking.services import booking_create, waiting_list_join
from appointments.models import AppointmentRequest

from .factories import booking_details, clinic_calendar

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.timedelta(days=400)


def test_the_purge_removes_a_visit_long_past_with_its_booking_and_keeps_one_to_come(content):
    visit_type, _people = clinic_calendar()
    slots = free_times_of(visit_type)
    old = booking_create(visit_type=visit_type, starts_at=slots[0].starts_at, details=booking_details()).booking
    coming = booking_create(
        visit_type=visit_type, starts_at=slots[1].starts_at, details=booking_details(email="b@example.org")
    ).booking
    entry = waiting_list_join(
        visit_type=visit_type, first_name="Ana", email="a@example.org", language="en", token=uuid.uuid4()
    )
    # the first visit was 400 days ago
    Booking.objects.filter(pk=old.pk).update(
        starts_at=F("starts_at") - LONG_AGO, ends_at=F("ends_at") - LONG_AGO,
        held_from=F("held_from") - LONG_AGO, held_until=F("held_until") - LONG_AGO,
    )  # fmt: skip
    AppointmentRequest.objects.filter(pk=old.request_id).update(
        received_at=F("received_at") - LONG_AGO, appointment_at=F("appointment_at") - LONG_AGO
    )
    WaitingListEntry.objects.filter(pk=entry.pk).update(joined_at=F("joined_at") - LONG_AGO)
    assert BookingMessage.objects.filter(booking=old).exists()

    call_command("purge_requests", "--days", "365", stdout=io.StringIO())
    assert list(Booking.objects.all()) == [coming]
    assert list(AppointmentRequest.objects.all()) == [coming.request]
    assert not BookingMessage.objects.filter(booking_id=old.pk).exists()
    assert not WaitingListEntry.objects.exists()
