"""A patient books online: the visit type, a day, a time, the details, then "Booked"."""

import datetime
import re
from unittest import mock
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from appointments.booking.availability import free_times_of
from appointments.booking.mail import manage_token
from appointments.booking.models import Booking, BookingStatus, VisitTypeWords, WaitingListEntry
from appointments.booking.services import booking_cancel, booking_create, booking_move, offer_expire
from appointments.booking.tasks import remind_booking
from appointments.forms import issue_form_token
from appointments.models import AppointmentRequest

from .factories import booking_details, clinic_calendar, details

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


def choose(client, visit_type, number=0):
    times = client.get(reverse("appointments:book_times", args=[visit_type.pk])).content.decode()
    return re.findall(r'name="at" value="([^"]+)"', times)[number]


def book_online(client, visit_type, at, **overrides):
    return client.post(reverse("appointments:book_details", args=[visit_type.pk]), {"at": at, **details(**overrides)})


def manage_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/[^\s]*booking/[^\s]+/)", message.body).group(1)


def test_the_second_patient_for_the_same_time_is_told_it_was_taken_and_keeps_what_she_typed(client, content):
    visit_type, _people = clinic_calendar()
    at = choose(Client(), visit_type)
    first = Client()
    assert book_online(first, visit_type, at).status_code == 302
    second = book_online(client, visit_type, at, first_name="Lucía", email="lucia@example.org")
    assert second.status_code == 409
    page = BeautifulSoup(second.content, "html.parser")
    assert page.title.get_text().startswith("Not booked:")
    assert "That time was just taken" in page.select_one(".error-summary").get_text()
    assert page.select_one("input[name=first_name]")["value"] == "Lucía"  # what she typed, kept
    assert page.select_one("input[name=email]")["value"] == "lucia@example.org"
    nearest = [radio["value"] for radio in page.select("input[name=at]")]
    assert len(nearest) == 6
    assert at not in nearest
    assert Booking.objects.count() == 1
    # she takes the nearest one offered, with one press
    data = {input_["name"]: input_.get("value", "") for input_ in page.select("form input") if input_.get("name")}
    data.update({"at": nearest[0], "state": "NY", "contact_preference": "phone", "call_language": "en"})
    assert client.post(reverse("appointments:book_details", args=[visit_type.pk]), data).status_code == 302
    assert Booking.objects.count() == 2


def test_a_booking_form_sent_twice_books_once(client, content):
    visit_type, _people = clinic_calendar()
    at = choose(client, visit_type)
    data = {"at": at, **details()}
    url = reverse("appointments:book_details", args=[visit_type.pk])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Booking.objects.count() == 1
    assert AppointmentRequest.objects.count() == 1


def test_a_time_never_offered_is_refused_and_nothing_is_stored(client, content):
    # A week's notice: the first time without it (whatever the day and hour) is inside it.
    visit_type, _people = clinic_calendar(notice_hours=24 * 7)
    soon = free_times_of(visit_type, notice=False)[0].starts_at
    response = book_online(client, visit_type, soon.isoformat())
    assert response.status_code == 409
    assert Booking.objects.count() == 0
    assert AppointmentRequest.objects.count() == 0
    for hostile in ["2026-13-45T10:00:00-05:00", "x" * 500, "2026-12-10T10:00:00"]:
        assert book_online(client, visit_type, hostile).status_code in (302, 409)
        assert (
            client.get(reverse("appointments:book_times", args=[visit_type.pk]), {"day": hostile}).status_code == 200
        )


def test_the_patient_moves_then_cancels_from_the_links_and_old_links_say_what_happened(
    client, content, run_worker, settings
):
    visit_type, _people = clinic_calendar()
    book_online(client, visit_type, choose(client, visit_type))
    run_worker()
    booking = Booking.objects.get()
    first_link = manage_link(mail.outbox[-1])
    page = client.get(first_link)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]
    # A whole day's times (the first day may be today, with its last time or none left).
    later_day = re.findall(r'href="\?day=([0-9-]+)"', client.get(first_link + "move/").content.decode())[1]
    times = client.get(first_link + f"move/?day={later_day}").content.decode()
    new_time = re.findall(r'name="at" value="([^"]+)"', times)[2]
    moved = client.post(first_link + "move/", {"at": new_time})
    assert moved.status_code == 302
    booking.refresh_from_db()
    assert booking.starts_at == datetime.datetime.fromisoformat(new_time)
    run_worker()
    moved_mail = mail.outbox[-1]
    assert moved_mail.subject.startswith("Your appointment has moved")
    calendar = Calendar.from_ical(moved_mail.attachments[0][1].encode())
    host = urlsplit(settings.SITE_URL).hostname
    assert str(calendar.walk("VEVENT")[0]["uid"]) == f"booking-{booking.pk}@{host}"  # replaces the event
    assert calendar.walk("VEVENT")[0]["sequence"] == 2
    old = client.get(first_link)
    assert "This link was replaced" in old.content.decode()  # the first e-mail's link
    second_link = manage_link(moved_mail)
    cancelled = client.post(second_link)
    assert "Booking cancelled" in cancelled.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    booking.request.refresh_from_db()
    assert booking.request.status == AppointmentRequest.Status.CLOSED
    run_worker()
    cancel_mail = mail.outbox[-1]
    assert cancel_mail.subject.startswith("Your appointment is cancelled")
    assert "METHOD:CANCEL" in cancel_mail.attachments[0][1]
    again = client.post(second_link)
    assert again.status_code == 200
    assert "This booking was cancelled" in again.content.decode()
    assert Booking.objects.get().status == BookingStatus.CANCELLED


