"""Booking online, for patients without an account, without JavaScript: choose the visit type,
then a day, then a time (plain buttons grouped by morning, afternoon and evening), then the
request form's details, then "Booked". The e-mail's link opens the booking to move or cancel it.
Every page here holds a patient's choice or details: never cached (no-store)."""

import datetime
import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ..forms import issue_form_token
from . import mail, services
from .availability import calendar_of, free_days, free_times, part_of_day
from .forms import BookingDetailsForm, WaitingListForm
from .models import Booking, BookingStatus, VisitType, WaitingListEntry
from .params import date_param, moment_param

logger = logging.getLogger(__name__)

BOOKED_COOKIE = "mesoclinic_booked"
BOOKED_COOKIE_SALT = "appointments.booking.booked"
BOOKED_COOKIE_AGE = 60 * 60
PARTS = [("morning", _("Morning")), ("afternoon", _("Afternoon")), ("evening", _("Evening"))]


def trail(*steps):
    return [(_("Book an appointment online"), reverse("appointments:book")), *steps]


def offered_visit_types(language: str):
    """The visit types patients can book now, with their words in the page's language (a visit
    type nobody named in it is not offered there)."""
    visit_types = VisitType.objects.filter(active=True, clinicians__active=True).distinct()
    visit_types = visit_types.select_related("treatment").prefetch_related("words")
    return [translated for visit in visit_types if (translated := visit.in_language(language)) is not None]


def visit_type_or_404(visit_type_id: int) -> VisitType:
    visit_type = get_object_or_404(VisitType.objects.prefetch_related("words"), pk=visit_type_id, active=True)
    translated = visit_type.in_language(get_language())
    if translated is None:
        raise Http404("not offered in this language")
    return translated


def grouped(slots) -> list[tuple[str, str, list]]:
    """(part's key, its words, its times) for the parts of the day that have times."""
    parts = {key: [] for key, _words in PARTS}
    for slot in slots:
        parts[part_of_day(slot)].append(slot)
    return [(key, words, parts[key]) for key, words in PARTS if parts[key]]


@never_cache
def choose_visit(request):
    """Step 1: what to book. A treatment page links here with its treatment chosen first."""
    visit_types = offered_visit_types(get_language())
    treatment = request.GET.get("treatment", "")
    if treatment:
        visit_types.sort(key=lambda visit: not (visit.treatment and visit.treatment.slug == treatment))
    return render(request, "appointments/booking/choose_visit.html", {"visit_types": visit_types, "trail": trail()})


@never_cache
def choose_time(request, visit_type_id: int):
    """Steps 2 and 3: the days with free times, soonest first, and the chosen day's times."""
    visit_type = visit_type_or_404(visit_type_id)
    days, chosen, slots = days_and_times(calendar_of(visit_type), request.GET.get("day"))
    context = {
        "visit_type": visit_type,
        "days": days,
        "chosen": chosen,
        "parts": grouped(slots),
        "waiting_form": WaitingListForm() if not days else None,
        "trail": trail((visit_type.name, request.path)),
        "action": reverse("appointments:book_details", args=[visit_type.pk]),
    }
    return render(request, "appointments/booking/choose_time.html", context)


def days_and_times(calendar, day: str | None):
    """The days with free times, the day chosen (the first, unless the address names another
    of them) and its free times: worked out only for that day."""
    now = timezone.now()
    days = free_days(calendar, now)
    chosen = date_param(day)
    if chosen not in days:
        chosen = days[0] if days else None
    return days, chosen, free_times(calendar, now, days={chosen}) if chosen else []


def chosen_time(value: str) -> datetime.datetime | None:
    return moment_param(value)


