"""The clinic's calendar in the admin: clinicians (or rooms) with their weekly hours, extra
hours, time off and private calendar feed; visit types; bookings, with the front desk's day and
week view (arrived, did not come, cancelled), and booking a caller by phone (or a patient from
the queue) into a free time from the same list of free times that patients see online.

No booking is written here: every change goes through appointments.booking.services, so the
same free-times check and the same database constraint guard the front desk too. A change of
hours or of a visit type never moves a booking already made: those now outside the hours are
listed for the front desk to rearrange with the patient."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import audit
from ..booking import services
from ..booking.availability import by_day, clinic_zone, free_times, load_calendar, part_of_day
from ..booking.forms import BookingDetailsForm
from ..booking.mail import absolute, booking_line, when_words
from ..booking.models import (
    Booking,
    BookingMessage,
    BookingStatus,
    Clinician,
    ExtraHours,
    TimeOff,
    VisitType,
    VisitTypeWords,
    WaitingListEntry,
    WorkingHours,
    new_feed_token,
)
from ..booking.params import date_param, moment_param
from ..forms import HONEYPOT_FIELD
from ..models import AppointmentRequest

# How many days the front desk's list of free times shows at once (with earlier / later links).
PHONE_DAYS = 7
PARTS = {"morning": _("Morning"), "afternoon": _("Afternoon"), "evening": _("Evening")}


def warn_outside_hours(request, clinician_ids) -> None:
    """After a change of hours, time off or a visit type: the bookings to come that the hours no
    longer cover, kept as they were, listed for the front desk."""
    outside = services.active_bookings_outside_hours(clinician_ids)
    if not outside:
        return
    links = format_html_join(
        "; ", '<a href="{}">{}</a>', ((booking.get_admin_url(), booking_line(booking)) for booking in outside)
    )
    messages.warning(
        request,
        format_html(
            "{} {}",
            ngettext(
                "%(count)d booking to come is now outside its clinician's hours (or in their time off, or on a "
                "day the clinic is closed). It was kept as it was: move or cancel it with the patient:",
                "%(count)d bookings to come are now outside their clinician's hours (or in their time off, or on "
                "a day the clinic is closed). They were kept as they were: move or cancel them with the patients:",
                len(outside),
            )
            % {"count": len(outside)},
            links,
        ),
    )


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0
    verbose_name_plural = _("weekly working hours (several periods on a day are fine, e.g. before and after lunch)")


class ExtraHoursInline(admin.TabularInline):
    model = ExtraHours
    extra = 0


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0


@admin.register(Clinician)
class ClinicianAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "order", "weekly_hours"]
    list_editable = ["active", "order"]
    fields = ["name", "active", "order", "calendar_feed"]
    readonly_fields = ["calendar_feed"]
    inlines = [WorkingHoursInline, ExtraHoursInline, TimeOffInline]
    actions = ["new_calendar_address"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("working_hours")

    @admin.display(description=_("weekly hours"))
    def weekly_hours(self, clinician):
        hours = clinician.working_hours.all()
        return "; ".join(str(period) for period in hours) or _("None yet: patients cannot book them.")

    @admin.display(description=_("private calendar address"))
    def calendar_feed(self, clinician):
        if clinician.pk is None:
            return _("Given once the clinician is saved.")
        address = absolute(reverse("clinician_feed", args=[clinician.feed_token]))
        return format_html(
            '<code class="feed-address">{}</code><br>{}',
            address,
            _(
                "For the clinician's own calendar program (subscribe to it). It shows their bookings with the time, "
                "visit type, the patient's first name and request number, nothing more. Anyone with the address can "
                "read it: give it to the clinician only. If it goes astray, choose “New calendar address” in the "
                "list of clinicians; this one then stops working."
            ),
        )

    @admin.action(description=_("New calendar address (the old one stops working)"))
    def new_calendar_address(self, request, queryset):
        for clinician in queryset:
            Clinician.objects.filter(pk=clinician.pk).update(feed_token=new_feed_token())
        self.message_user(
            request,
            _("New calendar addresses made for: %s. Give each clinician theirs again; the old ones stopped working.")
            % ", ".join(str(clinician) for clinician in queryset),
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        warn_outside_hours(request, [form.instance.pk])


class VisitTypeWordsInline(admin.StackedInline):
    model = VisitTypeWords
    extra = 0
    verbose_name_plural = _("in another language (a visit type is offered on a language's pages only with its words)")


@admin.register(VisitType)
class VisitTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "treatment", "minutes", "step_minutes", "notice_hours", "horizon_days", "active"]
    list_filter = ["active", "treatment"]
    filter_horizontal = ["clinicians"]
    inlines = [VisitTypeWordsInline]
    fieldsets = [
        (None, {"fields": ["name", "treatment", "active", "order", "what_to_bring", "clinicians"]}),
        (
            _("Its time"),
            {"fields": ["minutes", "buffer_before", "buffer_after", "step_minutes", "notice_hours", "horizon_days"]},
        ),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        warn_outside_hours(request, list(form.instance.clinicians.values_list("pk", flat=True)))


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (BookingStatus.ARRIVED, _("Arrived")),
            (BookingStatus.NO_SHOW, _("Did not come")),
            (BookingStatus.BOOKED, _("Booked (undo)")),
            (BookingStatus.CANCELLED, _("Cancelled")),
        ]
    )
    version = forms.IntegerField(min_value=1)


class PhoneTimeForm(forms.Form):
    """The free time the receptionist picked (checked again when the booking is made)."""

    starts_at = forms.DateTimeField(widget=forms.HiddenInput)


def staff_slots(visit_type: VisitType, start: datetime.date, *, ignoring=None):
    """The free times of a week from `start`, for the front desk: within the clinicians' hours,
    off the closed days and time off, never taken; the patients' notice and horizon do not apply."""
    zone = clinic_zone()
    begin = datetime.datetime.combine(start, datetime.time.min, zone)
    end = begin + datetime.timedelta(days=PHONE_DAYS)
    now = timezone.now()
    calendar = load_calendar(visit_type, max(begin, now), end, ignoring=ignoring)
    return free_times(calendar, now, notice=False, horizon=False)


