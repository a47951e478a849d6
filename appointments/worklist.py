"""What the front desk's worklist says of each request: why it is there and by when (overdue by
3 h, due by 5:00 PM, call back at 2:30 PM), in the clinic's time zone. The order and the counts
are the database's (AppointmentRequestQuerySet.to_do, with_next_step, worklist_counts)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Status


def duration_words(delta: datetime.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return _("%d min") % max(minutes, 1)
    if minutes < 48 * 60:
        return _("%d h") % (minutes // 60)
    return _("%d days") % (minutes // (24 * 60))


def when_words(moment: datetime.datetime, now: datetime.datetime) -> str:
    """'2:30 PM' today, 'Tue 1 Dec, 2:30 PM' another day."""
    local, today = timezone.localtime(moment), timezone.localtime(now).date()
    if local.date() == today:
        return f"{local:%-I:%M %p}"
    return f"{local:%a %-d %b, %-I:%M %p}"


def next_step_words(appointment, now=None) -> tuple[str, bool]:
    """Why the request is (or is not) on the worklist, and whether it is overdue."""
    now = now or timezone.now()
    if appointment.status in (Status.DECLINED, Status.CLOSED):
        return appointment.get_status_display(), False
    if appointment.status == Status.SCHEDULED:
        if appointment.appointment_at is None:
            return _("Scheduled, with no appointment time: record it"), True
        if appointment.appointment_at <= now:
            return _("Appointment was %s: close the request, or book again") % when_words(
                appointment.appointment_at, now
            ), True
        return _("Appointment %s") % when_words(appointment.appointment_at, now), False
    if appointment.call_back_at is not None:
        if appointment.call_back_at <= now:
            late = now - appointment.call_back_at
            return _("Call back: was due at %(when)s (%(late)s ago)") % {
                "when": when_words(appointment.call_back_at, now),
                "late": duration_words(late),
            }, late > datetime.timedelta(minutes=15)
        return _("Call back at %s") % when_words(appointment.call_back_at, now), False
    if appointment.status == Status.NEW and appointment.first_contacted_at is None:
        due = appointment.answer_due_at
        if due is None:
            return _("New: waiting %s (no answer time: opening hours not recorded)") % duration_words(
                now - appointment.received_at
            ), False
        if due <= now:
            return _("Overdue by %s") % duration_words(now - due), True
        return _("Due by %s") % when_words(due, now), False
    if appointment.status == Status.NEW:
        return _("Tried, not reached yet: try again"), False
    return _("Contacted: book the appointment or close"), False