def details_page(request, visit_type, form, starts_at, *, taken=None, status=200):
    context = {
        "visit_type": visit_type,
        "form": form,
        "starts_at": starts_at,
        "taken": taken,
        "trail": trail((visit_type.name, reverse("appointments:book_times", args=[visit_type.pk]))),
        "action": reverse("appointments:book_details", args=[visit_type.pk]),
    }
    return render(request, "appointments/booking/details.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def book_details(request, visit_type_id: int):
    """Step 4: the patient's details for the time chosen, then the booking. A time taken
    meanwhile (or never free) says so, with the nearest free times, and keeps what was typed."""
    visit_type = visit_type_or_404(visit_type_id)
    try:
        starts_at = chosen_time(request.POST.get("at") if request.method == "POST" else request.GET.get("at"))
        if starts_at is None:
            return redirect("appointments:book_times", visit_type.pk)
        if request.method == "GET":
            return details_page(request, visit_type, BookingDetailsForm(), starts_at)
        form = BookingDetailsForm(request.POST)
        if form.looks_automated():
            return redirect("appointments:book")
        if not form.is_valid():
            if "form_token" in form.errors:
                form.data = form.data.copy()
                form.data["form_token"] = issue_form_token()
            return details_page(request, visit_type, form, starts_at)
        try:
            made = services.booking_create(visit_type=visit_type, starts_at=starts_at, details=form.details())
        except services.TimeTaken as taken:
            return details_page(request, visit_type, form, starts_at, taken=taken.nearest, status=409)
    except DatabaseError:
        logger.warning("The database did not answer: a booking page was shown as not booked")
        return render(request, "appointments/booking/not_booked.html", status=503)
    return booked_redirect(made.booking)


def booked_redirect(booking: Booking):
    response = redirect("appointments:booked")
    response.set_signed_cookie(
        BOOKED_COOKIE,
        mail.manage_token(booking),
        salt=BOOKED_COOKIE_SALT,
        max_age=BOOKED_COOKIE_AGE,
        path=reverse("appointments:booked"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def booking_from_token(token: str):
    """(booking, problem): the booking the link names, or why it cannot be used."""
    read = mail.read_manage_token(token)
    booking = None
    if read is not None:
        booking = Booking.objects.select_related("request", "visit_type", "clinician").filter(pk=read[0]).first()
    if booking is None or booking.request is None:
        return None, "invalid"
    if booking.version != read[1]:
        return booking, "cancelled" if booking.status == BookingStatus.CANCELLED else "replaced"
    if booking.status == BookingStatus.CANCELLED:
        return booking, "cancelled"
    if booking.ends_at <= timezone.now() or booking.status != BookingStatus.BOOKED:
        return booking, "over"
    return booking, None


def booking_context(booking: Booking) -> dict:
    language = get_language()
    return {
        "booking": booking,
        "visit_type": booking.visit_type.in_language(language) or booking.visit_type,
        "token": mail.manage_token(booking),
    }


@never_cache
def booked(request):
    """Step 5: "Booked", for the browser that just booked (a signed cookie, for an hour)."""
    token = request.get_signed_cookie(BOOKED_COOKIE, default="", salt=BOOKED_COOKIE_SALT, max_age=BOOKED_COOKIE_AGE)
    booking, problem = booking_from_token(token) if token else (None, "invalid")
    if booking is None or problem not in (None, "over"):
        return render(request, "appointments/booking/nothing_booked.html")
    return render(request, "appointments/booking/booked.html", booking_context(booking))


def link_problem(request, booking, problem):
    status = {"invalid": 404, "over": 410}.get(problem, 200)
    return render(
        request, "appointments/booking/link_problem.html", {"booking": booking, "problem": problem}, status=status
    )


@never_cache
@require_http_methods(["GET", "POST"])
def manage_booking(request, token: str):
    """The patient's own booking, from the e-mail's link: move it, or cancel it."""
    booking, problem = booking_from_token(token)
    if problem is not None:
        return link_problem(request, booking, problem)
    if request.method == "POST":
        try:
            services.booking_cancel(booking=booking, opened_version=booking.version)
        except services.StaleBooking as stale:
            return link_problem(request, stale.current, "replaced")
        return render(request, "appointments/booking/cancelled.html", booking_context(booking))
    return render(request, "appointments/booking/manage.html", booking_context(booking))


@never_cache
@require_http_methods(["GET", "POST"])
def move_booking(request, token: str):
    """Another time for the same visit: the free times (its own time counts as free), then Move."""
    booking, problem = booking_from_token(token)
    if problem is not None:
        return link_problem(request, booking, problem)
    visit_type = booking.visit_type
    taken = None
    if request.method == "POST":
        starts_at = chosen_time(request.POST.get("at"))
        if starts_at is not None:
            try:
                moved = services.booking_move(booking=booking, opened_version=booking.version, starts_at=starts_at)
            except services.TimeTaken as refused:
                taken = refused.nearest
            except services.StaleBooking as stale:
                return link_problem(request, stale.current, "replaced")
            else:
                return redirect(reverse("appointments:manage_booking", args=[mail.manage_token(moved)]) + "?moved=1")
    days, chosen, slots = days_and_times(calendar_of(visit_type, ignoring=booking), request.GET.get("day"))
    context = {
        **booking_context(booking),
        "days": days,
        "chosen": chosen,
        "parts": grouped(slots),
        "taken": taken,
    }
    return render(request, "appointments/booking/move.html", context, status=409 if taken is not None else 200)


@never_cache
@require_POST
def join_waiting_list(request, visit_type_id: int):
    visit_type = visit_type_or_404(visit_type_id)
    form = WaitingListForm(request.POST)
    if not form.is_valid():
        context = {
            "visit_type": visit_type, "days": [], "chosen": None, "parts": [], "waiting_form": form,
            "trail": trail((visit_type.name, request.path)),
        }  # fmt: skip
        return render(request, "appointments/booking/choose_time.html", context)
    services.waiting_list_join(
        visit_type=visit_type,
        first_name=form.cleaned_data["first_name"],
        email=form.cleaned_data["email"],
        language=get_language(),
        token=form.cleaned_data["form_token"],
    )
    return render(request, "appointments/booking/waiting.html", {"visit_type": visit_type})


@never_cache
@require_http_methods(["GET", "POST"])
def take_offer(request, token: str):
    """A time freed for a patient on the waiting list: their details, then it is theirs."""
    read = mail.read_offer_token(token)
    entry = WaitingListEntry.objects.filter(pk=read[0], offer_id=read[1]).first() if read else None
    held = Booking.objects.select_related("visit_type").filter(pk=read[1]).first() if entry else None
    if entry is None or held is None:
        return link_problem(request, None, "offer_gone")
    if held.status != BookingStatus.HELD or held.held_for_offer_until <= timezone.now():
        return link_problem(request, None, "offer_gone")
    visit_type = held.visit_type.in_language(entry.language) or held.visit_type
    form = BookingDetailsForm(request.POST or None, initial={"first_name": entry.first_name, "email": entry.email})
    if request.method == "POST" and form.is_valid():
        try:
            made = services.offer_accept(entry=entry, details=form.details())
        except services.TimeTaken:
            return link_problem(request, None, "offer_gone")
        return booked_redirect(made.booking)
    context = {
        "visit_type": visit_type, "form": form, "starts_at": held.starts_at, "offer": held, "trail": trail(),
        "action": request.path,
    }  # fmt: skip
    return render(request, "appointments/booking/details.html", context)
