from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Clinic, FAQEntry, PreventionStep, PreventionTip, Section, Treatment, TreatmentPage


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email", "accepting_new_patients"]

    def has_add_permission(self, request):
        # The site shows one clinic; add it only when there is none yet.
        return super().has_add_permission(request) and not Clinic.objects.exists()


class TreatmentPageInline(admin.TabularInline):
    model = TreatmentPage
    fields = ["title", "short_title", "slug", "kind", "order", "is_published", "last_reviewed", "next_review_due"]
    show_change_link = True
    extra = 0


@admin.register(Treatment)
class TreatmentAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "is_published"]
    list_editable = ["order", "is_published"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TreatmentPageInline]


class SectionInline(admin.StackedInline):
    model = Section
    fields = ["order", "heading", "anchor", "body"]
    prepopulated_fields = {"anchor": ["heading"]}
    extra = 0


class FAQEntryInline(admin.StackedInline):
    model = FAQEntry
    fields = ["order", "question", "anchor", "answer"]
    prepopulated_fields = {"anchor": ["question"]}
    extra = 0


class PreventionStepInline(admin.StackedInline):
    model = PreventionStep
    fields = ["order", "title", "detail"]
    show_change_link = True  # Its tips are edited on the step's own page.
    extra = 0


@admin.register(TreatmentPage)
class TreatmentPageAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "treatment",
        "kind",
        "order",
        "last_reviewed",
        "next_review_due",
        "review_overdue",
        "is_published",
    ]
    list_filter = ["treatment", "kind", "is_published", "next_review_due"]
    list_select_related = ["treatment"]
    search_fields = ["title", "summary"]
    date_hierarchy = "next_review_due"
    fieldsets = [
        (None, {"fields": ["treatment", "kind", "title", "short_title", "slug", "summary", "intro", "order"]}),
        (
            _("Review record"),
            {"fields": ["first_published", "last_reviewed", "next_review_due", "reviewed_by", "is_published"]},
        ),
    ]
    inlines = [SectionInline, FAQEntryInline, PreventionStepInline]

    @admin.display(boolean=True, description=_("review overdue"))
    def review_overdue(self, page):
        return page.review_is_overdue


class PreventionTipInline(admin.TabularInline):
    model = PreventionTip
    fields = ["order", "text"]
    extra = 0


@admin.register(PreventionStep)
class PreventionStepAdmin(admin.ModelAdmin):
    list_display = ["title", "page", "order"]
    list_filter = ["page"]
    list_select_related = ["page__treatment"]
    inlines = [PreventionTipInline]
