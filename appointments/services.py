"""Operations that write appointment requests; views and commands call these, nothing else writes."""

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from treatments.models import Treatment

from . import audit
from .models import AppointmentRequest, ContactAttempt
from .tasks import deliver_request_notifications


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
) -> tuple[AppointmentRequest, bool]:
    """Stores a patient's request once per form token and queues its notifications with it.

    Returns the request and whether it was new: a second press of Send (same token) returns the
    first request unchanged. The notification task is stored in the same transaction, so a stored
    request always has its mail queued, and the worker sends it; nothing here talks to a mail server.
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
    )
    # The database guards the token, under concurrency too. The treatment came from the database
    # a moment ago (the form's choice): no need to ask again.
    appointment.full_clean(exclude=["treatment"], validate_unique=False)
    try:
        with transaction.atomic():
            appointment.save()
            deliver_request_notifications.enqueue(appointment.pk)
    except IntegrityError:
        # Usually a second press of Send: the first request stands, and nothing was half-saved.
        first = AppointmentRequest.objects.filter(submission_token=submission_token).first()
        if first is None:
            raise
        return first, False
    return appointment, True


@transaction.atomic
def appointment_request_set_status(*, appointment: AppointmentRequest, status: str, changed_by) -> None:
    """Moves a request to a new status, recording who did it and when (no-op if unchanged)."""
    if appointment.status == status:
        return
    appointment.status = status
    appointment.status_changed_at = timezone.now()
    appointment.status_changed_by = changed_by
    fields = ["status", "status_changed_at", "status_changed_by"]
    if status == AppointmentRequest.Status.CONTACTED and appointment.first_contacted_at is None:
        appointment.first_contacted_at = appointment.status_changed_at  # contacted without a logged attempt
        fields.append("first_contacted_at")
    appointment.full_clean(validate_unique=False)
    appointment.save(update_fields=fields)


@transaction.atomic
def appointment_requests_purge(*, older_than_days: int) -> int:
    """Deletes closed and declined requests received more than `older_than_days` days ago, and
    clears patients' names from admin history entries written before requests were named by
    number. Returns how many requests were deleted."""
    deleted = (
        AppointmentRequest.objects.past_retention(older_than_days).delete()[1].get(AppointmentRequest._meta.label, 0)
    )
    audit.name_requests_by_number_only()
    return deleted


@transaction.atomic
def contact_attempt_record(
    *, appointment: AppointmentRequest, made_by, method: str, outcome: str, note: str = ""
) -> ContactAttempt:
    """Adds an attempt to the request's contact log. The first attempt is the request's first
    contact (for the response-time figures); reaching the patient moves a new request to
    "contacted"."""
    attempt = ContactAttempt(request=appointment, made_by=made_by, method=method, outcome=outcome, note=note)
    attempt.full_clean()
    attempt.save()
    if appointment.first_contacted_at is None:
        appointment.first_contacted_at = attempt.made_at
        appointment.save(update_fields=["first_contacted_at"])
    if outcome == ContactAttempt.Outcome.REACHED and appointment.status == AppointmentRequest.Status.NEW:
        appointment_request_set_status(
            appointment=appointment, status=AppointmentRequest.Status.CONTACTED, changed_by=made_by
        )
    return attempt


@transaction.atomic
def appointment_request_merge(*, duplicate: AppointmentRequest, original: AppointmentRequest, changed_by) -> None:
    """Closes `duplicate` as a repeat of `original`, which stays open."""
    if duplicate.pk == original.pk:
        raise ValueError("a request cannot be a duplicate of itself")
    duplicate.duplicate_of = original
    duplicate.save(update_fields=["duplicate_of"])
    appointment_request_set_status(
        appointment=duplicate, status=AppointmentRequest.Status.CLOSED, changed_by=changed_by
    )
