import logging

from django.conf import settings
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from sitewide.client_address import client_address

from .forms import AppointmentRequestForm, issue_form_token
from .response_time import response_due
from .services import appointment_request_create

logger = logging.getLogger(__name__)

# How we will make contact, remembered for the thank-you page in a signed cookie rather than a
# session: a session would be one more database row (four queries) for every request sent.
CONTACT_COOKIE = "mesoclinic_contact"
CONTACT_COOKIE_SALT = "appointments.contact-preference"
CONTACT_COOKIE_AGE = 60 * 60
FORM_TRAIL = [(_("Request an appointment"), reverse_lazy("appointments:request"))]


def form_page(request, form, *, database_down=False):
    context = {"form": form, "trail": FORM_TRAIL, "database_down": database_down, "posted": request.method == "POST"}
    return render(request, "appointments/request_form.html", context, status=503 if database_down else 200)


@never_cache  # Cache-Control: no-store — the page holds what a patient typed.
@require_http_methods(["GET", "POST"])
def request_appointment(request):
    """The appointment request form; a good request is saved once, then Post/Redirect/Get.

    While the database cannot be reached, the form comes back with everything the patient typed
    and says plainly that nothing was sent (503), with the clinic's phone number: never a page
    that suggests the request was received."""
    try:
        return receive_request(request)
    except DatabaseError:
        logger.warning("The database did not answer: an appointment request page was shown as not sent")
        data = request.POST if request.method == "POST" else None
        return form_page(request, AppointmentRequestForm.while_database_is_down(data), database_down=True)


def receive_request(request):
    if request.method == "GET":
        treatment = request.GET.get("treatment", "")
        form = AppointmentRequestForm(initial={"treatment": treatment} if treatment else {})
        return form_page(request, form)

    form = AppointmentRequestForm(request.POST)
    if form.looks_automated():
        # A bot gets the page a person would, so it learns nothing; nothing is stored.
        return redirect("appointments:thanks")
    if not form.is_valid():
        if "form_token" in form.errors:  # give the patient a fresh token so the next try works
            form.data = form.data.copy()
            form.data["form_token"] = issue_form_token()
        return form_page(request, form)
    # Only requests that would be stored count against the limit, so typing mistakes never lock
    # a patient out.
    if is_ratelimited(
        request, group="appointments.request", key="ip", rate=settings.APPOINTMENT_RATE_LIMIT, increment=True
    ):
        return render(request, "429.html", status=429)
    appointment_request_create(**form.submission(), client_address=client_address(request) or None)
    response = redirect("appointments:thanks")
    response.set_signed_cookie(
        CONTACT_COOKIE,
        form.cleaned_data["contact_preference"],
        salt=CONTACT_COOKIE_SALT,
        max_age=CONTACT_COOKIE_AGE,
        path=reverse("appointments:thanks"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@never_cache
def thanks(request):
    """What happens next; says how we will make contact when this browser just sent a request."""
    return render(
        request,
        "appointments/thanks.html",
        {
            "contact_preference": request.get_signed_cookie(
                CONTACT_COOKIE, default=None, salt=CONTACT_COOKIE_SALT, max_age=CONTACT_COOKIE_AGE
            ),
            "response_due": response_due(timezone.now()),
        },
    )
