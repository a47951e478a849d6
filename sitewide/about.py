"""The pages every clinic site has: the privacy notice, the accessibility statement and the
visiting page. Each is drawn from the site's real settings and records, so it cannot drift from
what the site does: the privacy notice reads the fields a request stores, the retention period
and the cookies' lifetimes; the visiting page shows only what staff have recorded."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments.models import AppointmentRequest
from appointments.views import CONTACT_COOKIE_AGE
from treatments.models import OpeningTime
from treatments.opening_hours import clinic_hours, upcoming_closures
from treatments.views import public


def _days(seconds: int) -> int:
    return seconds // (60 * 60 * 24)


def privacy_notice(request):
    fields = [AppointmentRequest._meta.get_field(name).verbose_name for name in AppointmentRequest.PATIENT_FIELDS]
    context = {
        "trail": [(_("Privacy notice"), reverse_lazy("privacy"))],
        "request_fields": fields,
        "retention_days": settings.APPOINTMENT_RETENTION_DAYS,
        "rating_cookie_days": _days(settings.RATING_COOKIE_MAX_AGE),
        "contact_cookie_minutes": CONTACT_COOKIE_AGE // 60,
        "staff_session_hours": settings.STAFF_SESSION_MAX_HOURS,
        "confirm_days": settings.NEWSLETTER_CONFIRM_DAYS,
        "pending_days": settings.NEWSLETTER_PENDING_DAYS,
    }
    return public(render(request, "sitewide/privacy.html", context))


def accessibility_statement(request):
    context = {"trail": [(_("Accessibility"), reverse_lazy("accessibility"))]}
    return public(render(request, "sitewide/accessibility.html", context))


def visiting(request):
    hours = clinic_hours()
    opening = []
    if hours is not None:
        names = dict(OpeningTime.Weekday.choices)
        opening = [(names[day], *hours.days.get(day, (None, None))) for day in range(7)]
    context = {
        "trail": [(_("Visiting us"), reverse_lazy("visiting"))],
        "opening": opening,
        "closures": upcoming_closures(timezone.localdate()),
    }
    return public(render(request, "sitewide/visiting.html", context))
