"""The front desk's queue of appointment requests. Ratings have their own admin in
`appointments.ratings.admin`; the dashboard is `appointments.dashboard`."""

from urllib.parse import urlencode

import phonenumbers
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import audit
from .admin_filters import AssignedFilter, NotificationFilter, WorkFilter, staff_who_work_requests
from .admin_forms import ContactAttemptForm, PatientEmailForm, QueueRowForm, RequestForm, StaffChoiceField, person
from .admin_search import is_search_id, remember_search, search_words
from .exports import requests_csv
from .models import NEXT_STEP_AT, AppointmentRequest, MessageTemplate, PrivacyRecord
from .newsletter.admin import NewsletterIssueAdmin  # noqa: F401  (registers it)
from .patient_email import check_template_text
from .ratings.admin import PageCommentAdmin, RatedPageAdmin  # noqa: F401  (registers them)
from .services import (
    StaleRequest,
    appointment_request_change,
    appointment_request_merge,
    appointment_request_set_status,
    contact_attempt_record,
    patient_email_send,
)
from .worklist import next_step_words

# Shown read-only, as the patient sent them (phone and e-mail as links, see below).
AS_SENT_FIELDS = ["received_at", *AppointmentRequest.PATIENT_FIELDS]
CONTACT_FIELDS = ["first_name", "last_name", "phone_link", "email_link", "contact_preference", "city", "state"]
REQUEST_FIELDS = [
    "treatment_name" if name == "treatment" else name
    for name in AS_SENT_FIELDS
    if name not in [*CONTACT_FIELDS, "phone", "email"]
]

# The queue fits a 1366 px laptop without the admin's side menu.
admin.site.enable_nav_sidebar = False


