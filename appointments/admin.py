"""The front desk's queue of appointment requests. Ratings have their own admin in
`appointments.ratings.admin`; the dashboard is `appointments.dashboard`."""

from urllib.parse import urlencode

import phonenumbers
from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import audit
from .admin_filters import AssignedFilter, NotificationFilter, OpenFilter
from .admin_search import is_search_id, remember_search, search_words
from .exports import newsletter_csv, requests_csv
from .models import AppointmentRequest, ContactAttempt
from .ratings.admin import PageCommentAdmin, RatedPageAdmin  # noqa: F401  (registers them)
from .response_time import is_overdue, response_due
from .services import appointment_request_merge, appointment_request_set_status, contact_attempt_record

# Shown read-only, as the patient sent them (phone and e-mail as links, see below).
AS_SENT_FIELDS = ["received_at", *AppointmentRequest.PATIENT_FIELDS]
CONTACT_FIELDS = ["first_name", "last_name", "phone_link", "email_link", "contact_preference", "city", "state"]
REQUEST_FIELDS = [name for name in AS_SENT_FIELDS if name not in [*CONTACT_FIELDS, "phone", "email"]]

# The queue fits a 1366 px laptop without the admin's side menu.
admin.site.enable_nav_sidebar = False


class ContactAttemptInline(admin.TabularInline):
    """The contact log: attempts are added (by whoever is signed in, now), never edited."""

    model = ContactAttempt
    fields = ["made_at", "made_by", "method", "outcome", "note"]
    readonly_fields = ["made_at", "made_by"]
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AppointmentRequest)
class AppointmentRequestAdmin(admin.ModelAdmin):
    list_display = ["name", "received", "status", "contact_by", "waiting", "assigned_to"]
    list_display_links = ["name"]
    list_editable = ["status", "assigned_to"]
    list_filter = [
        OpenFilter,
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
    search_fields = ["first_name", "last_name", "email", "phone", "city", "comments"]
    search_help_text = _("Search by name, e-mail, phone (any format), city or comments.")
    ordering = ["received_at", "pk"]  # oldest first: who has waited longest
    list_per_page = 50
    actions = ["mark_contacted", "assign_to_me", "merge_duplicates", "export_csv", "export_newsletter_opt_ins"]
    inlines = [ContactAttemptInline]
    readonly_fields = [
        *AS_SENT_FIELDS,
        "phone_link",
        "email_link",
        "sent_quickly",
        "response_due_display",
        "possible_duplicates",
        "status_changed_at",
        "status_changed_by",
        "first_contacted_at",
        "staff_notified_at",
        "patient_confirmed_at",
        "notification_attempts",
        "notification_problem",
    ]
    fieldsets = [
        (_("How to reach the patient"), {"fields": CONTACT_FIELDS}),
        (_("What the patient sent"), {"fields": [*REQUEST_FIELDS, "sent_quickly"]}),
        (
            _("Front desk"),
            {
                "fields": [
                    "status",
                    "assigned_to",
                    "response_due_display",
                    "staff_notes",
                    "possible_duplicates",
                    "duplicate_of",
                    "first_contacted_at",
                    "status_changed_at",
                    "status_changed_by",
                ]
            },
        ),
        (
            _("Notifications"),
            {"fields": ["staff_notified_at", "patient_confirmed_at", "notification_attempts", "notification_problem"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_duplicate_flag()

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, appointment):
        return f"#{appointment.pk} {appointment.full_name}"

    @admin.display(description=_("received"), ordering="received_at")
    def received(self, appointment):
        received = timezone.localtime(appointment.received_at)
        if timezone.now() - appointment.received_at < timezone.timedelta(days=1):
            return _("%(time)s ago") % {"time": timesince(appointment.received_at, depth=1)}
        return f"{received:%-d %b %Y, %-I:%M %p}"

    @admin.display(description=_("contact by"), ordering="contact_preference")
    def contact_by(self, appointment):
        return appointment.get_contact_preference_display()

    @admin.display(description=_("waiting"))
    def waiting(self, appointment):
        badges = []
        answered = appointment.first_contacted_at is not None or appointment.status != AppointmentRequest.Status.NEW
        if is_overdue(appointment.received_at, answered):
            badges.append(format_html('<strong class="badge badge--overdue">{}</strong>', _("Overdue")))
        if appointment.has_possible_duplicate:
            badges.append(format_html('<span class="badge">{}</span>', _("Possible duplicate")))
        text = _("answered") if answered else timesince(appointment.received_at, depth=1)
        return format_html("{} {}", text, format_html_join(" ", "{}", ((badge,) for badge in badges)))

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
        due = response_due(appointment.received_at)
        if due is None:
            return _("No response time: the clinic's opening hours are not recorded yet (Clinic, in the admin).")
        return f"{timezone.localtime(due):%A %-d %B, %-I:%M %p}"

    @admin.display(description=_("possible duplicates"))
    def possible_duplicates(self, appointment):
        others = AppointmentRequest.objects.possible_duplicates_of(appointment).order_by("received_at")
        if not others:
            return _("None: no other request with this e-mail or phone within 30 days.")
        return format_html_join(", ", '<a href="{}">{}</a>', ((other.get_admin_url(), str(other)) for other in others))

    def get_changelist_form(self, request, **kwargs):
        """Each row's status and assignment controls are labelled with the request they change,
        and the staff to assign to are read once for the whole list, not once per row."""
        base = super().get_changelist_form(request, **kwargs)
        staff_choices = None

        class QueueRowForm(base):
            def __init__(self, *args, **form_kwargs):
                nonlocal staff_choices
                super().__init__(*args, **form_kwargs)
                assigned_to = self.fields["assigned_to"]
                if staff_choices is None:
                    staff_choices = list(assigned_to.choices)
                assigned_to.choices = staff_choices
                number = self.instance.pk
                labels = {"status": _("Status of request #%s"), "assigned_to": _("Request #%s assigned to")}
                for name, label in labels.items():
                    widget = self.fields[name].widget
                    # The admin wraps a foreign key's select in its own widget: label the select itself.
                    getattr(widget, "widget", widget).attrs["aria-label"] = label % number

        return QueueRowForm

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and "duplicate_of" in form.base_fields:
            form.base_fields["duplicate_of"].queryset = AppointmentRequest.objects.possible_duplicates_of(obj)
        return form

    def has_add_permission(self, request):
        return False  # requests come from patients, through the site

    # Searching without the words in the address (admin_search.py)

    def get_urls(self):
        search = path(
            "search/",
            self.admin_site.admin_view(self.search_view),
            name="appointments_appointmentrequest_search",
        )
        return [search, *super().get_urls()]

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
        if request.method == "GET" and getattr(response, "context_data", None) and "cl" in response.context_data:
            changelist = response.context_data["cl"]
            audit.record_list(request, [row.pk for row in changelist.result_list], searched=bool(query))
        return response

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
        """Searches the words behind the address's search id; also finds a phone number typed the
        way staff say it, e.g. '(212) 679-9667'."""
        if is_search_id(search_term):
            search_term = search_words(request, search_term) or ""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            number = phonenumbers.parse(search_term, "US")
        except phonenumbers.NumberParseException:
            return queryset, may_have_duplicates
        if phonenumbers.is_possible_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            queryset |= self.get_queryset(request).filter(phone=e164)
        return queryset, may_have_duplicates

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            audit.record_view(self.get_object(request, object_id))
        return response

    def save_model(self, request, obj, form, change):
        """Notes and assignment are saved as typed; a new status, or closing as a duplicate, goes
        through the one function for each, which records who did it and when."""
        new_status = obj.status
        original = obj.duplicate_of if "duplicate_of" in form.changed_data else None
        if change:
            obj.status = form.initial.get("status", new_status)
        if original is not None:
            obj.duplicate_of_id = form.initial.get("duplicate_of")
        if change:
            # Only the columns this form changed: the worker may have recorded a sent e-mail, or a
            # colleague a note, since the page was opened; a full save would write back old values.
            columns = {field.name for field in obj._meta.concrete_fields} - {"status", "duplicate_of"}
            fields = [name for name in form.changed_data if name in columns]
            if fields:
                obj.save(update_fields=fields)
        else:
            super().save_model(request, obj, form, change)
        if original is not None:
            appointment_request_merge(duplicate=obj, original=original, changed_by=request.user)
        else:
            appointment_request_set_status(appointment=obj, status=new_status, changed_by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ContactAttempt:
            return super().save_formset(request, form, formset, change)
        # What the admin's history message reads (Django's formset.save() would set these).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for attempt_form in formset.forms:
            if attempt_form.has_changed() and attempt_form.instance.pk is None and attempt_form.is_valid():
                data = attempt_form.cleaned_data
                attempt = contact_attempt_record(
                    appointment=form.instance,
                    made_by=request.user,
                    method=data["method"],
                    outcome=data["outcome"],
                    note=data.get("note", ""),
                )
                formset.new_objects.append(attempt)

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
        audit.record_export(queryset, "requests CSV")
        return requests_csv(queryset)

    @admin.action(description=_("Export newsletter opt-ins (selected requests) as CSV"), permissions=["view"])
    def export_newsletter_opt_ins(self, request, queryset):
        audit.record_export(queryset.filter(newsletter=True), "newsletter CSV")
        return newsletter_csv(queryset)
