"""The audit trail of staff access to appointment requests, kept by django-auditlog: each view,
change and export, by whom, when and from which address (the same client address as the rate
limits). Entries name a request by its number only; a note's text is never copied into them,
so nothing of the patient outlives `purge_requests`."""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType

from sitewide.client_address import client_address

from .booking.models import Booking, WaitingListEntry
from .models import AppointmentRequest, QueueView

TRACKED_FIELDS = ["status", "staff_notes", "assigned_to", "appointment_at"]
MASKED_FIELDS = ["staff_notes"]


def mask_value(value) -> str:
    """What the trail keeps of a masked field: that it changed, not what it says."""
    return "(not recorded)"


BOOKING_FIELDS = ["status", "starts_at", "clinician", "visit_type"]


def register() -> None:
    auditlog.register(AppointmentRequest, include_fields=TRACKED_FIELDS, mask_fields=MASKED_FIELDS)
    auditlog.register(Booking, include_fields=BOOKING_FIELDS)
    auditlog.register(WaitingListEntry, include_fields=["status"])


def record_view(appointment: AppointmentRequest | Booking | WaitingListEntry, view: str = "") -> None:
    extra = {"view": view} if view else None
    LogEntry.objects.log_create(appointment, force_log=True, action=LogEntry.Action.ACCESS, additional_data=extra)


def record_list(request, shown: list[int], searched: bool, exported: str = "") -> None:
    """One entry for a view of the queue, or an export: who, when, from where, whether it was a
    search, and which requests it showed, by number (never the words searched for)."""
    QueueView.objects.create(
        user=request.user if request.user.is_authenticated else None,
        address=client_address(request) or None,
        searched=searched,
        exported=exported,
        shown=shown,
    )


def record_export(request, appointments, export: str) -> None:
    """One entry for a whole export, naming its requests by number, before the file starts."""
    record_list(request, list(appointments.order_by("pk").values_list("pk", flat=True)), False, exported=export)


def name_requests_by_number_only() -> int:
    """Rewrites the admin's own history entries written before requests were named by number
    (they held the patient's name). Returns how many were rewritten."""
    content_type = ContentType.objects.get_for_model(AppointmentRequest)
    rewritten = 0
    for entry in AdminLogEntry.objects.filter(content_type=content_type).exclude(object_repr__startswith="Request #"):
        entry.object_repr = f"Request #{entry.object_id}"
        entry.save(update_fields=["object_repr"])
        rewritten += 1
    return rewritten