@admin.register(AppointmentRequest)
class AppointmentRequestAdmin(admin.ModelAdmin):
    form = RequestForm
    list_display = ["name", "next_step", "received", "status", "contact_by", "assigned_to"]
    list_display_links = ["name"]
    list_editable = ["status", "assigned_to"]
    list_filter = [
        WorkFilter,
        AssignedFilter,
        "status",
        "contact_preference",
        NotificationFilter,
        "sent_quickly",
        "newsletter",
        "treatment",
        ("received_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["assigned_to"]
    search_fields = ["first_name", "last_name", "email", "city", "comments"]
    search_help_text = _("Search by name, e-mail, city, comments, or any 4 or more digits of a phone number.")
    # The worklist's order: overdue first, then due soonest, then the rest by arrival.
    ordering = [NEXT_STEP_AT.asc(nulls_last=True), "received_at", "pk"]
    list_per_page = 50
    actions = ["mark_contacted", "assign_to_me", "merge_duplicates", "export_csv"]
    readonly_fields = [
        *AS_SENT_FIELDS,
        "treatment_name",
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
    ]
    fieldsets = [
        (
            _("Front desk"),
            {
                "fields": [
                    "opened",
                    "status",
                    "appointment_at",
                    "send_confirmation",
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

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, appointment):
        return f"#{appointment.pk} {appointment.full_name}"

    @admin.display(description=_("next step"), ordering=NEXT_STEP_AT.asc(nulls_last=True))
    def next_step(self, appointment):
        words, late = next_step_words(appointment)
        badges = []
        if late:
            words = format_html('<strong class="badge badge--overdue">{}</strong>', words)
        if appointment.has_possible_duplicate:
            badges.append(format_html('<span class="badge">{}</span>', _("Possible duplicate")))
        return format_html("{} {}", words, format_html_join(" ", "{}", ((badge,) for badge in badges)))

    @admin.display(description=_("received"), ordering="received_at")
    def received(self, appointment):
        received = timezone.localtime(appointment.received_at)
        if timezone.now() - appointment.received_at < timezone.timedelta(days=1):
            return _("%(time)s ago") % {"time": timesince(appointment.received_at, depth=1)}
        return f"{received:%-d %b %Y, %-I:%M %p}"

    @admin.display(description=_("contact by"), ordering="contact_preference")
    def contact_by(self, appointment):
        return appointment.get_contact_preference_display()

    @admin.display(description=_("treatment"))
    def treatment_name(self, appointment):
        return appointment.treatment.name if appointment.treatment else "-"  # text: not every user may open it

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

    def get_changelist_form(self, request, **kwargs):
        """Each row is checked against the version listed (QueueRowForm); the staff to assign to
        are read once for the whole list, not once per row."""
        base = super().get_changelist_form(request, form=QueueRowForm, **kwargs)
        staff_choices = None

        class RowForm(base):
            def __init__(self, *args, **form_kwargs):
                nonlocal staff_choices
                super().__init__(*args, **form_kwargs)
                assigned_to = self.fields["assigned_to"]
                if staff_choices is None:
                    staff_choices = list(assigned_to.choices)
                assigned_to.choices = staff_choices

        return RowForm

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and "duplicate_of" in form.base_fields:
            form.base_fields["duplicate_of"].queryset = AppointmentRequest.objects.possible_duplicates_of(obj)
        return form

    def has_add_permission(self, request):
        return False  # requests come from patients, through the site

    # Searching without the words in the address (admin_search.py)

    def get_urls(self):
        def view(name, function):
            return path(
                f"<path:object_id>/{name}/" if name != "search" else "search/",
                self.admin_site.admin_view(function),
                name=f"appointments_appointmentrequest_{name}",
            )

        return [
            view("search", self.search_view),
            view("contact", self.contact_view),
            view("email", self.email_view),
            *super().get_urls(),
        ]

    def search_view(self, request):
        """The search box posts here: the words go into the session, the queue's address gets an id."""
        if request.method != "POST":
            return redirect("admin:appointments_appointmentrequest_changelist")
        params = {key: value for key, value in request.POST.items() if key.startswith("keep-")}
        params = {key.removeprefix("keep-"): value for key, value in params.items()}
        params.pop(SEARCH_VAR, None)
        words = request.POST.get("words", "").strip()
        if words:
            params[SEARCH_VAR] = remember_search(request, words)
        url = reverse("admin:appointments_appointmentrequest_changelist")
        return redirect(f"{url}?{urlencode(params)}" if params else url)

    def changelist_view(self, request, extra_context=None):
        query = request.GET.get(SEARCH_VAR, "")
        if query and (not is_search_id(query) or search_words(request, query) is None):
            # Words typed into an address (an old bookmark), or a search that has expired: the
            # words leave the address at once, or the page says to search again.
            params = request.GET.copy()
            del params[SEARCH_VAR]
            if is_search_id(query):
                messages.info(request, _("That search has ended. Please search again."))
            else:
                params[SEARCH_VAR] = remember_search(request, query)
            url = reverse("admin:appointments_appointmentrequest_changelist")
            return redirect(f"{url}?{params.urlencode()}" if params else url)
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if request.method == "POST" and changelist is not None and changelist.formset is not None:
            # A refused row may have left this view (a colleague finished it): say so at the top.
            for form in changelist.formset.forms:
                for error in form.errors.as_data().get(QueueRowForm.stale_error_field, []):
                    if error.code == "stale":
                        messages.error(request, " ".join(error.messages))
        if request.method == "GET" and getattr(response, "context_data", None) and "cl" in response.context_data:
            changelist = response.context_data["cl"]
            audit.record_list(request, [row.pk for row in changelist.result_list], searched=bool(query))
            if query and changelist.result_count == 0 and request.GET.get(WorkFilter.parameter_name) != "all":
                self.point_to_all_requests(request, query)
        return response

    def point_to_all_requests(self, request, query):
        """A search that finds nothing in this view says how many it finds among all requests."""
        everywhere, _duplicates = self.get_search_results(request, self.get_queryset(request), query)
        count = everywhere.count()
        url = reverse("admin:appointments_appointmentrequest_changelist")
        link = f"{url}?{urlencode({WorkFilter.parameter_name: 'all', SEARCH_VAR: query})}"
        if count:
            text = ngettext(
                "Nothing here matches, but %(count)d request among all requests does: ",
                "Nothing here matches, but %(count)d requests among all requests do: ",
                count,
            ) % {"count": count}
            messages.info(request, format_html('{}<a href="{}">{}</a>', text, link, _("show them")))
        else:
            messages.info(request, _("No request matches, in this view or among all requests."))

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # For templates/admin/search_form.html: post the words, show them, never put them in a link.
        changelist.search_url = reverse("admin:appointments_appointmentrequest_search")
        changelist.search_words = search_words(request, changelist.query) or ""
        return changelist

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            audit.record_view(self.get_object(request, object_id), view="history")
        return response

    def get_search_results(self, request, queryset, search_term):
        """Searches the words behind the address's search id, within the view's filters. A phone
        number matches on any 4 or more digits in a row, however they are typed: '555-0181',
        '(212) 555-0181' and '0181' all find +12125550181."""
        if is_search_id(search_term):
            search_term = search_words(request, search_term) or ""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digits = "".join(character for character in search_term if character.isdigit())
        if len(digits) >= 4 and not any(character.isalpha() for character in search_term):
            if len(digits) == 11 and digits.startswith("1"):
                digits = digits[1:]  # the country code, typed or not
            found |= queryset.filter(phone__contains=digits)
        return found, may_have_duplicates

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

    def contact_panel(self, request, appointment) -> dict:
        """The contact log and its two forms, above the request's own form."""
        can_change = self.has_change_permission(request, appointment)
        return {
            "contact_attempts": appointment.contact_attempts.select_related("made_by"),
            "failing_today": appointment.patient_fields_failing_today(),
            "patient_messages": appointment.messages.all(),
            "contact_form": ContactAttemptForm() if can_change else None,
            "email_form": PatientEmailForm(appointment=appointment) if can_change else None,
            "appointment": appointment,
        }

    def _panel_post(self, request, object_id, make_form, record, template_title):
        appointment = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, appointment):
            raise PermissionDenied
        change_url = reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk])
        if request.method != "POST":
            return redirect(change_url)
        form = make_form(request.POST, appointment)
        if form.is_valid():
            message = record(appointment, form.cleaned_data)
            messages.success(request, message)
            return redirect(f"{change_url}#contact-log")
        context = {
            **self.admin_site.each_context(request),
            "title": template_title,
            "opts": self.opts,
            "original": appointment,
            "form": form,
            "action": request.path,
            "change_url": change_url,
        }
        response = TemplateResponse(request, "admin/appointments/appointmentrequest/panel_form.html", context)
        response.status_code = 400
        return response

    def contact_view(self, request, object_id):
        """Logs a contact attempt on its own: it never conflicts with the request's form."""

        def record(appointment, data):
            contact_attempt_record(appointment=appointment, made_by=request.user, **data)
            return _("Contact attempt logged on %s.") % appointment

        return self._panel_post(
            request, object_id, lambda data, _appointment: ContactAttemptForm(data), record, _("Log a contact attempt")
        )

    def email_view(self, request, object_id):
        """Queues one of the clinic's e-mails to the patient, logged in the contact log."""

        def record(appointment, data):
            patient_email_send(
                appointment=appointment,
                template=data["template"],
                sent_by=request.user,
                appointment_at=appointment.appointment_at,
            )
            return _("E-mail “%(name)s” queued for the patient of %(request)s; the contact log shows it.") % {
                "name": data["template"],
                "request": appointment,
            }

        return self._panel_post(
            request,
            object_id,
            lambda data, appointment: PatientEmailForm(data, appointment=appointment),
            record,
            _("E-mail the patient"),
        )

    def save_model(self, request, obj, form, change):
        """The request's page and the queue's rows save through one function, which refuses a
        save made on an older version (the form has already said so) and records who and when.
        Recording an appointment e-mails the patient its confirmation, if asked."""
        if not change:
            return super().save_model(request, obj, form, change)
        changes = form.staff_changes()
        saved = appointment_request_change(
            appointment=obj, opened_version=form.cleaned_data["opened_version"], changed_by=request.user, **changes
        )
        if "appointment_at" in changes and saved.appointment_at and form.cleaned_data.get("send_confirmation"):
            confirmation = MessageTemplate.objects.filter(confirms_appointment=True).first()
            if confirmation is None:
                messages.warning(
                    request,
                    _("No confirmation was sent: no e-mail to patients is marked as confirming an appointment."),
                )
            else:
                patient_email_send(
                    appointment=saved, template=confirmation, sent_by=request.user, appointment_at=saved.appointment_at
                )
                messages.info(request, _("The patient's confirmation, with a calendar file, is queued."))

    @admin.action(description=_("Mark selected requests as contacted"), permissions=["change"])
    def mark_contacted(self, request, queryset):
        count = 0
        for appointment in queryset:
            if appointment.status != AppointmentRequest.Status.CONTACTED:
                appointment_request_set_status(
                    appointment=appointment, status=AppointmentRequest.Status.CONTACTED, changed_by=request.user
                )
                count += 1
        self.message_user(
            request,
            ngettext("%d request marked as contacted.", "%d requests marked as contacted.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Assign selected requests to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        count = queryset.update(assigned_to=request.user)
        self.message_user(
            request, ngettext("%d request assigned to you.", "%d requests assigned to you.", count) % count
        )

    @admin.action(description=_("Close selected as duplicates of the oldest one"), permissions=["change"])
    def merge_duplicates(self, request, queryset):
        requests = list(queryset.order_by("received_at", "pk"))
        original, duplicates = requests[0], requests[1:]
        same_person = Q(email__iexact=original.email) | Q(phone=original.phone)
        if not duplicates or queryset.exclude(same_person).exists():
            self.message_user(request, _("Select two or more requests with the same e-mail or phone."), messages.ERROR)
            return
        for duplicate in duplicates:
            appointment_request_merge(duplicate=duplicate, original=original, changed_by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d request closed as a duplicate of %(original)s.",
                "%(count)d requests closed as duplicates of %(original)s.",
                len(duplicates),
            )
            % {"count": len(duplicates), "original": original},
            messages.SUCCESS,
        )

    @admin.action(description=_("Export selected requests as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        audit.record_export(request, queryset, "requests CSV")
        return requests_csv(queryset)


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["name", "subject", "body", "confirms_appointment", "order"]

    def clean_subject(self):
        check_template_text(self.cleaned_data["subject"])
        return self.cleaned_data["subject"]

    def clean_body(self):
        check_template_text(self.cleaned_data["body"])
        return self.cleaned_data["body"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """The e-mails the front desk sends patients from a request's page."""

    form = MessageTemplateForm
    list_display = ["name", "subject", "confirms_appointment", "order"]
    list_editable = ["order"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        words = ", ".join(f"{{{name}}} ({meaning})" for name, meaning in MessageTemplate.PLACEHOLDERS.items())
        form.base_fields["body"].help_text = _(
            "Plain text. The site fills in %(words)s. Never write anything medical: e-mail is not private."
        ) % {"words": words}
        return form


@admin.register(PrivacyRecord)
class PrivacyRecordAdmin(admin.ModelAdmin):
    """The trail of privacy requests: read only, never changed or deleted from the admin."""

    list_display = ["at", "user", "action", "address", "rows"]
    list_filter = ["action"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
