"""E-mail about appointment requests: an alert to staff without patient details, and a short
confirmation to patients who asked to be contacted by e-mail. The worker calls this (see
tasks.py); a failed send leaves the request marked as pending, with the reason for staff."""

import datetime
import logging
import smtplib

from auditlog.context import disable_auditlog
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from treatments.context_processors import clinic_for_pages
from treatments.models import Clinic

from .models import AppointmentRequest
from .response_time import response_due

logger = logging.getLogger(__name__)

# What a down or refusing mail server raises. Never log the exception text: SMTP errors can
# quote the recipient's address.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def staff_address(clinic: Clinic | None) -> str:
    """The clinic's alert address as staff keep it in the admin (before the clinic's record
    exists: APPOINTMENT_STAFF_EMAIL, then the site's sender)."""
    if clinic is not None:
        return clinic.alert_address
    return settings.APPOINTMENT_STAFF_EMAIL or settings.DEFAULT_FROM_EMAIL


def _send(subject_template, body_template, context, recipient) -> None:
    subject = render_to_string(subject_template, context).strip()
    body = render_to_string(body_template, context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=False)


def _claim(appointment_id: int) -> bool:
    """Takes this request's mail for NOTIFICATION_LEASE_SECONDS: one statement, so two workers
    (or a worker and `send_pending_notifications`) never both take it; a lease left by a worker
    that died runs out and the next run takes it."""
    now = timezone.now()
    lease = now + datetime.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    free = Q(notification_lease_until__isnull=True) | Q(notification_lease_until__lt=now)
    return bool(AppointmentRequest.objects.filter(free, pk=appointment_id).update(notification_lease_until=lease))


def _record(appointment_id: int, **fields) -> None:
    # One UPDATE of these columns only: a staff save meanwhile is neither overwritten nor waited on.
    with disable_auditlog():  # the audit trail does not track them (audit.TRACKED_FIELDS)
        AppointmentRequest.objects.filter(pk=appointment_id).update(**fields)


def send_request_notifications(appointment_id: int) -> bool:
    """Sends whatever is still unsent for one request. True when nothing is pending afterwards.

    No row lock is held while talking to the mail server: the request is claimed with a lease
    (_claim), and each message is recorded as sent the moment the server accepts it, so a retry,
    a second worker or a manual sweep never sends it again. Only a crash between the server's
    acceptance and that record can repeat one: a duplicate rather than a loss. A request deleted
    meanwhile has nothing left to send.
    """
    if not AppointmentRequest.objects.filter(pk=appointment_id).exists():
        return True
    if not _claim(appointment_id):
        return False  # another worker is sending it right now
    try:
        appointment = AppointmentRequest.objects.filter(pk=appointment_id).first()
        if appointment is None:
            return True
        clinic = clinic_for_pages()  # kept in the shared cache, as for the pages
        context = {
            "appointment": appointment,
            "clinic": clinic,
            "admin_url": settings.SITE_URL.rstrip("/") + appointment.get_admin_url(),
            "response_due": response_due(appointment.received_at),
        }
        # (what it is, the timestamp that records it was sent, templates' name, recipient, wanted,
        # language: the staff's in the site's first, the patient's in their request's)
        mails = [
            ("Staff alert", "staff_notified_at", "staff", staff_address(clinic), True, settings.LANGUAGE_CODE),
            (
                "Confirmation",
                "patient_confirmed_at",
                "patient",
                appointment.email,
                appointment.wants_email_confirmation,
                appointment.language,
            ),
        ]
        problems = []
        for what, sent_field, template, recipient, wanted, language in mails:
            if not wanted or getattr(appointment, sent_field) is not None:
                continue
            try:
                with translation.override(language):
                    _send(
                        f"appointments/email/{template}_subject.txt",
                        f"appointments/email/{template}_body.txt",
                        context,
                        recipient,
                    )
            except MAIL_ERRORS as error:
                logger.warning(
                    "%s for appointment request %s not sent: %s", what, appointment.pk, type(error).__name__
                )
                problems.append(f"{what}: {type(error).__name__}")
            else:
                setattr(appointment, sent_field, timezone.now())
                _record(appointment_id, **{sent_field: getattr(appointment, sent_field)})
        when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        _record(
            appointment_id,
            notification_attempts=F("notification_attempts") + 1,
            notification_problem=f"{'; '.join(problems)} ({when})"[:200] if problems else "",
        )
        return not appointment.notification_is_pending
    finally:
        _record(appointment_id, notification_lease_until=None)
