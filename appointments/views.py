import logging

from django.conf import settings
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage, is_ratelimited

from sitewide.client_address import client_address

from .forms import AppointmentRequestForm, issue_form_token
from .models import AppointmentRequest
from .response_time import response_due
from .services import appointment_request_create

logger = logging.getLogger(__name__)

# How we will make contact, remembered for the thank-you page in a signed cookie rather than a
# session: a session would be one more database row (four queries) for every request sent.
CONTACT_COOKIE = "mesoclinic_contact"
CONTACT_COOKIE_SALT = "appointments.contact-preference"
CONTACT_COOKIE_AGE = 60 * 60
AGAIN = ":again"  # on the cookie's value: the same form had already arrived
FORM_TRAIL = [(_("Request an appointment"), reverse_lazy("appointments:request"))]


def form_page(request, form, *, database_down=False, try_again_in=None):
    context = {
        "form": form,
        "trail": FORM_TRAIL,
        "database_down": database_down,
        "try_again_in": try_again_in,
        "posted": request.method == "POST",
    }
    status = 503 if database_down else 429 if try_again_in else 200
    return render(request, "appointments/request_form.html", context, status=status)


def rate_period_words(rate: str) -> str:
    """'5/10m' as patients read how long to wait at most: 'ten minutes'."""
    count_and_period = rate.split("/", 1)[-1]
    number = "".join(character for character in count_and_period if character.isdigit()) or "1"
    unit = count_and_period[len(number) if count_and_period[:1].isdigit() else 0 :][:1]
    minutes = int(number) * {"s": 1 / 60, "m": 1, "h": 60, "d": 24 * 60}.get(unit, 1)
    if minutes >= 60:
        hours = round(minutes / 60)
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    whole = max(round(minutes), 1)
    return ngettext("%(count)d minute", "%(count)d minutes", whole) % {"count": whole}


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
    # Only requests that are stored count against the limit, so typing mistakes never lock a
    # patient out, nor does sending the same form again (a reload, or after an error page
    # although it had arrived): that one is kept once, and the patient told so. A refused one
    # comes back with everything typed, saying when to try again.
    limit = {"group": "appointments.request", "key": "ip", "rate": settings.APPOINTMENT_RATE_LIMIT}
    usage = get_usage(request, **limit, increment=False)  # how many this connection sent in the period
    if usage is not None and usage["count"] >= usage["limit"]:
        if AppointmentRequest.objects.filter(submission_token=form.cleaned_data["form_token"]).exists():
            return thanked(form, again=True)
        return form_page(request, form, try_again_in=rate_period_words(settings.APPOINTMENT_RATE_LIMIT))
    _appointment, created = appointment_request_create(
        **form.submission(), client_address=client_address(request) or None
    )
    if created:
        is_ratelimited(request, **limit, increment=True)
    return thanked(form, again=not created)


def thanked(form, *, again: bool):
    """The thank-you page, for this browser only; `again`: the same form had been sent before."""
    response = redirect("appointments:thanks")
    response.set_signed_cookie(
        CONTACT_COOKIE,
        f"{form.cleaned_data['contact_preference']}{AGAIN if again else ''}",
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
    """What happens next; says how we will make contact when this browser just sent a request,
    and that it is stored once when the same form was sent again."""
    sent = request.get_signed_cookie(CONTACT_COOKIE, default="", salt=CONTACT_COOKIE_SALT, max_age=CONTACT_COOKIE_AGE)
    return render(
        request,
        "appointments/thanks.html",
        {
            "contact_preference": sent.removesuffix(AGAIN) or None,
            "sent_again": sent.endswith(AGAIN),
            "response_due": response_due(timezone.now()),
        },
    )
