"""Content in the admin: the clinic, treatments, their pages with everything on them, the review
record and each page's history and reading grade."""

from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .history import page_changes
from .models import Clinic, FAQEntry, PreventionStep, PreventionTip, Section, Treatment, TreatmentPage
from .readability import page_readability
from .reviews import PageReview, Reviewer

PICTURE_FIELDS = ["image", "image_alt", "image_is_decorative"]


@admin.register(Clinic)
class ClinicAdmin(SimpleHistoryAdmin):
    list_display = ["name", "phone", "email", "accepting_new_patients"]

    def has_add_permission(self, request):
        # The site shows one clinic; add it only when there is none yet.
        return super().has_add_permission(request) and not Clinic.objects.exists()


class TreatmentPageInline(admin.TabularInline):
    model = TreatmentPage
    fields = ["title", "short_title", "slug", "kind", "order", "is_published", "last_updated"]
    show_change_link = True
    extra = 0


@admin.register(Treatment)
class TreatmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "order", "is_published"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "order", "is_published"]}),
        (_("Picture on the treatment's card"), {"fields": PICTURE_FIELDS}),
    ]
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


class PageReviewInline(admin.TabularInline):
    """Reviews are added, never edited: the record of what was reviewed when stays as it was."""

    model = PageReview
    fields = ["reviewed_on", "reviewer", "notes"]
    extra = 0
    verbose_name_plural = _("Review record (add a review when a reviewer has checked this page)")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reviewer":
            kwargs["initial"] = Reviewer.objects.filter(user=request.user).first()
            kwargs["queryset"] = Reviewer.objects.select_related("user")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(TreatmentPage)
class TreatmentPageAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "treatment",
        "last_updated",
        "last_review",
        "next_review",
        "reading_grade",
        "is_published",
    ]
    list_filter = ["treatment", "kind", "is_published"]
    search_fields = ["title", "summary"]
    readonly_fields = ["review_status", "readability", "change_history"]
    fieldsets = [
        (_("Review"), {"fields": ["review_status", "readability"]}),
        (
            None,
            {
                "fields": [
                    "treatment",
                    "kind",
                    "title",
                    "short_title",
                    "slug",
                    "summary",
                    "description",
                    "intro",
                    "order",
                ]
            },
        ),
        (_("Picture"), {"fields": PICTURE_FIELDS}),
        (_("Publication"), {"fields": ["last_updated", "is_published"]}),
        (_("History"), {"fields": ["change_history"], "classes": ["collapse"]}),
    ]
    inlines = [PageReviewInline, SectionInline, FAQEntryInline, PreventionStepInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_content()

    @admin.display(description=_("last review"))
    def last_review(self, page):
        review = page.latest_review
        return review.reviewed_on if review else _("not yet reviewed")

    @admin.display(description=_("next review due"))
    def next_review(self, page):
        review = page.latest_review
        if review is None:
            return _("due now (never reviewed)")
        if review.is_overdue:
            return format_html('<strong class="review-overdue">{} ({})</strong>', _("overdue"), review.next_review_due)
        return review.next_review_due

    @admin.display(description=_("reading grade"))
    def reading_grade(self, page):
        readability = page_readability(page)
        mark = "" if readability.meets_target else " ✗"
        return f"{readability.grade}{mark}"

    @admin.display(description=_("review status"))
    def review_status(self, page):
        if page.pk is None:
            return "-"
        review = page.latest_review
        if review is None:
            return _(
                "Not yet reviewed. Patients see only 'Last updated %(date)s' until a review is recorded below."
            ) % {"date": page.last_updated}
        text = _("Reviewed by %(reviewer)s on %(date)s; next review due %(due)s.") % {
            "reviewer": review.reviewer,
            "date": review.reviewed_on,
            "due": review.next_review_due,
        }
        if review.is_overdue:
            return format_html("<strong>{}</strong> {}", _("Overdue:"), text)
        return text

    @admin.display(description=_("reading grade"))
    def readability(self, page):
        if page.pk is None:
            return "-"
        result = page_readability(page)
        verdict = _("meets the target") if result.meets_target else _("above the target: please simplify")
        summary = format_html(
            "<p>{} {} ({} {}: {})</p>",
            _("Flesch-Kincaid grade"),
            result.grade,
            _("target"),
            settings.READING_GRADE_TARGET,
            verdict,
        )
        if not result.hardest:
            return summary
        hardest = format_html_join("", "<li>{} ({})</li>", ((part.name, part.grade) for part in result.hardest))
        return format_html("{}<p>{}</p><ul>{}</ul>", summary, _("Hardest to read:"), hardest)

    @admin.display(description=_("changes to this page"))
    def change_history(self, page):
        if page.pk is None:
            return "-"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((change.when, change.who, change.what) for change in page_changes(page)),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("When"),
            _("Who"),
            _("What changed"),
            rows,
        )


class PreventionTipInline(admin.TabularInline):
    model = PreventionTip
    fields = ["order", "text"]
    extra = 0


@admin.register(PreventionStep)
class PreventionStepAdmin(SimpleHistoryAdmin):
    list_display = ["title", "page", "order"]
    list_filter = ["page"]
    list_select_related = ["page__treatment"]
    inlines = [PreventionTipInline]


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user"]
    list_select_related = ["user"]
