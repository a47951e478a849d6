"""The clinic's details, opening hours and closed days."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..models import Clinic, ClinicClosure, ClinicWords, OpeningTime


class OpeningTimeInline(admin.TabularInline):
    model = OpeningTime
    fields = ["weekday", "opens", "closes"]
    extra = 0
    verbose_name_plural = _(
        "Opening hours (the response promise and overdue badges are counted on these; none: no promise is made)"
    )


class ClinicClosureInline(admin.TabularInline):
    model = ClinicClosure
    fields = ["day", "reason"]
    extra = 0


class ClinicWordsInline(admin.StackedInline):
    """The clinic's words for patients in each other language of the site."""

    model = ClinicWords
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(SimpleHistoryAdmin):
    list_display = ["name", "phone", "email", "accepting_new_patients"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "phone",
                    "email",
                    "street_address",
                    "address_note",
                    "locality",
                    "city",
                    "region",
                    "postal_code",
                    "next_steps",
                    "accepting_new_patients",
                ]
            },
        ),
        (
            _("Visiting page (each part is shown only once written)"),
            {"fields": ["directions", "step_free_access", "costs"]},
        ),
        (
            _("Front desk and editors"),
            {"fields": ["staff_alert_email", "response_business_days", "visit_minutes", "review_interval_months"]},
        ),
    ]
    inlines = [OpeningTimeInline, ClinicClosureInline, ClinicWordsInline]

    def has_add_permission(self, request):
        # The site shows one clinic; add it only when there is none yet.
        return super().has_add_permission(request) and not Clinic.objects.exists()
