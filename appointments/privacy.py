"""Patients' privacy rights: find everything the site holds about a person by their e-mail
address or phone number, export it for them, or erase it.

What matches: appointment requests with that e-mail (any case) or phone, with their contact
log and the e-mails staff sent from them; page comments whose words contain the address or
the number; the newsletter subscriber with that address and every consent record for it (those
hold the address as its keyed hash). Erasing deletes the requests, their log and e-mails, the
comments and the subscriber in one transaction; consent records lose the network address they
came from and keep only the keyed hash, what happened and when; and the address joins the
suppression list, so it is never mailed again. Every search, export and erasure is recorded
(PrivacyRecord) with who, when and how many rows, never with what was searched for."""

import io
import json
import re
import zipfile
from dataclasses import dataclass, field

import phonenumbers
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from sitewide.client_address import client_address

from .booking.models import Booking, BookingMessage, WaitingListEntry
from .models import AppointmentRequest, ContactAttempt, PageComment, PatientMessage, PrivacyRecord
from .newsletter.addresses import address_hash, normalised
from .newsletter.models import ConsentEvent, NewsletterDelivery, Source, Subscriber, SuppressedAddress


def phone_number(text: str):
    """The whole number in E.164, or None when the text is not one: a number without its area code
    ("555-0181") is only possible locally and could be anyone's, so it is not a person's number."""
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    whole = phonenumbers.is_possible_number_with_reason(number) == phonenumbers.ValidationResult.IS_POSSIBLE
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if whole else None


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


SINGULAR_AND_PLURAL = {
    "appointment requests": ("appointment request", "appointment requests"),
    "contact attempts": ("contact attempt", "contact attempts"),
    "e-mails to the patient": ("e-mail to the patient", "e-mails to the patient"),
    "page comments": ("page comment", "page comments"),
    "newsletter subscribers": ("newsletter sign-up", "newsletter sign-ups"),
    "consent records": ("consent record", "consent records"),
    "bookings": ("booking", "bookings"),
    "e-mails about bookings": ("e-mail about a booking", "e-mails about bookings"),
    "waiting list entries": ("waiting list entry", "waiting list entries"),
}


@dataclass
class Found:
    emails: list[str]
    phones: list[str]
    addresses: list[str] = field(default_factory=list)  # searched for, and on the requests found
    requests: list = field(default_factory=list)
    attempts: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    subscribers: list = field(default_factory=list)
    consent: list = field(default_factory=list)
    bookings: list = field(default_factory=list)
    booking_messages: list = field(default_factory=list)
    waiting: list = field(default_factory=list)

    def counts(self) -> dict:
        return {
            "appointment requests": len(self.requests),
            "contact attempts": len(self.attempts),
            "e-mails to the patient": len(self.messages),
            "page comments": len(self.comments),
            "newsletter subscribers": len(self.subscribers),
            "consent records": len(self.consent),
            "bookings": len(self.bookings),
            "e-mails about bookings": len(self.booking_messages),
            "waiting list entries": len(self.waiting),
        }

    def in_words(self, only_found=False) -> list[str]:
        """ "2 appointment requests", "1 contact attempt"…: for staff, in the same order as counts()."""
        words = []
        for kind, number in self.counts().items():
            if number or not only_found:
                singular, plural = SINGULAR_AND_PLURAL[kind]
                words.append(f"{number} {singular if number == 1 else plural}")
        return words

    @property
    def anything(self) -> bool:
        return any(self.counts().values())


def find(*, email: str = "", phone: str = "") -> Found:
    """Everything that matches the e-mail address or the phone number. The addresses on the
    requests found count as the person's too: a search by phone also finds the newsletter
    sign-up, consent records and comments of the address she gave on her request."""
    emails = [normalised(email)] if email.strip() else []
    phones = [number] if phone.strip() and (number := phone_number(phone)) else []
    found = Found(emails=emails, phones=phones)
    if not (emails or phones):
        return found
    by_person = AppointmentRequest.objects.none()
    for address in emails:
        by_person = by_person | AppointmentRequest.objects.filter(email__iexact=address)
    for number in phones:
        by_person = by_person | AppointmentRequest.objects.filter(phone=number)
    found.requests = list(by_person.select_related("treatment").order_by("received_at"))
    found.attempts = list(ContactAttempt.objects.filter(request__in=found.requests).select_related("made_by"))
    found.messages = list(PatientMessage.objects.filter(request__in=found.requests))
    found.addresses = sorted({*emails, *(normalised(request.email) for request in found.requests)})
    # Comments hold no address field: one that quotes an address or the number matches.
    comments = PageComment.objects.none()
    for address in found.addresses:
        comments = comments | PageComment.objects.filter(text__icontains=address)
    national_numbers = [_digits(str(phonenumbers.parse(number).national_number)) for number in phones]
    for national in national_numbers:
        comments = comments | PageComment.objects.filter(text__contains=national[-4:])
    found.comments = [
        comment
        for comment in comments.select_related("rated_page__page").order_by("created_at")
        if any(address in comment.text.lower() for address in found.addresses)
        or any(national in _digits(comment.text) for national in national_numbers)
    ]
    hashes = [address_hash(address) for address in found.addresses]
    found.subscribers = list(Subscriber.objects.filter(address_hash__in=hashes))
    found.consent = list(ConsentEvent.objects.filter(address_hash__in=hashes).select_related("wording").order_by("at"))
    found.bookings = list(
        Booking.objects.filter(request__in=found.requests)
        .select_related("visit_type", "clinician")
        .order_by("starts_at")
    )
    waiting = WaitingListEntry.objects.none()
    for address in found.addresses:
        waiting = waiting | WaitingListEntry.objects.filter(email__iexact=address)
    found.waiting = list(waiting.select_related("visit_type").order_by("joined_at"))
    found.booking_messages = list(
        BookingMessage.objects.filter(Q(booking__in=found.bookings) | Q(waiting__in=found.waiting)).order_by(
            "queued_at"
        )
    )
    return found