def test_a_forged_or_mangled_link_gets_a_clear_page_never_an_error(client, content):
    visit_type, _people = clinic_calendar()
    book_online(client, visit_type, choose(client, visit_type))
    booking = Booking.objects.get()
    forged = signing.dumps({"b": booking.pk, "v": booking.version}, salt="not-ours", compress=True)
    for token in [forged, "x", "a" * 300, forged[:-3]]:
        for path in [f"/appointments/booking/{token}/", f"/appointments/booking/{token}/move/"]:
            for response in [client.get(path), client.post(path, {"at": booking.starts_at.isoformat()})]:
                assert response.status_code == 404, path
                assert "This link does not work" in response.content.decode()
    for mangled in ["..%2F..", "%00", "%ff%fe"]:
        assert client.get(f"/appointments/booking/{mangled}/").status_code in (400, 404)
    assert Booking.objects.get().status == BookingStatus.BOOKED


def test_a_link_after_the_visit_says_it_is_over(client, content):
    visit_type, _people = clinic_calendar()
    book_online(client, visit_type, choose(client, visit_type))
    booking = Booking.objects.get()
    link = reverse("appointments:manage_booking", args=[manage_token(booking)])
    later = booking.ends_at + datetime.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.post(link)
    assert response.status_code == 410
    assert "This booking is over" in response.content.decode()
    assert Booking.objects.get().status == BookingStatus.BOOKED


def test_the_reminder_is_queued_for_24_hours_before_and_sent_once_never_for_a_moved_or_cancelled_booking(
    client, content, run_worker
):
    visit_type, _people = clinic_calendar(horizon_days=14)
    later = [
        slot for slot in free_times_of(visit_type) if slot.starts_at > timezone.now() + datetime.timedelta(days=3)
    ]
    book_online(client, visit_type, later[0].starts_at.isoformat())
    booking = Booking.objects.get()
    queued = DBTaskResult.objects.filter(task_path="appointments.booking.tasks.remind_booking").get()
    assert queued.run_after == booking.starts_at - datetime.timedelta(hours=24)
    run_worker()  # not yet due: the confirmation alone goes to the patient
    assert [message.subject.split(":")[0] for message in mail.outbox if message.to == ["ana.rivera@example.org"]] == [
        "Your appointment is booked"
    ]
    # the day before: two workers (or one restarted halfway) run the same reminder
    remind_booking.call(booking.pk, booking.starts_at.isoformat())
    remind_booking.call(booking.pk, booking.starts_at.isoformat())
    reminders = [message for message in mail.outbox if message.subject.startswith("Reminder")]
    assert len(reminders) == 1
    # moved: the old reminder names the old time and sends nothing
    old_time = booking.starts_at
    slots = [slot.starts_at for slot in free_times_of(visit_type, ignoring=booking)]
    booking_move(booking=booking, opened_version=booking.version, starts_at=slots[0])
    assert remind_booking.call(booking.pk, old_time.isoformat()) is False
    booking.refresh_from_db()
    booking_cancel(booking=booking, opened_version=booking.version)
    assert remind_booking.call(booking.pk, booking.starts_at.isoformat()) is False
    assert len([message for message in mail.outbox if message.subject.startswith("Reminder")]) == 1


