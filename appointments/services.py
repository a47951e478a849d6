"""Operations that write appointment requests; views and commands call these, nothing else writes."""

import datetime
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sitewide.logs import current_request_id
from sitewide.metrics import REQUESTS_STORED
from treatments.models import Treatment

from . import audit
from .booking.models import Booking, WaitingListEntry
from .models import AppointmentRequest, ContactAttempt, MessageTemplate, PatientMessage
from .newsletter.models import Source
from .newsletter.services import SIGN_UP_HELP, SIGN_UP_LABEL, subscriber_sign_up
from .patient_email import render_message
from .response_time import response_due
from .tasks import deliver_request_notifications, send_patient_message

# What staff change on a request's page, or in the queue's rows: each change is versioned.
STAFF_FIELDS = ["status", "assigned_to", "staff_notes", "appointment_at", "duplicate_of"]


class StaleRequest(Exception):
    """The request was changed by someone else after this version of it was opened."""

    def __init__(self, current: AppointmentRequest):
        super().__init__(f"{current} changed meanwhile")
        self.current = current


def appointment_request_lock(*, appointment: AppointmentRequest, opened_version: int) -> AppointmentRequest:
    """The request as it is now, locked until the surrounding transaction ends, if it is still the
    version a member of staff opened; otherwise StaleRequest, carrying the request as it is now.
    The one lost-update check: the admin's forms ask it while they validate, and every staff write
    below asks it again in its own transaction (the admin saves form and write in one)."""
    current = (
        AppointmentRequest.objects.select_for_update(of=("self",))
        .select_related("changed_by", "assigned_to")
        .get(pk=appointment.pk)
    )
    if current.version != opened_version:
        raise StaleRequest(current)
    return current


def appointment_request_create(
    *,
    first_name: str,
    last_name: str,
    city: str,
    state: str,
    email: str,
    phone,
    contact_preference: str,
    submission_token: uuid.UUID,
    newsletter: bool = False,
    purpose: str = "",
    treatment: Treatment | None = None,
    comments: str = "",
    sent_quickly: bool = False,
    client_address: str | None = None,
    call_language: str = settings.LANGUAGE_CODE,
    call_language_other: str = "",
    language: str = settings.LANGUAGE_CODE,
) -> tuple[AppointmentRequest, bool]:
    """Stores a patient's request once per form token and queues its notifications with it.

    Returns the request and whether it was new: a second press of Send (same token) returns the
    first request unchanged. The notification task is stored in the same transaction, so a stored
    request always has its mail queued, and the worker sends it; nothing here talks to a mail server.
    A ticked newsletter box signs the address up in the same transaction (pending until its
    owner confirms from the e-mail; appointments.newsletter).
    """
    appointment = AppointmentRequest(
        first_name=first_name,
        last_name=last_name,
        city=city,
        state=state,
        email=email,
        phone=phone,
        contact_preference=contact_preference,
        newsletter=newsletter,
        purpose=purpose,
        treatment=treatment,
        comments=comments,
        submission_token=submission_token,
        sent_quickly=sent_quickly,
        call_language=call_language,
        call_language_other=call_language_other,
        language=language,
    )
    appointment.answer_due_at = response_due(appointment.received_at)
    # The database guards the token, under concurrency too. The treatment came from the database
    # a moment ago (the form's choice): no need to ask again.
    appointment.full_clean(exclude=["treatment"], validate_unique=False)
    try:
        with transaction.atomic():
            appointment.save()
            deliver_request_notifications.enqueue(appointment.pk, request_id=current_request_id())
            if newsletter:
                subscriber_sign_up(
                    email=email,
                    source=Source.REQUEST_FORM,
                    words=f"{SIGN_UP_LABEL}. {SIGN_UP_HELP}",
                    client_address=client_address,
                    language=language,
                )
    except IntegrityError:
        # Usually a second press of Send: the first request stands, and nothing was half-saved.
        first = AppointmentRequest.objects.filter(submission_token=submission_token).first()
        if first is None:
            raise
        return first, False
    REQUESTS_STORED.inc()
    return appointment, True


@transaction.atomic
def appointment_request_change(
    *, appointment: AppointmentRequest, opened_version: int, changed_by, **changes
) -> AppointmentRequest:
    """Applies what a member of staff changed (any of STAFF_FIELDS) in one write, only if the
    request is still the version she opened; otherwise raises StaleRequest and writes nothing.
    The row is locked from the check to the write, so two saves never both pass. A new status
    records who and when; a duplicate is closed; returns the request as saved."""
    unknown = set(changes) - set(STAFF_FIELDS)
    if unknown:
        raise ValueError(f"not a staff field: {', '.join(sorted(unknown))}")
    current = appointment_request_lock(appointment=appointment, opened_version=opened_version)
    fields = {name for name, value in changes.items() if getattr(current, name) != value}
    if not fields:
        return current
    for name in fields:
        setattr(current, name, changes[name])
    if "duplicate_of" in fields and current.duplicate_of is not None:
        if current.duplicate_of.pk == current.pk:
            raise ValueError("a request cannot be a duplicate of itself")
        current.status = AppointmentRequest.Status.CLOSED
        fields.add("status")
    if "status" in fields:
        fields |= _status_moved(current, changed_by)
    _validate_written(current, fields)
    _versioned_save(current, fields, changed_by)
    return current