def record(request, action: str, found: Found) -> None:
    PrivacyRecord.objects.create(
        user=request.user, address=client_address(request) or None, action=action, rows=found.counts()
    )


def _value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _when(value):
    """In the clinic's time, to the minute: easy to read, and sorts as text."""
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else None


def _email(message) -> dict:
    """An e-mail the clinic sent the person (about a request or a booking)."""
    return {
        "queued": _when(message.queued_at),
        "sent": _when(message.sent_at) or "",
        "subject": message.subject,
        "text": message.body,
    }


def as_data(found: Found) -> dict:
    """Everything found, as plain data: what the JSON file holds and the readable page shows."""
    return {
        "searched_for": {"e-mail": ", ".join(found.emails), "phone": ", ".join(found.phones)},
        "exported_at": _when(timezone.now()),
        "appointment_requests": [
            {
                "number": request.pk,
                "received": _when(request.received_at),
                "details": {
                    **{
                        str(AppointmentRequest._meta.get_field(name).verbose_name): _value(getattr(request, name))
                        for name in AppointmentRequest.PATIENT_FIELDS
                    },
                    "status": request.get_status_display(),
                    "appointment": _when(request.appointment_at) or "",
                    "staff notes": request.staff_notes,
                },
                "contact_attempts": [
                    {
                        "when": _when(attempt.made_at),
                        "how": attempt.get_method_display(),
                        "outcome": attempt.get_outcome_display(),
                        "note": attempt.note,
                    }
                    for attempt in found.attempts
                    if attempt.request_id == request.pk
                ],
                "emails_sent": [_email(message) for message in found.messages if message.request_id == request.pk],
            }
            for request in found.requests
        ],
        "bookings": [
            {
                "number": booking.pk,
                "request": booking.request_id,
                "visit": booking.visit_type.name,
                "with": str(booking.clinician),
                "starts": _when(booking.starts_at),
                "ends": _when(booking.ends_at),
                "status": booking.get_status_display(),
                "made": _when(booking.made_at),
            }
            for booking in found.bookings
        ],
        "emails_about_bookings": [_email(message) for message in found.booking_messages],
        "waiting_list": [
            {
                "visit": entry.visit_type.name,
                "first name": entry.first_name,
                "e-mail": entry.email,
                "joined": _when(entry.joined_at),
                "status": entry.get_status_display(),
            }
            for entry in found.waiting
        ],
        "page_comments": [
            {"sent": _when(comment.created_at), "page": str(comment.rated_page.page), "comment": comment.text}
            for comment in found.comments
        ],
        "newsletter_subscription": [
            {
                "e-mail": subscriber.email,
                "status": subscriber.get_status_display(),
                "signed up on": subscriber.get_source_display(),
                "asked": _when(subscriber.asked_at),
                "confirmed": _when(subscriber.confirmed_at) or "",
            }
            for subscriber in found.subscribers
        ],
        "newsletter_consent_records": [
            {
                "when": _when(event.at),
                "what": event.get_kind_display(),
                "where": str(dict(Source.choices).get(event.source, event.source)),
                "words": event.wording.text if event.wording else "",
                "from_address": event.client_address or "",
            }
            for event in found.consent
        ],
    }


def export_file(found: Found, clinic=None) -> bytes:
    """One ZIP file to hand to the person: their data as JSON, and the same as a readable page."""
    data = as_data(found)
    page = render_to_string("admin/privacy/export.html", {"data": data, "clinic": clinic})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("your-data.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("your-data.html", page)
    return buffer.getvalue()


@transaction.atomic
def erase(found: Found) -> dict:
    """Deletes or anonymises everything found, all or nothing; returns how many rows of each."""
    counts = found.counts()
    request_ids = [request.pk for request in found.requests]
    PatientMessage.objects.filter(request_id__in=request_ids).delete()
    # Bookings go with their request (and their e-mails with them); a time to come is freed.
    BookingMessage.objects.filter(Q(booking__request_id__in=request_ids) | Q(waiting__in=found.waiting)).delete()
    Booking.objects.filter(request_id__in=request_ids).delete()
    WaitingListEntry.objects.filter(pk__in=[entry.pk for entry in found.waiting]).delete()
    ContactAttempt.objects.filter(request_id__in=request_ids).delete()
    # A request merged into another keeps pointing at nothing rather than at the person.
    AppointmentRequest.objects.filter(duplicate_of_id__in=request_ids).update(duplicate_of=None)
    AppointmentRequest.objects.filter(pk__in=request_ids).delete()
    PageComment.objects.filter(pk__in=[comment.pk for comment in found.comments]).delete()
    hashes = [address_hash(address) for address in found.addresses]
    Subscriber.objects.filter(address_hash__in=hashes).delete()
    # Consent records are kept as proof (never edited otherwise): only where they came from goes.
    ConsentEvent.objects.filter(address_hash__in=hashes).update(client_address=None)
    NewsletterDelivery.objects.filter(address_hash__in=hashes, state=NewsletterDelivery.State.WAITING).update(
        state=NewsletterDelivery.State.SKIPPED
    )
    for digest in hashes:
        SuppressedAddress.objects.get_or_create(
            address_hash=digest, defaults={"reason": SuppressedAddress.Reason.ERASED}
        )
    return counts
