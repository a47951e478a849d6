"""Content in the admin: the clinic, treatments, their pages with everything on them, the review
record and each page's history and reading grade."""

from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .claims import page_claims
from .history import page_changes
from .models import (
    Clinic,
    ClinicClosure,
    FAQEntry,
    OpeningTime,
    PreventionStep,
    PreventionTip,
    Section,
    Treatment,
    TreatmentPage,
)
from .readability import page_readability
from .reviews import PageReview, Reviewer
from .sources import PageSource, Source

PICTURE_FIELDS = ["image", "image_alt", "image_is_decorative"]


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
            {"fields": ["staff_alert_email", "response_business_days", "review_interval_months"]},
        ),
    ]
    inlines = [OpeningTimeInline, ClinicClosureInline]

    def has_add_permission(self, request):
        # The site shows one clinic; add it only when there is none yet.
        return super().has_add_permission(request) and not Clinic.objects.exists()


class TreatmentPageInline(admin.TabularInline):
    model = TreatmentPage
    fields = ["title", "short_title", "slug", "kind", "order", "is_published"]
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


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "publisher", "date_display", "url", "checked_on"]
    list_filter = ["publisher"]
    search_fields = ["title", "publisher", "url"]
    fields = ["title", "publisher", "published_on", "published_precision", "url", "checked_on", "notes"]

    @admin.display(description=_("date of the source"))
    def date_display(self, source):
        return source.date_display


class PageSourceInline(admin.TabularInline):
    model = PageSource
    fields = ["order", "source"]
    autocomplete_fields = ["source"]
    extra = 0
    verbose_name_plural = _("Sources of this page (shown to patients in this order)")


class SectionInline(admin.StackedInline):
    model = Section
    fields = ["order", "heading", "anchor", "body", "sources"]
    autocomplete_fields = ["sources"]
    prepopulated_fields = {"anchor": ["heading"]}
    extra = 0


class FAQEntryInline(admin.StackedInline):
    model = FAQEntry
    fields = ["order", "question", "anchor", "answer", "sources"]
    autocomplete_fields = ["sources"]
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
    fields = ["reviewed_on", "reviewer", "claims_signed_off", "notes"]
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
        "updated",
        "last_review",
        "next_review",
        "reading_grade",
        "is_published",
    ]
    list_filter = ["treatment", "kind", "is_published"]
    search_fields = ["title", "summary"]
    readonly_fields = ["review_status", "readability", "claims_check", "unwritten", "updated", "change_history"]
    fieldsets = [
        (_("Review"), {"fields": ["review_status", "readability", "claims_check", "unwritten"]}),
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
                    "at_a_glance",
                    "order",
                ]
            },
        ),
        (
            _("Before deciding (each is shown to patients only once written, and only from a cited source)"),
            {"fields": ["who_should_not", "risks", "when_to_get_help", "cost"]},
        ),
        (_("Picture"), {"fields": PICTURE_FIELDS}),
        (_("Publication"), {"fields": ["updated", "is_published"]}),
        (_("History"), {"fields": ["change_history"], "classes": ["collapse"]}),
    ]
    inlines = [PageReviewInline, PageSourceInline, SectionInline, FAQEntryInline, PreventionStepInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_content()

    @admin.display(description=_("last updated"), ordering="words_changed_at")
    def updated(self, page):
        """Set by the site when the page's words change; nobody types it."""
        return page.last_updated or "-"

    @admin.display(description=_("claims check"))
    def claims_check(self, page):
        if page.pk is None:
            return "-"
        claims = page_claims(page)
        if not claims:
            return _("No claim phrases found.")
        rows = format_html_join(
            "",
            "<li>“{}” <em>({})</em>: {} <br><small>{}</small></li>",
            (
                (
                    claim.words,
                    claim.where,
                    _("cites %(sources)s") % {"sources": ", ".join(source.title for source in claim.sources)}
                    if claim.is_cited
                    else format_html("<strong>{}</strong>", _("no source")),
                    claim.excerpt,
                )
                for claim in claims
            ),
        )
        return format_html(
            "<p>{}</p><ul>{}</ul>",
            _(
                "Words that health-advertising rules treat as claims needing evidence (the list is in "
                "treatments/claims.py). One without a source stops the page being marked reviewed, unless the "
                "reviewing clinician signs it off."
            ),
            rows,
        )

    @admin.display(description=_("not written yet"))
    def unwritten(self, page):
        if page.pk is None:
            return "-"
        missing = page.unwritten_sections
        if not missing:
            return _("Every part a patient needs before deciding is written.")
        return format_html(
            "{} <strong>{}</strong>",
            _("Not shown to patients until written:"),
            ", ".join(str(part) for part in missing),
        )

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
                "Not yet reviewed. Patients read 'No clinician has reviewed this page yet' until a review is "
                "recorded below."
            )
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
            (  # the clinic's time, to the minute
                (f"{timezone.localtime(change.when):%-d %b %Y, %-I:%M %p}", change.who, change.what)
                for change in page_changes(page)
            ),
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
