"""E-mail about appointment requests: an alert to staff without patient details, and a short
confirmation to patients who asked to be contacted by e-mail. A failed send leaves the request
marked as pending; `manage.py send_pending_notifications` tries again."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from treatments.models import Clinic

from .models import AppointmentRequest

logger = logging.getLogger(__name__)

# What a down or refusing mail server raises. Never log the exception text: SMTP errors can
# quote the recipient's address.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def staff_address(clinic: Clinic | None) -> str:
    return settings.APPOINTMENT_STAFF_EMAIL or (clinic.email if clinic else settings.DEFAULT_FROM_EMAIL)


def _send(subject_template, body_template, context, recipient) -> bool:
    subject = render_to_string(subject_template, context).strip()
    body = render_to_string(body_template, context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=False)
    return True


def send_request_notifications(appointment_id: int) -> bool:
    """Sends whatever is still unsent for one request. True when nothing is pending afterwards.

    The row is locked while sending (skipped if another worker holds it), so two runs at once
    never send the same mail twice.
    """
    with transaction.atomic():
        appointment = AppointmentRequest.objects.select_for_update(skip_locked=True).filter(pk=appointment_id).first()
        if appointment is None:
            return False
        clinic = Clinic.current()
        context = {
            "appointment": appointment,
            "clinic": clinic,
            "admin_url": settings.SITE_URL.rstrip("/") + appointment.get_admin_url(),
            "response_time": settings.APPOINTMENT_RESPONSE_TIME,
        }
        if appointment.staff_notified_at is None:
            try:
                _send(
                    "appointments/email/staff_subject.txt",
                    "appointments/email/staff_body.txt",
                    context,
                    staff_address(clinic),
                )
            except MAIL_ERRORS as error:
                logger.warning(
                    "Staff alert for appointment request %s not sent: %s", appointment.pk, type(error).__name__
                )
            else:
                appointment.staff_notified_at = timezone.now()
                appointment.save(update_fields=["staff_notified_at"])
        if appointment.wants_email_confirmation and appointment.patient_confirmed_at is None:
            try:
                _send(
                    "appointments/email/patient_subject.txt",
                    "appointments/email/patient_body.txt",
                    context,
                    appointment.email,
                )
            except MAIL_ERRORS as error:
                logger.warning(
                    "Confirmation for appointment request %s not sent: %s", appointment.pk, type(error).__name__
                )
            else:
                appointment.patient_confirmed_at = timezone.now()
                appointment.save(update_fields=["patient_confirmed_at"])
        return not appointment.notification_is_pending
