"""Operations that write appointment requests; views and commands call these, nothing else writes."""

import uuid
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from treatments.models import Treatment

from .models import AppointmentRequest
from .notifications import send_request_notifications


@transaction.atomic
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
) -> tuple[AppointmentRequest, bool]:
    """Stores a patient's request once per form token and queues its notifications after commit.

    Returns the request and whether it was new: a second press of Send (same token) returns the
    first request unchanged. Mail goes out only once the request is safely committed.
    """
    existing = AppointmentRequest.objects.filter(submission_token=submission_token).first()
    if existing is not None:
        return existing, False
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
    )
    appointment.full_clean(validate_unique=False)  # the database guards the token under concurrency
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError:
        return AppointmentRequest.objects.get(submission_token=submission_token), False
    transaction.on_commit(partial(send_request_notifications, appointment.pk))
    return appointment, True


@transaction.atomic
def appointment_request_set_status(*, appointment: AppointmentRequest, status: str, changed_by) -> None:
    """Moves a request to a new status, recording who did it and when (no-op if unchanged)."""
    if appointment.status == status:
        return
    appointment.status = status
    appointment.status_changed_at = timezone.now()
    appointment.status_changed_by = changed_by
    appointment.full_clean(validate_unique=False)
    appointment.save(update_fields=["status", "status_changed_at", "status_changed_by"])


def appointment_requests_purge(*, older_than_days: int) -> int:
    """Deletes closed and declined requests received more than `older_than_days` days ago."""
    deleted, _per_model = AppointmentRequest.objects.past_retention(older_than_days).delete()
    return deleted