def times_by_day(slots):
    """[(day, [(part words, [slots])])] for the template."""
    days = []
    for day, day_slots in by_day(slots).items():
        parts = {}
        for slot in day_slots:
            parts.setdefault(part_of_day(slot), []).append(slot)
        days.append((day, [(PARTS[key], parts[key]) for key in PARTS if key in parts]))
    return days


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["when", "clinician", "visit_type", "patient", "status", "source"]
    list_filter = ["status", "clinician", "visit_type", "source", ("starts_at", admin.DateFieldListFilter)]
    list_select_related = ["clinician", "visit_type", "request"]
    ordering = ["-starts_at"]
    date_hierarchy = "starts_at"
    fields = ["when", "clinician", "visit_type", "patient", "status", "source", "made_at", "made_by_name"]
    readonly_fields = fields
    change_form_template = "admin/appointments/booking/change_form.html"
    change_list_template = "admin/appointments/booking/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(status=BookingStatus.HELD)

    @admin.display(description=_("when"), ordering="starts_at")
    def when(self, booking):
        return when_words(booking.starts_at)

    @admin.display(description=_("patient"))
    def patient(self, booking):
        request = booking.request
        if request is None:
            return "-"
        return format_html('<a href="{}">#{} {}</a>', request.get_admin_url(), request.pk, request.full_name)

    @admin.display(description=_("by"))
    def made_by_name(self, booking):
        if booking.made_by is None:
            return _("the patient, online") if booking.source != Booking.Source.PHONE else "-"
        return booking.made_by.get_full_name() or booking.made_by.get_username()

    def has_add_permission(self, request):
        return False  # into a free time only: "Book a caller by phone"

    def has_delete_permission(self, request, obj=None):
        return False  # cancelled, not deleted (the purge of old requests removes them)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        booking = self.get_object(request, object_id)
        if booking is not None:
            extra_context = {
                **(extra_context or {}),
                "booking": booking,
                "can_change": self.has_change_permission(request, booking),
                "status_choices": StatusForm.base_fields["status"].choices,
                "move_url": reverse("admin:appointments_booking_phone") + f"?move={booking.pk}",
                "booking_messages": booking.messages.all(),
            }
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and booking is not None and response.status_code == 200:
            audit.record_view(booking)
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        shown = getattr(response, "context_data", {}).get("cl")
        if shown is not None:
            audit.record_list(request, sorted({b.request_id for b in shown.result_list if b.request_id}), False)
        return response

    # The front desk's own pages.

    def get_urls(self):
        own = [
            ("calendar/", self.calendar_view, "calendar"),
            ("phone/", self.phone_view, "phone"),
            ("<int:booking_id>/mark/", self.mark_view, "mark"),
        ]
        return [
            *(
                path(route, self.admin_site.admin_view(view), name=f"appointments_booking_{name}")
                for route, view, name in own
            ),
            *super().get_urls(),
        ]

    def page(self, request, template, title, status=200, **context):
        response = TemplateResponse(
            request,
            f"admin/appointments/booking/{template}",
            {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **context},
        )
        response.status_code = status
        return response

    def calendar_view(self, request):
        """Every clinician's bookings for a day or a week, by time: a plain table, printable."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        zone = clinic_zone()
        today = timezone.localdate(timezone=zone)
        day = date_param(request.GET.get("day", "")) or today
        week = request.GET.get("span") == "week"
        first = day - datetime.timedelta(days=day.weekday()) if week else day
        days = 7 if week else 1
        begin = datetime.datetime.combine(first, datetime.time.min, zone)
        end = datetime.datetime.combine(first + datetime.timedelta(days=days), datetime.time.min, zone)
        bookings = (
            Booking.objects.filter(starts_at__gte=begin, starts_at__lt=end)
            .exclude(status=BookingStatus.HELD)
            .select_related("clinician", "visit_type", "request")
            .order_by("starts_at", "clinician__order", "clinician__name")
        )
        clinician = request.GET.get("clinician", "")
        if clinician.isdigit():
            bookings = bookings.filter(clinician_id=int(clinician))
        grouped = {}
        for booking in bookings:
            grouped.setdefault(timezone.localtime(booking.starts_at, zone).date(), []).append(booking)
        audit.record_list(request, sorted({b.request_id for b in bookings if b.request_id}), False)
        step = datetime.timedelta(days=days)
        span = "week" if week else "day"
        return self.page(
            request,
            "calendar.html",
            _("Bookings, week of %s") % f"{first:%A %-d %B %Y}" if week else _("Bookings, %s") % f"{day:%A %-d %B %Y}",
            days=[(first + datetime.timedelta(days=offset), grouped.get(first + datetime.timedelta(days=offset), []))
                  for offset in range(days)],
            span=span,
            day=day,
            earlier=f"?span={span}&day={first - step:%Y-%m-%d}",
            later=f"?span={span}&day={first + step:%Y-%m-%d}",
            today=today,
            clinicians=Clinician.objects.all(),
            clinician=int(clinician) if clinician.isdigit() else None,
            status_choices=StatusForm.base_fields["status"].choices,
            can_change=self.has_change_permission(request),
            outside=services.active_bookings_outside_hours(),
        )  # fmt: skip

    def mark_view(self, request, booking_id):
        """Arrived, did not come, booked again (undo) or cancelled, from the calendar or the booking."""
        booking = get_object_or_404(Booking, pk=booking_id)
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
            back = booking.get_admin_url()
        if request.method != "POST":
            return HttpResponseRedirect(back)
        form = StatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Not changed: choose what happened to the booking."))
            return HttpResponseRedirect(back)
        try:
            saved = services.booking_mark(
                booking=booking,
                opened_version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                changed_by=request.user,
            )
        except services.StaleBooking as stale:
            messages.error(
                request,
                _("Not changed: booking %(booking)s was changed meanwhile (it is now %(status)s). Check it again.")
                % {"booking": stale.current.pk, "status": stale.current.get_status_display().lower()},
            )
            return HttpResponseRedirect(back)
        self.log_change(request, saved, f"status: {saved.status}")
        messages.success(
            request,
            _("%(booking)s: %(status)s.") % {"booking": booking_line(saved), "status": saved.get_status_display()},
        )
        return HttpResponseRedirect(back)

    def phone_view(self, request):
        """Books a caller (or a patient from the queue, ?request=N), or moves a booking
        (?move=N), into a free time: the visit type, then a time from the week's free times,
        then the patient's details (none for a request: its own are used)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        params = request.POST if request.method == "POST" else request.GET
        appointment = self.request_from(params.get("request", ""))
        moving = self.booking_from(params.get("move", ""))
        visit_types = VisitType.objects.filter(clinicians__active=True).distinct().select_related("treatment")
        visit_type = moving.visit_type if moving else self.visit_type_from(params.get("visit_type", ""), visit_types)
        context = {"appointment": appointment, "moving": moving, "visit_types": visit_types, "visit_type": visit_type}
        title = (
            _("Move booking: %s") % booking_line(moving)
            if moving
            else _("Book a time for request #%s") % appointment.pk
            if appointment
            else _("Book a caller by phone")
        )
        if visit_type is None:
            return self.page(request, "phone.html", title, **context)
        zone = clinic_zone()
        start = max(
            date_param(params.get("from", "")) or timezone.localdate(timezone=zone), timezone.localdate(timezone=zone)
        )
        chosen = moment_param(params.get("time", ""))
        if chosen is None:
            step = datetime.timedelta(days=PHONE_DAYS)
            slots = staff_slots(visit_type, start, ignoring=moving)
            return self.page(
                request,
                "phone.html",
                title,
                **context,
                days=times_by_day(slots),
                start=start,
                earlier=start - step if start > timezone.localdate(timezone=zone) else None,
                later=start + step,
            )
        return self.phone_book(request, title, context, visit_type, chosen, appointment, moving)

    def phone_book(self, request, title, context, visit_type, chosen, appointment, moving):
        needs_details = appointment is None and moving is None
        form = None
        if needs_details:
            form = BookingDetailsForm(request.POST if request.method == "POST" else None)
            form.fields[HONEYPOT_FIELD].widget = forms.HiddenInput()  # for robots on the public form
        context = {**context, "chosen": chosen, "form": form}
        if request.method != "POST" or (form is not None and not form.is_valid()):
            return self.page(
                request, "phone_details.html", title, **context, status=400 if form and form.errors else 200
            )
        try:
            if moving is not None:
                saved = services.booking_move(
                    booking=moving, opened_version=int(request.POST.get("version", 0) or 0), starts_at=chosen,
                    moved_by=request.user,
                )  # fmt: skip
                self.log_change(request, saved, "moved")
                messages.success(request, _("Moved: %s. The patient is e-mailed the new time.") % booking_line(saved))
                return redirect(saved.get_admin_url())
            made = services.booking_create(
                visit_type=visit_type,
                starts_at=chosen,
                details=self.caller_details(form) if form is not None else {},
                source=Booking.Source.PHONE,
                made_by=request.user,
                request=appointment,
            )
        except services.TimeTaken as taken:
            return self.page(
                request, "phone_details.html", title, **context, taken=taken.nearest, status=409,
            )  # fmt: skip
        except services.StaleBooking as stale:
            messages.error(
                request, _("Not moved: the booking was changed meanwhile (%s). Check it again.") % stale.current
            )
            return redirect(stale.current.get_admin_url())
        if made.created:
            self.log_addition(request, made.booking, "by phone")
        messages.success(
            request,
            _("Booked: %(line)s, for request #%(number)s.")
            % {"line": booking_line(made.booking), "number": made.booking.request_id},
        )
        return redirect(made.booking.request.get_admin_url())

    @staticmethod
    def caller_details(form) -> dict:
        """The caller's details; the e-mails go in the language of the call when the site has it."""
        details = form.details()
        if details.get("call_language") in dict(settings.LANGUAGES):
            details["language"] = details["call_language"]
        return details

    @staticmethod
    def request_from(value: str) -> AppointmentRequest | None:
        if not value.isdigit():
            return None
        return AppointmentRequest.objects.filter(pk=int(value)).first()

    @staticmethod
    def booking_from(value: str) -> Booking | None:
        if not value.isdigit():
            return None
        return Booking.objects.filter(pk=int(value), status=BookingStatus.BOOKED).select_related("visit_type").first()

    @staticmethod
    def visit_type_from(value: str, visit_types) -> VisitType | None:
        if value.isdigit():
            return visit_types.filter(pk=int(value)).first()
        return visit_types.first() if visit_types.count() == 1 else None


@admin.register(WaitingListEntry)
class WaitingListEntryAdmin(admin.ModelAdmin):
    list_display = ["first_name", "visit_type", "joined_at", "status", "language"]
    list_filter = ["status", "visit_type"]
    fields = ["first_name", "email", "visit_type", "language", "joined_at", "status", "offer"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # patients join from the booking pages

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        entry = self.get_object(request, object_id)
        if request.method == "GET" and entry is not None and response.status_code == 200:
            audit.record_view(entry)
        return response


@admin.register(BookingMessage)
class BookingMessageAdmin(admin.ModelAdmin):
    """The e-mails about bookings, to check what was sent and whether it went."""

    list_display = ["subject", "kind", "queued_at", "sent_at", "problem"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    fields = ["kind", "to", "language", "subject", "body", "queued_at", "sent_at", "attempts", "problem"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