def _validate_written(appointment: AppointmentRequest, fields) -> None:
    """Checks the fields this write changes, and only those: what the patient sent long ago under
    other rules (an address today's validator refuses) must never stop staff working the request."""
    names = {field.name for field in AppointmentRequest._meta.concrete_fields}
    appointment.full_clean(exclude=sorted(names - set(fields)), validate_unique=False, validate_constraints=False)


def _status_moved(appointment: AppointmentRequest, changed_by) -> set[str]:
    appointment.status_changed_at = timezone.now()
    appointment.status_changed_by = changed_by
    fields = {"status_changed_at", "status_changed_by"}
    if appointment.status == AppointmentRequest.Status.CONTACTED and appointment.first_contacted_at is None:
        appointment.first_contacted_at = appointment.status_changed_at  # contacted without a logged attempt
        fields.add("first_contacted_at")
    return fields


def _versioned_save(appointment: AppointmentRequest, fields, changed_by) -> None:
    appointment.version = F("version") + 1
    appointment.changed_at = timezone.now()
    appointment.changed_by = changed_by
    appointment.save(update_fields=[*fields, "version", "changed_at", "changed_by"])
    appointment.refresh_from_db(fields=["version"])


@transaction.atomic
def appointment_request_set_status(*, appointment: AppointmentRequest, status: str, changed_by) -> None:
    """Moves a request to a new status, recording who did it and when (no-op if unchanged)."""
    if appointment.status == status:
        return
    appointment.status = status
    fields = {"status"} | _status_moved(appointment, changed_by)
    _validate_written(appointment, fields)
    _versioned_save(appointment, fields, changed_by)


@transaction.atomic
def appointment_requests_purge(*, older_than_days: int) -> int:
    """Deletes closed and declined requests received more than `older_than_days` days ago, and
    clears patients' names from admin history entries written before requests were named by
    number. Returns how many requests were deleted."""
    deleted = (
        AppointmentRequest.objects.past_retention(older_than_days).delete()[1].get(AppointmentRequest._meta.label, 0)
    )
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    # The waiting list's names and addresses, and the times once held for them, go after as long.
    WaitingListEntry.objects.filter(joined_at__lt=cutoff).delete()
    Booking.objects.filter(request=None, starts_at__lt=cutoff).delete()
    audit.name_requests_by_number_only()
    return deleted


@transaction.atomic
def contact_attempt_record(
    *,
    appointment: AppointmentRequest,
    made_by,
    method: str,
    outcome: str,
    note: str = "",
    call_back_at=None,
) -> ContactAttempt:
    """Adds an attempt to the request's contact log. Attempts never conflict with other changes:
    they are added, not edited, and change no staff field except the status below. The first
    attempt is the request's first contact (for the response-time figures); reaching the patient
    moves a new request to "contacted". The attempt's call-back time (or none) becomes the
    request's: it leaves the worklist until then."""
    attempt = ContactAttempt(
        request=appointment, made_by=made_by, method=method, outcome=outcome, note=note, call_back_at=call_back_at
    )
    attempt.full_clean()
    attempt.save()
    updates = {"call_back_at": call_back_at}
    if appointment.first_contacted_at is None:
        updates["first_contacted_at"] = attempt.made_at
    AppointmentRequest.objects.filter(pk=appointment.pk).update(**updates)
    for name, value in updates.items():
        setattr(appointment, name, value)
    if outcome == ContactAttempt.Outcome.REACHED and appointment.status == AppointmentRequest.Status.NEW:
        appointment_request_set_status(
            appointment=appointment, status=AppointmentRequest.Status.CONTACTED, changed_by=made_by
        )
    return attempt


@transaction.atomic
def patient_email_send(
    *, appointment: AppointmentRequest, template: MessageTemplate, sent_by, appointment_at=None
) -> PatientMessage:
    """Queues an e-mail to the patient from one of the clinic's templates, with its line in the
    contact log, in one transaction; the worker sends it once (tasks.send_patient_message). An
    appointment confirmation carries the appointment's calendar file."""
    subject, body = render_message(template, appointment, appointment_at=appointment_at)
    message = PatientMessage.objects.create(
        request=appointment,
        template=template,
        subject=subject,
        body=body,
        appointment_at=appointment_at if template.confirms_appointment else None,
        queued_by=sent_by,
    )
    contact_attempt_record(
        appointment=appointment,
        made_by=sent_by,
        method=ContactAttempt.Method.EMAIL,
        outcome=ContactAttempt.Outcome.SENT,
        note=str(template)[:300],
        call_back_at=appointment.call_back_at,
    )
    send_patient_message.enqueue(message.pk, request_id=current_request_id())
    return message


@transaction.atomic
def appointment_request_merge(*, duplicate: AppointmentRequest, original: AppointmentRequest, changed_by) -> None:
    """Closes `duplicate` as a repeat of `original`, which stays open."""
    if duplicate.pk == original.pk:
        raise ValueError("a request cannot be a duplicate of itself")
    duplicate.duplicate_of = original
    fields = {"duplicate_of"}
    if duplicate.status != AppointmentRequest.Status.CLOSED:
        duplicate.status = AppointmentRequest.Status.CLOSED
        fields |= {"status"} | _status_moved(duplicate, changed_by)
    _versioned_save(duplicate, fields, changed_by)
