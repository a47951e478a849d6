"""Treatments and their pages: the page's form with its parts."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..claims import page_claims
from ..history import page_changes
from ..models import FAQEntry, PreventionStep, PreventionTip, Section, Treatment, TreatmentPage
from ..readability import page_readability
from ..revisions import record_revision
from .base import PICTURE_FIELDS
from .claims_checked import ClaimsCheckedPageForm, ClaimsCheckedPartFormSet
from .drafts import DraftViews
from .reviews import PageReviewInline, ReviewViews
from .revisions import RevisionViews
from .sources import PageSourceInline


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
        (_("Warning on every page"), {"fields": ["warning", "warning_source"]}),
        (_("Picture on the treatment's card"), {"fields": PICTURE_FIELDS}),
    ]
    list_editable = ["order", "is_published"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TreatmentPageInline]


class PagePartInline(admin.StackedInline):
    """A kind of part on a page's form: each folded to its title, checked for unbacked claims."""

    formset = ClaimsCheckedPartFormSet
    template = "admin/treatments/edit_inline/page_parts.html"
    extra = 0


class SectionInline(PagePartInline):
    model = Section
    fields = ["order", "heading", "anchor", "body", "sources"]
    autocomplete_fields = ["sources"]
    prepopulated_fields = {"anchor": ["heading"]}


class FAQEntryInline(PagePartInline):
    model = FAQEntry
    fields = ["order", "question", "anchor", "answer", "sources"]
    autocomplete_fields = ["sources"]
    prepopulated_fields = {"anchor": ["question"]}


class PreventionStepInline(PagePartInline):
    model = PreventionStep
    fields = ["order", "title", "detail"]
    show_change_link = True  # Its tips are edited on the step's own page.


def claim_problem(claim) -> str:
    """What the claims check says of a claim nothing backs."""
    if claim.as_fact:
        return _("stated as fact: say whose words these are")
    if claim.strong:
        return _("no source on this sentence: cite one as [n], or a clinical reviewer signs it off")
    return _("no source")


@admin.register(TreatmentPage)
class TreatmentPageAdmin(DraftViews, RevisionViews, ReviewViews, SimpleHistoryAdmin):
    """A page's form with everything on it; its drafts, revisions and reviews are the mixins'
    (each its own module). A published page's forms refuse an unbacked claim of safety or results."""

    form = ClaimsCheckedPageForm

    class Media:
        js = ["js/reading-grade.js"]

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
    readonly_fields = [
        "draft_panel",
        "review_status",
        "readability",
        "claims_check",
        "unwritten",
        "updated",
        "revision_list",
        "change_history",
    ]
    fieldsets = [
        (
            _("Draft and review"),
            {"fields": ["draft_panel", "review_status", "readability", "claims_check", "unwritten"]},
        ),
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
        (_("Revisions of the whole page"), {"fields": ["revision_list"], "classes": ["collapse"]}),
        (_("History of each part"), {"fields": ["change_history"], "classes": ["collapse"]}),
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
                    _("cites %(sources)s") % {"sources": ", ".join(str(source.title) for source in claim.sources)}
                    if claim.is_cited
                    else format_html("<strong>{}</strong>", claim_problem(claim)),
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

    def view_on_site(self, page):
        """A draft's "View on site" is its preview: the site shows the published page."""
        if page.draft_of_id:
            return reverse("admin:treatments_treatmentpage_preview", args=[page.pk])
        return page.get_absolute_url()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.instance.draft_of_id is None:  # a draft's revision is stored when it is published
            record_revision(form.instance, request.user)  # once the page and every part on it are saved

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

    def get_urls(self):
        return [*self.review_urls(), *self.revision_urls(), *self.draft_urls(), *super().get_urls()]


class PreventionTipInline(admin.TabularInline):
    formset = ClaimsCheckedPartFormSet
    model = PreventionTip
    fields = ["order", "text"]
    extra = 0


@admin.register(PreventionStep)
class PreventionStepAdmin(SimpleHistoryAdmin):
    list_display = ["title", "page", "order"]
    list_filter = ["page"]
    list_select_related = ["page__treatment"]
    inlines = [PreventionTipInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.instance.page.draft_of_id is None:
            record_revision(form.instance.page, request.user)  # a step's tips are part of its page
