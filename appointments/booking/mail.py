"""The e-mails about a booking, in the patient's language: written once (a BookingMessage per
booking, kind and time), with the calendar file (.ics, by icalendar) whose UID stays the same for
the booking, so a move replaces the event and a cancellation removes it; sent once by the worker
(tasks.py), recorded as sent the moment the mail server accepts it."""

import datetime
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from treatments.context_processors import clinic_for_pages

from ..patient_email import clinic_address
from .models import Booking, BookingMessage, WaitingListEntry

logger = logging.getLogger(__name__)

Kind = BookingMessage.Kind
MANAGE_SALT = "appointments.booking.manage"
OFFER_SALT = "appointments.booking.offer"


def manage_token(booking: Booking) -> str:
    """The patient's link to their booking, for its version now: a move makes a new one."""
    return signing.dumps({"b": booking.pk, "v": booking.version}, salt=MANAGE_SALT, compress=True)


def read_manage_token(token: str) -> tuple[int, int] | None:
    try:
        payload = signing.loads(token, salt=MANAGE_SALT)
        return int(payload["b"]), int(payload["v"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def offer_token(entry: WaitingListEntry, held: Booking) -> str:
    return signing.dumps({"w": entry.pk, "o": held.pk}, salt=OFFER_SALT, compress=True)


def read_offer_token(token: str) -> tuple[int, int] | None:
    try:
        payload = signing.loads(token, salt=OFFER_SALT)
        return int(payload["w"]), int(payload["o"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def when_words(moment: datetime.datetime) -> str:
    """ "Thursday 10 December 2026 at 10:30 AM", in the active language."""
    return dateformat.format(timezone.localtime(moment), _("l j F Y \\a\\t g:i A"))


def booking_line(booking: Booking) -> str:
    """For the contact log: the visit, its time and who with (no patient detail)."""
    return f"{booking.visit_type.name}, {timezone.localtime(booking.starts_at):%Y-%m-%d %H:%M}, {booking.clinician}"


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def calendar_file(booking: Booking, language: str, *, cancelled=False) -> str:
    """The booking as one iCalendar event, the same UID whatever its version."""
    clinic = clinic_for_pages()
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    visit = booking.visit_type.in_language(language) or booking.visit_type
    calendar = Calendar()
    calendar.add("prodid", "-//mesoclinic//booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"booking-{booking.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.starts_at.astimezone(datetime.UTC))
    event.add("dtend", booking.ends_at.astimezone(datetime.UTC))
    event.add("sequence", booking.version)
    event.add("summary", f"{visit.name}: {clinic.name}" if clinic else visit.name)
    if cancelled:
        event.add("status", "CANCELLED")
    if clinic:
        event.add("location", clinic_address(clinic))
        event.add("description", _("To change or cancel it, use the link in our e-mail or call %s.") % clinic.phone)
    calendar.add_component(event)
    return calendar.to_ical().decode()


SUBJECTS = {
    Kind.CONFIRMATION: lambda: _("Your appointment is booked: %(when)s"),
    Kind.MOVED: lambda: _("Your appointment has moved: %(when)s"),
    Kind.CANCELLED: lambda: _("Your appointment is cancelled: %(when)s"),
    Kind.REMINDER: lambda: _("Reminder: your appointment on %(when)s"),
    Kind.OFFER: lambda: _("A time has come free: %(when)s"),
}


def _key(booking: Booking, kind: str) -> str:
    if kind == Kind.REMINDER:
        return f"b{booking.pk}-reminder-{booking.starts_at.astimezone(datetime.UTC):%Y%m%dT%H%M}"
    if kind == Kind.CANCELLED:
        return f"b{booking.pk}-cancelled"
    return f"b{booking.pk}-{kind}-v{booking.version}"


def offer_key_prefix(clinician_id: int, starts_at: datetime.datetime) -> str:
    return f"offer-c{clinician_id}-{starts_at.astimezone(datetime.UTC):%Y%m%dT%H%M}-"


def _store(key: str, **fields) -> BookingMessage:
    """The message once per key: the one written before, when there is one (a task run twice,
    or after a crash between writing and sending; sending it again is a no-op once sent)."""
    try:
        with transaction.atomic():
            return BookingMessage.objects.create(key=key, **fields)
    except IntegrityError:
        return BookingMessage.objects.get(key=key)


def write(booking: Booking, kind: str) -> BookingMessage:
    """The e-mail of this kind for the booking as it now is, in the patient's language."""
    request = booking.request
    language = request.language
    with translation.override(language):
        clinic = clinic_for_pages()
        clinic_words = clinic.in_language(language) if clinic else None
        manage_path = reverse("appointments:manage_booking", args=[manage_token(booking)])
        context = {
            "kind": kind,
            "first_name": request.first_name,
            "when": when_words(booking.starts_at),
            "visit": booking.visit_type.in_language(language) or booking.visit_type,
            "clinician": booking.clinician,
            "clinic": clinic_words,
            "address": clinic_address(clinic_words) if clinic_words else "",
            "manage_url": absolute(manage_path) if kind != Kind.CANCELLED else "",
            "book_url": absolute(reverse("appointments:book")),
        }
        subject = SUBJECTS[kind]() % {"when": context["when"]}
        body = render_to_string("appointments/booking/email/booking_body.txt", context)
        calendar = calendar_file(booking, language, cancelled=kind == Kind.CANCELLED)
    return _store(
        _key(booking, kind), booking=booking, kind=kind, to=request.email, language=language,
        subject=subject, body=body, calendar=calendar,
    )  # fmt: skip


def write_offer(entry: WaitingListEntry, held: Booking) -> BookingMessage:
    with translation.override(entry.language):
        clinic = clinic_for_pages()
        context = {
            "kind": Kind.OFFER,
            "first_name": entry.first_name,
            "when": when_words(held.starts_at),
            "visit": held.visit_type.in_language(entry.language) or held.visit_type,
            "clinician": held.clinician,
            "clinic": clinic.in_language(entry.language) if clinic else None,
            "address": clinic_address(clinic) if clinic else "",
            "offer_url": absolute(reverse("appointments:offer", args=[offer_token(entry, held)])),
            "held_until": dateformat.format(timezone.localtime(held.held_for_offer_until), _("l j F \\a\\t g:i A")),
        }
        subject = SUBJECTS[Kind.OFFER]() % {"when": context["when"]}
        body = render_to_string("appointments/booking/email/booking_body.txt", context)
    key = offer_key_prefix(held.clinician_id, held.starts_at) + f"w{entry.pk}"
    return _store(key, waiting=entry, kind=Kind.OFFER, to=entry.email, language=entry.language,
                  subject=subject, body=body)  # fmt: skip


def write_reminder(booking_id: int, starts_at_iso: str) -> BookingMessage | None:
    """The reminder for the booking's time named: none for a booking cancelled or moved since."""
    booking = Booking.objects.select_related("request", "visit_type", "clinician").filter(pk=booking_id).first()
    if booking is None or booking.status != Booking.Status.BOOKED or booking.request is None:
        return None
    if booking.starts_at != datetime.datetime.fromisoformat(starts_at_iso) or booking.starts_at <= timezone.now():
        return None
    return write(booking, Kind.REMINDER)


def _claim(message_id: int) -> bool:
    now = timezone.now()
    lease = now + datetime.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    free = Q(sending_until__isnull=True) | Q(sending_until__lt=now)
    return bool(BookingMessage.objects.filter(free, pk=message_id, sent_at__isnull=True).update(sending_until=lease))


def send(message_id: int) -> bool:
    """Sends one booking e-mail unless it was sent already; True when it has been. Claimed with a
    lease (two workers never both send it; no row lock while the mail server talks)."""
    if not _claim(message_id):
        return not BookingMessage.objects.filter(pk=message_id, sent_at__isnull=True).exists()
    message = BookingMessage.objects.get(pk=message_id)
    email = EmailMessage(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to])
    clinic = clinic_for_pages()
    if clinic:
        email.reply_to = [clinic.email]
    if message.calendar:
        method = "CANCEL" if message.kind == Kind.CANCELLED else "PUBLISH"
        email.attach("appointment.ics", message.calendar.encode(), f"text/calendar; method={method}; charset=utf-8")
    try:
        email.send(fail_silently=False)
    except Exception as error:  # the kind only: a mail server's text can quote the address
        logger.warning("Booking e-mail %s not sent: %s", message_id, type(error).__name__)
        BookingMessage.objects.filter(pk=message_id).update(
            sending_until=None,
            attempts=message.attempts + 1,
            problem=f"{type(error).__name__} ({timezone.now():%Y-%m-%d %H:%M})",
        )
        return False
    BookingMessage.objects.filter(pk=message_id).update(sent_at=timezone.now(), sending_until=None, problem="")
    return True
