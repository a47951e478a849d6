"""A patient books online: the visit type, a day, a time, the details, then "Booked"."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from appointments.booking.availability import free_times_of
from appointments.booking.models import Booking
from appointments.models import AppointmentRequest

from .factories import clinic_calendar, details

pytestmark = pytest.mark.django_db


def first_free(visit_type):
    return free_times_of(visit_type)[0].starts_at


def test_a_patient_books_a_free_time_and_gets_the_confirmation(client, content, run_worker):
    visit_type, _people = clinic_calendar()
    page = client.get(reverse("appointments:book"))
    assert "First consultation" in page.content.decode()
    times = client.get(reverse("appointments:book_times", args=[visit_type.pk])).content.decode()
    at = re.search(r'name="at" value="([^"]+)"', times).group(1)
    form = client.get(reverse("appointments:book_details", args=[visit_type.pk]), {"at": at})
    assert form.status_code == 200
    response = client.post(reverse("appointments:book_details", args=[visit_type.pk]), {"at": at, **details()})
    assert response.status_code == 302, response.content.decode()[:3000]
    booked = client.get(response["Location"]).content.decode()
    assert "Booked" in booked
    booking = Booking.objects.get()
    assert booking.request.status == AppointmentRequest.Status.SCHEDULED
    assert booking.request.appointment_at == booking.starts_at
    run_worker()
    confirmation = [message for message in mail.outbox if message.to == ["ana.rivera@example.org"]]
    assert len(confirmation) == 1
    assert "Your appointment is booked" in confirmation[0].subject
    assert confirmation[0].attachments[0][0] == "appointment.ics"
