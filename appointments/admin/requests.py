"""Appointment requests in the admin: a request's page, with the queue and the contact panel as its mixins."""

import phonenumbers
from django.conf import settings
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from .. import audit
from ..booking.mail import booking_line
from ..booking.models import BookingStatus
from ..models import AppointmentRequest
from ..services import StaleRequest, appointment_request_change
from .contact import ContactPanelViews
from .filters import staff_who_work_requests
from .forms import RequestForm, StaffChoiceField, person
from .worklist import WorklistViews

# Shown read-only, as the patient sent them (phone and e-mail as links, see below).
AS_SENT_FIELDS = ["received_at", *AppointmentRequest.PATIENT_FIELDS]
CONTACT_FIELDS = [
    "first_name",
    "last_name",
    "phone_link",
    "email_link",
    "contact_preference",
    "call_language",
    "call_language_other",
    "interpreter",
    "city",
    "state",
]
REQUEST_FIELDS = [
    "treatment_name" if name == "treatment" else name
    for name in AS_SENT_FIELDS
    if name not in [*CONTACT_FIELDS, "phone", "email"]
]

# The queue fits a 1366 px laptop without the admin's side menu.
admin.site.enable_nav_sidebar = False


@admin.register(AppointmentRequest)
class AppointmentRequestAdmin(WorklistViews, ContactPanelViews, admin.ModelAdmin):
    """A request: the queue (WorklistViews), the contact panel (ContactPanelViews), and its own
    form, whose save goes through the one service function that refuses an older version."""

    form = RequestForm
    readonly_fields = [
        *AS_SENT_FIELDS,
        "treatment_name",
        "interpreter",
        "phone_link",
        "email_link",
        "sent_quickly",
        "response_due_display",
        "possible_duplicates",
        "status_changed_at",
        "status_changed_by_name",
        "changed_by_name",
        "first_contacted_at",
        "staff_notified_at",
        "patient_confirmed_at",
        "notification_attempts",
        "notification_problem",
        "appointment",
    ]
    fieldsets = [
        (
            _("Front desk"),
            {
                "fields": [
                    "opened",
                    "status",
                    "appointment",
                    "assigned_to",
                    "response_due_display",
                    "staff_notes",
                    "possible_duplicates",
                    "duplicate_of",
                    "first_contacted_at",
                    "status_changed_at",
                    "status_changed_by_name",
                    "changed_by_name",
                ]
            },
        ),
        (_("How to reach the patient"), {"fields": CONTACT_FIELDS}),
        (_("What the patient sent"), {"fields": [*REQUEST_FIELDS, "sent_quickly"]}),
        (
            _("Notifications"),
            {"fields": ["staff_notified_at", "patient_confirmed_at", "notification_attempts", "notification_problem"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_duplicate_flag().with_next_step()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":  # front-desk staff, by full name
            kwargs.update(queryset=staff_who_work_requests(), form_class=StaffChoiceField, empty_label=_("Nobody yet"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("treatment"))
    def treatment_name(self, appointment):
        return appointment.treatment.name if appointment.treatment else "-"  # text: not every user may open it

    @admin.display(description=_("appointment"))
    def appointment(self, appointment):
        """Its bookings, and the way to book one: through the calendar's free times only."""
        book = reverse("admin:appointments_booking_phone") + f"?request={appointment.pk}"
        bookings = appointment.bookings.select_related("visit_type", "clinician").order_by("-starts_at")
        lines = format_html_join(
            "",
            '<li><a href="{}">{}</a>: {}</li>',
            ((booking.get_admin_url(), booking_line(booking), booking.get_status_display()) for booking in bookings),
        )
        active = [booking for booking in bookings if booking.status == BookingStatus.BOOKED]
        if active:
            move = reverse("admin:appointments_booking_phone") + f"?move={active[0].pk}"
            action = format_html('<a class="button" href="{}">{}</a>', move, _("Move to another free time"))
        else:
            action = format_html('<a class="button" href="{}">{}</a>', book, _("Book a time"))
        listed = format_html('<ul class="booking-list">{}</ul>', lines) if bookings else _("None booked yet.")
        return format_html("{} {}", listed, action)

    @admin.display(description=_("interpreter"))
    def interpreter(self, appointment):
        if appointment.interpreter_note:
            return appointment.interpreter_note
        return _("Not needed: the patient asked for %s.") % get_language_info(settings.LANGUAGE_CODE)["name"]

    @admin.display(description=_("status changed by"))
    def status_changed_by_name(self, appointment):
        return person(appointment.status_changed_by) if appointment.status_changed_at else "-"

    @admin.display(description=_("last changed"))
    def changed_by_name(self, appointment):
        if appointment.changed_at is None:
            return "-"
        when = timezone.localtime(appointment.changed_at)
        return f"{when:%-d %b %Y, %-I:%M %p}, {person(appointment.changed_by)}"

    @admin.display(description=_("phone"))
    def phone_link(self, appointment):
        if not appointment.phone:
            return "-"
        national = phonenumbers.format_number(appointment.phone, phonenumbers.PhoneNumberFormat.NATIONAL)
        return format_html('<a href="tel:{}">{}</a>', appointment.phone.as_e164, national)

    @admin.display(description=_("e-mail"))
    def email_link(self, appointment):
        return format_html('<a href="mailto:{}">{}</a>', appointment.email, appointment.email)

    @admin.display(description=_("answer due"))
    def response_due_display(self, appointment):
        due = appointment.answer_due_at
        if due is None:
            return _("No response time: the clinic's opening hours were not recorded when it arrived (Clinic).")
        return f"{timezone.localtime(due):%A %-d %B, %-I:%M %p}"

    @admin.display(description=_("possible duplicates"))
    def possible_duplicates(self, appointment):
        others = AppointmentRequest.objects.possible_duplicates_of(appointment).order_by("received_at")
        if not others:
            return _("None: no other request with this e-mail or phone within 30 days.")
        return format_html_join(", ", '<a href="{}">{}</a>', ((other.get_admin_url(), str(other)) for other in others))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and "duplicate_of" in form.base_fields:
            form.base_fields["duplicate_of"].queryset = AppointmentRequest.objects.possible_duplicates_of(obj)
        return form

    def has_add_permission(self, request):
        return False  # requests come from patients, through the site

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            audit.record_view(self.get_object(request, object_id), view="history")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        appointment = self.get_object(request, object_id)
        if appointment is not None:  # on a refused save too: the log stays in view
            extra_context = {**(extra_context or {}), **self.contact_panel(request, appointment)}
        try:
            response = super().change_view(request, object_id, form_url, extra_context)
        except StaleRequest as stale:  # a save slipped in between the form's check and its own
            messages.error(
                request, _("Not saved: %s was changed meanwhile. Please check it and save again.") % stale.current
            )
            return redirect(reverse("admin:appointments_appointmentrequest_change", args=[object_id]))
        if request.method == "GET" and response.status_code == 200:
            audit.record_view(appointment)
        return response

    def save_model(self, request, obj, form, change):
        """The request's page and the queue's rows save through one function, which refuses a
        save made on an older version (the form has already said so) and records who and when.
        An appointment is booked through the calendar (BookingAdmin.phone_view), not here."""
        if not change:
            return super().save_model(request, obj, form, change)
        changes = form.staff_changes()
        return appointment_request_change(
            appointment=obj, opened_version=form.cleaned_data["opened_version"], changed_by=request.user, **changes
        )

    def get_urls(self):
        return [*self.worklist_urls(), *self.contact_urls(), *super().get_urls()]