def test_a_waiting_patient_is_offered_a_freed_time_held_for_them_then_it_goes_to_the_next(
    client, content, run_worker, settings
):
    settings.WAITING_LIST_HOLD_MINUTES = 120
    # Four days ahead always hold a weekday's times (one day ahead of a Friday evening holds none).
    visit_type, _people = clinic_calendar(horizon_days=4, notice_hours=0)
    slots = free_times_of(visit_type)
    for number, slot in enumerate(slots):  # every time booked
        booking_create(
            visit_type=visit_type, starts_at=slot.starts_at, details=booking_details(email=f"p{number}@example.org")
        )
    page = client.get(reverse("appointments:book_times", args=[visit_type.pk])).content.decode()
    assert "No free times just now" in page
    waiting_url = reverse("appointments:waiting_list", args=[visit_type.pk])
    waiting_form = BeautifulSoup(page, "html.parser").select_one(f"form[action='{waiting_url}']")
    token = waiting_form.select_one("input[name=form_token]")["value"]
    for name, form_token in [("Rosa", token), ("Tomás", issue_form_token())]:
        email = f"{name.lower().replace('á', 'a')}@example.org"
        joined = client.post(waiting_url, {"first_name": name, "email": email, "form_token": form_token})
        assert "You are on the waiting list" in joined.content.decode()
    mail.outbox.clear()
    cancelled = Booking.objects.filter(status=BookingStatus.BOOKED).order_by("starts_at").first()
    booking_cancel(booking=cancelled, opened_version=cancelled.version)
    run_worker()
    offers = [message for message in mail.outbox if message.subject.startswith("A time has come free")]
    assert [message.to for message in offers] == [["rosa@example.org"]]
    # held for Rosa: nobody else is offered it
    assert cancelled.starts_at not in [slot.starts_at for slot in free_times_of(visit_type)]
    # two hours later, unanswered: it goes to Tomás
    held = Booking.objects.get(status=BookingStatus.HELD)
    with mock.patch(
        "django.utils.timezone.now", return_value=held.held_for_offer_until + datetime.timedelta(seconds=1)
    ):
        offer_expire(held_id=held.pk)
    run_worker()
    offers = [message for message in mail.outbox if message.subject.startswith("A time has come free")]
    assert [message.to for message in offers] == [["rosa@example.org"], ["tomas@example.org"]]
    rosa_link = re.search(r"https?://[^/\s]+(/[^\s]*offer/[^\s]+/)", offers[0].body).group(1)
    assert "This time is no longer offered" in client.get(rosa_link).content.decode()
    tomas_link = re.search(r"https?://[^/\s]+(/[^\s]*offer/[^\s]+/)", offers[1].body).group(1)
    form = client.get(tomas_link)
    assert BeautifulSoup(form.content, "html.parser").select_one("input[name=first_name]")["value"] == "Tomás"
    taken = client.post(tomas_link, details(first_name="Tomás", email="tomas@example.org"))
    assert taken.status_code == 302
    booking = Booking.objects.get(starts_at=cancelled.starts_at, status=BookingStatus.BOOKED)
    assert booking.request.first_name == "Tomás"
    assert WaitingListEntry.objects.get(first_name="Rosa").status == WaitingListEntry.Status.WAITING


def test_book_online_shows_on_treatment_and_request_pages_only_while_booking_is_open(client, content, settings):
    settings.PAGE_CACHE = True  # a kept page must not go on offering booking once it closes
    pages = ["/treatments/mesotherapy/", "/appointments/request/", "/es/tratamientos/mesoterapia/"]
    for path in pages:
        assert "Book online" not in client.get(path).content.decode(), path
    visit_type, _people = clinic_calendar()
    assert "Book online" in client.get(pages[0]).content.decode()
    assert "Book online" in client.get(pages[1]).content.decode()
    spanish = client.get(pages[2]).content.decode()
    assert "Reservar en línea" not in spanish  # not named in Spanish: not offered there
    VisitTypeWords.objects.create(visit_type=visit_type, language="es", name="Primera consulta")
    assert "Reservar en línea" in client.get(pages[2]).content.decode()
    visit_type.clinicians.clear()
    assert "Book online" not in client.get(pages[0]).content.decode()


def test_a_booking_made_on_the_spanish_pages_is_confirmed_in_spanish(client, content, run_worker):
    visit_type, _people = clinic_calendar(what_to_bring="Photo identification.")
    VisitTypeWords.objects.create(
        visit_type=visit_type, language="es", name="Primera consulta", what_to_bring="Una identificación con foto."
    )
    times = client.get(f"/es/citas/reservar/{visit_type.pk}/").content.decode()
    assert "Elija una hora: Primera consulta" in times
    at = re.findall(r'name="at" value="([^"]+)"', times)[0]
    response = client.post(f"/es/citas/reservar/{visit_type.pk}/datos/", {"at": at, **details(call_language="es")})
    assert response.status_code == 302
    booked = client.get(response["Location"]).content.decode()
    assert "Una identificación con foto." in booked
    booking = Booking.objects.get()
    assert booking.request.language == "es"
    run_worker()
    [confirmation] = [message for message in mail.outbox if message.to == ["ana.rivera@example.org"]]
    assert confirmation.subject.startswith("Su cita está reservada")
    assert "Primera consulta" in confirmation.body
    assert "Una identificación con foto." in confirmation.body
    assert "/es/citas/reserva/" in confirmation.body  # the link to move or cancel, in Spanish
