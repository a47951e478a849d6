"""Treatments and their pages: the page's form with its parts."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..claims import page_claims
from ..history import page_changes
from ..models import FAQEntry, PreventionStep, PreventionTip, Section, Treatment, TreatmentPage
from ..readability import page_readability
from ..revisions import record_revision
from .base import PICTURE_FIELDS, PictureStoreOutage
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
class TreatmentAdmin(PictureStoreOutage, SimpleHistoryAdmin):
    list_display = ["name", "language", "translation_of", "slug", "order", "is_published"]
    list_filter = ["language"]
    fieldsets = [
        (None, {"fields": ["name", "language", "translation_of", "slug", "summary", "order", "is_published"]}),
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


class TranslationFilter(admin.SimpleListFilter):
    title = _("translation")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [
            ("out_of_date", _("Out of date: the page it translates changed after it")),
            ("translations", _("All translations")),
            ("originals", _("Pages in the site's first language")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "out_of_date":
            return queryset.translations_out_of_date()
        if self.value() == "translations":
            return queryset.filter(translation_of__isnull=False)
        if self.value() == "originals":
            return queryset.filter(translation_of__isnull=True)
        return queryset


def translation_state(translation, original) -> str:
    """Whether `translation` still says what `original` says, in the words editors act on."""
    if not translation.translation_out_of_date:
        return _("Up to date with “%(title)s”.") % {"title": original.title}
    changed = timezone.localdate(original.words_changed_at)
    return format_html(
        '<strong class="review-overdue">{}</strong>',
        _(
            "The %(language)s page changed on %(day)s after this translation: bring this page's words up to date, "
            "then mark it so (the list of pages: “Mark the selected translations as up to date”)."
        )
        % {"language": get_language_info(original.language)["name"], "day": f"{changed:%-d %B %Y}"},
    )


def claim_problem(claim) -> str:
    """What the claims check says of a claim nothing backs."""
    if claim.as_fact:
        return _("stated as fact: say whose words these are")
    if claim.strong:
        return _("no source on this sentence: cite one as [n], or a clinical reviewer signs it off")
    return _("no source")


@admin.register(TreatmentPage)
class TreatmentPageAdmin(PictureStoreOutage, DraftViews, RevisionViews, ReviewViews, SimpleHistoryAdmin):
    """A page's form with everything on it; its drafts, revisions and reviews are the mixins'
    (each its own module). A published page's forms refuse an unbacked claim of safety or results."""

    form = ClaimsCheckedPageForm

    class Media:
        js = ["js/reading-grade.js"]

    list_display = [
        "title",
        "treatment",
        "language",
        "updated",
        "last_review",
        "next_review",
        "reading_grade",
        "is_published",
    ]
    list_filter = ["treatment", "treatment__language", TranslationFilter, "kind", "is_published"]
    actions = ["mark_translations_up_to_date"]
    search_fields = ["title", "summary"]
    readonly_fields = [
        "draft_panel",
        "translation_status",
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
            {
                "fields": [
                    "draft_panel",
                    "translation_status",
                    "review_status",
                    "readability",
                    "claims_check",
                    "unwritten",
                ]
            },
        ),
        (
            None,
            {
                "fields": [
                    "treatment",
                    "translation_of",
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

    @admin.display(description=_("language"), ordering="treatment__language")
    def language(self, page):
        return get_language_info(page.language)["name"]

    @admin.display(description=_("translation"))
    def translation_status(self, page):
        """On a translation: whether the page it translates changed after it. On an original: its
        translations, each with that state."""
        if page.pk is None:
            return "-"
        original = page.translation_of
        if original is not None:
            return translation_state(page, original)
        translations = list(page.translations.filter(draft_of__isnull=True).select_related("treatment"))
        if not translations:
            return _("Not translated into any other language yet.")
        return format_html_join(
            "",
            '<p><a href="{}">{}</a> ({}): {}</p>',
            (
                (
                    reverse("admin:treatments_treatmentpage_change", args=[translation.pk]),
                    translation.title,
                    get_language_info(translation.language)["name"],
                    translation_state(translation, page),
                )
                for translation in translations
            ),
        )

    @admin.action(description=_("Mark the selected translations as up to date with the page they translate"))
    def mark_translations_up_to_date(self, request, queryset):
        marked = 0
        for page in queryset.filter(translation_of__isnull=False).select_related("translation_of"):
            TreatmentPage.objects.filter(pk=page.pk).update(translated_words_at=page.translation_of.words_changed_at)
            marked += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d translation marked as up to date.", "%(count)d translations marked as up to date.", marked
            )
            % {"count": marked},
        )

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
