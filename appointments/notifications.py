"""E-mail about appointment requests: an alert to staff without patient details, and a short
confirmation to patients who asked to be contacted by e-mail. The worker calls this (see
tasks.py); a failed send leaves the request marked as pending, with the reason for staff."""

import logging
import smtplib

from auditlog.context import disable_auditlog
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from treatments.context_processors import clinic_for_pages
from treatments.models import Clinic

from .models import AppointmentRequest
from .response_time import response_due

logger = logging.getLogger(__name__)

# What a down or refusing mail server raises. Never log the exception text: SMTP errors can
# quote the recipient's address.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def staff_address(clinic: Clinic | None) -> str:
    return settings.APPOINTMENT_STAFF_EMAIL or (clinic.email if clinic else settings.DEFAULT_FROM_EMAIL)


def _send(subject_template, body_template, context, recipient) -> None:
    subject = render_to_string(subject_template, context).strip()
    body = render_to_string(body_template, context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=False)


def send_request_notifications(appointment_id: int) -> bool:
    """Sends whatever is still unsent for one request. True when nothing is pending afterwards.

    The row is locked while sending (skipped if another worker holds it), so two runs at once
    never send the same mail twice. A request deleted meanwhile has nothing left to send.
    """
    with transaction.atomic():
        if not AppointmentRequest.objects.filter(pk=appointment_id).exists():
            return True
        appointment = AppointmentRequest.objects.select_for_update(skip_locked=True).filter(pk=appointment_id).first()
        if appointment is None:  # another worker is sending it right now
            return False
        clinic = clinic_for_pages()  # kept in the shared cache, as for the pages
        context = {
            "appointment": appointment,
            "clinic": clinic,
            "admin_url": settings.SITE_URL.rstrip("/") + appointment.get_admin_url(),
            "response_due": response_due(appointment.received_at),
        }
        # (what it is, the timestamp that records it was sent, templates' name, recipient, wanted)
        mails = [
            ("Staff alert", "staff_notified_at", "staff", staff_address(clinic), True),
            (
                "Confirmation",
                "patient_confirmed_at",
                "patient",
                appointment.email,
                appointment.wants_email_confirmation,
            ),
        ]
        problems = []
        for what, sent_field, template, recipient, wanted in mails:
            if not wanted or getattr(appointment, sent_field) is not None:
                continue
            try:
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
        appointment.notification_attempts += 1
        when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        appointment.notification_problem = f"{'; '.join(problems)} ({when})"[:200] if problems else ""
        # The audit trail does not track these fields (audit.TRACKED_FIELDS), but django-auditlog
        # would still read the whole row again to compare it: one query per request sent.
        with disable_auditlog():
            appointment.save(
                update_fields=[
                    "staff_notified_at",
                    "patient_confirmed_at",
                    "notification_attempts",
                    "notification_problem",
                ]
            )
        return not appointment.notification_is_pending
