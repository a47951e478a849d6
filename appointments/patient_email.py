"""E-mails the front desk sends a patient from a request's page (the clinic's templates, kept in
the admin), and the calendar file (.ics, by icalendar) that comes with an appointment's
confirmation. Only what the template says and the clinic's details: nothing medical, and of
the patient only the first name."""

import datetime
import logging
import string
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from treatments.context_processors import clinic_for_pages

from .models import MessageTemplate, PatientMessage

logger = logging.getLogger(__name__)


def placeholders_in(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


def check_template_text(text: str) -> None:
    """A form error for anything in braces that the site does not fill in (a typo)."""
    try:
        names = placeholders_in(text)
    except ValueError as error:
        raise ValidationError(_("A brace is not closed: write {first_name}, for example (%s).") % error) from error
    unknown = sorted(names - set(MessageTemplate.PLACEHOLDERS))
    if unknown:
        known = ", ".join(f"{{{name}}}" for name in MessageTemplate.PLACEHOLDERS)
        raise ValidationError(
            _("%(unknown)s is not filled in by the site. Use only: %(known)s.")
            % {"unknown": ", ".join(f"{{{name}}}" for name in unknown), "known": known}
        )


def appointment_words(when: datetime.datetime | None) -> str:
    """The appointment's day and time in the active language ("Thursday 3 December 2026 at 10:00 AM")."""
    if when is None:
        return _("(no appointment recorded)")
    return dateformat.format(timezone.localtime(when), _("l j F Y \\a\\t g:i A"))


def clinic_address(clinic) -> str:
    parts = [clinic.street_address, clinic.address_note, f"{clinic.city}, {clinic.region} {clinic.postal_code}"]
    return ", ".join(part for part in parts if part)


def render_message(template: MessageTemplate, appointment, appointment_at=None) -> tuple[str, str]:
    """The template's subject and text for this patient, filled in, in the request's language."""
    with translation.override(appointment.language):
        return _render_message(template, appointment, appointment_at)


def _render_message(template: MessageTemplate, appointment, appointment_at=None) -> tuple[str, str]:
    clinic = clinic_for_pages()
    values = {
        "first_name": appointment.first_name,
        "appointment": appointment_words(appointment_at or appointment.appointment_at),
        "clinic_name": clinic.name if clinic else "",
        "clinic_phone": clinic.phone if clinic else "",
        "clinic_address": clinic_address(clinic) if clinic else "",
    }
    return template.subject.format(**values), template.body.format(**values)


def calendar_file(message: PatientMessage) -> bytes:
    """The appointment as an iCalendar event: its time, the clinic's name, address and phone.
    The same UID for every confirmation of one request, so a moved appointment replaces the
    event in the patient's calendar instead of adding a second one."""
    clinic = clinic_for_pages()
    # The site's configured domain (DJANGO_SITE_URL), never the address a request came in on.
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    minutes = clinic.visit_minutes if clinic and clinic.visit_minutes else settings.APPOINTMENT_VISIT_MINUTES
    calendar = Calendar()
    calendar.add("prodid", "-//mesoclinic//appointment//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-request-{message.request_id}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", message.appointment_at)
    event.add("dtend", message.appointment_at + datetime.timedelta(minutes=minutes))
    event.add("summary", _("Appointment at %s") % clinic.name if clinic else _("Appointment"))
    if clinic:
        event.add("location", clinic_address(clinic))
        event.add("description", _("To change or cancel it, call %s.") % clinic.phone)
    event.add("sequence", int(timezone.now().timestamp()))  # a later confirmation supersedes
    calendar.add_component(event)
    return calendar.to_ical()


def _claim(message_id: int) -> bool:
    now = timezone.now()
    lease = now + datetime.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    free = Q(sending_until__isnull=True) | Q(sending_until__lt=now)
    return bool(PatientMessage.objects.filter(free, pk=message_id, sent_at__isnull=True).update(sending_until=lease))


def send(message_id: int) -> bool:
    """Sends one queued e-mail unless it was sent already; True when it has been. Claimed with a
    lease (no row lock while the mail server talks), recorded as sent the moment it accepts."""
    if not _claim(message_id):
        return not PatientMessage.objects.filter(pk=message_id, sent_at__isnull=True).exists()
    message = PatientMessage.objects.select_related("request").get(pk=message_id)
    email = EmailMessage(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.request.email])
    clinic = clinic_for_pages()
    if clinic:
        email.reply_to = [clinic.email]
    if message.appointment_at:
        with translation.override(message.request.language):  # the event's words, in the patient's language
            ics = calendar_file(message)
        email.attach("appointment.ics", ics, "text/calendar; method=PUBLISH; charset=utf-8")
    try:
        email.send(fail_silently=False)
    except Exception as error:  # the kind only: a mail server's text can quote the address
        logger.warning("E-mail to the patient of request %s not sent: %s", message.request_id, type(error).__name__)
        PatientMessage.objects.filter(pk=message_id).update(
            sending_until=None,
            attempts=message.attempts + 1,
            problem=f"{type(error).__name__} ({timezone.now():%Y-%m-%d %H:%M})",
        )
        return False
    PatientMessage.objects.filter(pk=message_id).update(sent_at=timezone.now(), sending_until=None, problem="")
    return True
