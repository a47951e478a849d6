import csv

import phonenumbers
from django.contrib import admin, messages
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import AppointmentRequest, PageComment, RatedPage
from .services import appointment_request_set_status

PATIENT_FIELDS = ["received_at", *AppointmentRequest.PATIENT_FIELDS]
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """The value as text a spreadsheet shows literally, never evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class _Echo:
    def write(self, value):
        return value


def csv_response(filename, header, rows):
    writer = csv.writer(_Echo())
    lines = (writer.writerow([spreadsheet_safe(cell) for cell in row]) for row in [header, *rows])
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class NotificationFilter(admin.SimpleListFilter):
    title = _("notification")
    parameter_name = "notification"

    def lookups(self, request, model_admin):
        return [("pending", _("Not yet notified")), ("sent", _("Notified"))]

    def queryset(self, request, queryset):
        pending = AppointmentRequest.objects.notification_pending().values("pk")
        if self.value() == "pending":
            return queryset.filter(pk__in=pending)
        if self.value() == "sent":
            return queryset.exclude(pk__in=pending)
        return queryset


@admin.register(AppointmentRequest)
class AppointmentRequestAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "full_name",
        "treatment",
        "purpose",
        "contact_preference",
        "contact",
        "status",
        "notified",
    ]
    list_display_links = ["received_at", "full_name"]
    list_filter = [
        "status",
        "contact_preference",
        "newsletter",
        "treatment",
        ("received_at", admin.DateFieldListFilter),
        NotificationFilter,
    ]
    list_select_related = ["treatment"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    search_help_text = _("Search by first or last name, e-mail or phone (any format).")
    ordering = ["-received_at", "-pk"]
    date_hierarchy = "received_at"
    list_per_page = 50
    actions = ["mark_contacted", "export_csv", "export_newsletter_opt_ins"]
    readonly_fields = [
        *PATIENT_FIELDS,
        "status_changed_at",
        "status_changed_by",
        "staff_notified_at",
        "patient_confirmed_at",
    ]
    fieldsets = [
        (_("What the patient sent"), {"fields": PATIENT_FIELDS}),
        (_("Front desk"), {"fields": ["status", "staff_notes", "status_changed_at", "status_changed_by"]}),
        (_("Notifications"), {"fields": ["staff_notified_at", "patient_confirmed_at"]}),
    ]

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, appointment):
        return appointment.full_name

    @admin.display(description=_("phone / e-mail"))
    def contact(self, appointment):
        return f"{appointment.phone.as_national if appointment.phone else ''} / {appointment.email}"

    @admin.display(description=_("notified"), boolean=True)
    def notified(self, appointment):
        return not appointment.notification_is_pending

    def has_add_permission(self, request):
        return False  # requests come from patients, through the site

    def get_search_results(self, request, queryset, search_term):
        """Also finds a phone number typed the way staff say it, e.g. '(212) 679-9667'."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            number = phonenumbers.parse(search_term, "US")
        except phonenumbers.NumberParseException:
            return queryset, may_have_duplicates
        if phonenumbers.is_possible_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            queryset |= self.model.objects.filter(phone=e164)
        return queryset, may_have_duplicates

    def save_model(self, request, obj, form, change):
        if change and "status" in form.changed_data:
            obj.status_changed_at = timezone.now()
            obj.status_changed_by = request.user
        super().save_model(request, obj, form, change)

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

    @admin.action(description=_("Export selected requests as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        header = [
            "received",
            "first name",
            "last name",
            "city",
            "state",
            "e-mail",
            "phone",
            "contact by",
            "newsletter",
            "would like to",
            "treatment",
            "comments",
            "status",
        ]
        rows = (
            [
                timezone.localtime(a.received_at).strftime("%Y-%m-%d %H:%M"),
                a.first_name,
                a.last_name,
                a.city,
                a.state,
                a.email,
                a.phone.as_national if a.phone else "",
                a.get_contact_preference_display(),
                "yes" if a.newsletter else "no",
                a.get_purpose_display(),
                a.treatment.name if a.treatment else "",
                a.comments,
                a.get_status_display(),
            ]
            for a in queryset.select_related("treatment").order_by("-received_at")
        )
        return csv_response("appointment-requests.csv", header, rows)

    @admin.action(description=_("Export newsletter opt-ins (selected requests) as CSV"), permissions=["view"])
    def export_newsletter_opt_ins(self, request, queryset):
        latest_per_address = {}
        for appointment in queryset.filter(newsletter=True).order_by("received_at"):
            latest_per_address[appointment.email.lower()] = appointment
        rows = ([a.first_name, a.last_name, a.email] for _, a in sorted(latest_per_address.items()))
        return csv_response("newsletter-opt-ins.csv", ["first name", "last name", "e-mail"], rows)


class ReadOnlyAdminMixin:
    """Figures and comments come from visitors: staff read them (and may delete), never edit them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RatedPage)
class RatedPageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["page_title", "average", "count", "distribution_text"]
    list_filter = [("content_type", admin.RelatedOnlyFieldListFilter)]  # only kinds of page rated so far
    readonly_fields = ["content_type", "object_id", "count", "total", *RatedPage.STAR_FIELDS]

    def get_queryset(self, request):
        return super().get_queryset(request).with_average().prefetch_related("page")

    ordering = ["-count", "pk"]  # the average is sortable from its column

    @admin.display(description=_("page"))
    def page_title(self, rated_page):
        return str(rated_page)

    @admin.display(description=_("average"), ordering="average_stars")
    def average(self, rated_page):
        # None shows the admin's usual mark for an empty value.
        return None if rated_page.average_stars is None else f"{rated_page.average_stars:.1f}"

    @admin.display(description=_("1★ / 2★ / 3★ / 4★ / 5★"))
    def distribution_text(self, rated_page):
        return " / ".join(str(votes) for votes in rated_page.distribution)


@admin.register(PageComment)
class PageCommentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "page_title", "stars", "text"]
    list_filter = [
        ("rated_page", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
        "stars",
    ]
    search_fields = ["text"]
    date_hierarchy = "created_at"
    readonly_fields = ["rated_page", "stars", "text", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rated_page").prefetch_related("rated_page__page")

    @admin.display(description=_("page"), ordering="rated_page")
    def page_title(self, comment):
        return str(comment.rated_page)
