"""Treatments, their pages, and the kinds of content on a page."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Max, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..months import add_months
from .clinic import Clinic
from .languages import first_language, site_languages
from .pictures import Illustrated
from .reviews import PageReview
from .sources import PageSource, Source


class TreatmentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_published_pages(self):
        """Treatments with their published pages in reading order, in one extra query."""
        return self.prefetch_related(
            Prefetch("pages", queryset=TreatmentPage.objects.published().order_by("order", "pk"))
        )


class Treatment(Illustrated):
    """A treatment the clinic offers, such as Mesotherapy; its pages hang off it."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("address name"), help_text=_("In the treatment's language, e.g. 'mesoterapia'."))
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=site_languages,  # read when asked: a third language needs no migration
        default=first_language,
        help_text=_("The language of the treatment and all its pages: patients reading it see these."),
    )
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # the translation stays, on its own
        related_name="translations",
        limit_choices_to={"translation_of__isnull": True},
        help_text=_("The treatment in the site's first language that this one translates. Empty for that one."),
    )
    summary = models.TextField(_("summary"), help_text=_("One or two sentences for lists of treatments."))
    order = models.PositiveIntegerField(_("order"), default=0)
    warning = models.TextField(
        _("warning at the top of every page"),
        blank=True,
        help_text=_(
            "What patients must know first (a regulator's warning), from the source below, in its words. "
            "Shown near the top of each of the treatment's pages, with links to what the FDA says and to "
            "when to get medical help. Empty: no warning is shown."
        ),
    )
    warning_source = models.ForeignKey(
        Source,
        verbose_name=_("source of the warning"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()
    is_published = models.BooleanField(_("published"), default=True)

    objects = TreatmentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("treatment")
        verbose_name_plural = _("treatments")
        constraints = [
            models.UniqueConstraint(
                fields=["language", "slug"],
                name="treatment_unique_slug_per_language",
                violation_error_message=_("Another treatment in this language already has this address name."),
            ),
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                name="one_translation_per_language",
                violation_error_message=_("This treatment already has a translation in this language."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        with translation.override(self.language):  # its address is in its own language
            return reverse("treatments:page", kwargs={"treatment_slug": self.slug})

    def clean(self):
        super().clean()
        if self.translation_of_id is not None and self.language == settings.LANGUAGE_CODE:
            raise ValidationError({"language": _("A translation is in another language than the page it translates.")})
        if self.warning.strip() and self.warning_source_id is None:
            raise ValidationError({"warning_source": _("Name the source of the warning: patients read it under it.")})


class TreatmentPageQuerySet(models.QuerySet):
    def published(self):
        """What patients see: never a draft."""
        return self.filter(is_published=True, treatment__is_published=True, draft_of__isnull=True)

    def live(self):
        """Pages themselves, published or not, without their drafts."""
        return self.filter(draft_of__isnull=True)

    def with_versions(self):
        """Each page with the address names of its published version in every language of the
        site ("treatment-slug/page-slug", None where there is none), itself included, in the
        same query (annotations `version_<code>`; read them with `TreatmentPage.versions`)."""
        root = Coalesce(OuterRef("translation_of_id"), OuterRef("pk"))
        annotations = {}
        for code, _name in settings.LANGUAGES:
            version = (
                TreatmentPage.objects.published()
                .filter(Q(pk=root) | Q(translation_of_id=root), treatment__language=code)
                .annotate(address=Concat("treatment__slug", Value("/"), "slug", output_field=models.CharField()))
                .values("address")[:1]
            )
            annotations[f"version_{code}"] = Subquery(version)
        return self.annotate(**annotations)

    def translations_out_of_date(self):
        """Translations whose original's words changed after they were last brought up to date."""
        changed = Q(translation_of__words_changed_at__gt=F("translated_words_at")) | Q(
            translated_words_at__isnull=True, translation_of__words_changed_at__isnull=False
        )
        return self.live().filter(changed, translation_of__isnull=False)

    def due_for_review(self, within_days: int):
        """Pages never reviewed, or whose next review falls due within `within_days` (or is overdue)."""
        horizon = timezone.localdate() + datetime.timedelta(days=within_days)
        reviewed_before = add_months(horizon, -Clinic.review_interval())
        return self.annotate(last_reviewed_on=Max("reviews__reviewed_on")).filter(
            Q(last_reviewed_on__isnull=True) | Q(last_reviewed_on__lte=reviewed_before)
        )

    def with_content(self):
        """Everything a page shows, fetched in a fixed number of queries whatever its length, under
        the same names the public page uses (see page_content.py)."""
        return self.select_related("treatment__warning_source").prefetch_related(
            Prefetch("reviews", queryset=PageReview.objects.select_related("reviewer__user"), to_attr="review_list"),
            Prefetch("sections", queryset=Section.objects.prefetch_related(CITED_SOURCES), to_attr="section_list"),
            Prefetch("faq_entries", queryset=FAQEntry.objects.prefetch_related(CITED_SOURCES), to_attr="faq_list"),
            Prefetch(
                "steps",
                queryset=PreventionStep.objects.prefetch_related(Prefetch("tips", to_attr="tip_list")),
                to_attr="step_list",
            ),
            Prefetch("page_sources", queryset=PageSource.objects.select_related("source"), to_attr="page_source_list"),
            Prefetch(
                "treatment__pages",
                queryset=TreatmentPage.objects.published()
                .order_by("order", "pk")
                .only("pk", "treatment_id", "slug", "title", "short_title", "order", "kind"),
                to_attr="sibling_pages",
            ),
        )


# What a patient needs before deciding, as parts of the page that editors write. Each shows only
# once written; on the kinds of page a patient decides from, an unwritten one is listed for editors.
DECISION_SECTIONS = [
    ("who_should_not", _("Who should not have this treatment")),
    ("risks", _("Risks and side effects")),
    ("when_to_get_help", _("When to get medical help")),
    ("cost", _("What it costs")),
]


class TreatmentPage(Illustrated):
    """One page of patient information about a treatment, with its editorial review record."""

    class Kind(models.TextChoices):
        OVERVIEW = "overview", _("Overview")
        FAQ = "faq", _("Questions and answers")
        PREVENTION = "prevention", _("Preventive steps")
        SAFETY = "safety", _("Side effects and safety")

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="pages")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    slug = models.SlugField(
        _("address name"),
        blank=True,
        help_text=_("Empty for the treatment's main page; otherwise e.g. 'faq', in the page's language."),
    )
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # the translation stays, on its own
        related_name="translations",
        help_text=_(
            "The page this one translates, of the treatment this treatment translates. Empty for a page "
            "in the site's first language."
        ),
    )
    # The original's words_changed_at that this translation was last brought up to date with: while
    # the original's words are newer, editors are told the translation is out of date.
    translated_words_at = models.DateTimeField(null=True, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    short_title = models.CharField(
        _("short title"), max_length=60, help_text=_("Used in the breadcrumb and the list of pages, e.g. 'FAQ'.")
    )
    summary = models.CharField(
        _("summary"), max_length=300, help_text=_("One sentence for search engines and lists of pages.")
    )
    description = models.CharField(
        _("description for search engines"),
        max_length=160,
        blank=True,
        help_text=_("Shown under the title in search results and link previews. Empty: the summary is used."),
    )
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Paragraphs separated by a blank line."))
    at_a_glance = models.TextField(
        _("at a glance"),
        blank=True,
        help_text=_(
            "A short summary box at the top, from the page's own facts: one '- ' line each, e.g. '- Downtime: none.'"
        ),
    )
    who_should_not = models.TextField(
        _("who should not have this treatment"),
        blank=True,
        help_text=_("Only what a cited source says. Empty: not shown to patients, and listed for editors."),
    )
    risks = models.TextField(
        _("risks and side effects"),
        blank=True,
        help_text=_("Every risk the sources name, allergy included. Empty: not shown, and listed for editors."),
    )
    when_to_get_help = models.TextField(
        _("when to get medical help"),
        blank=True,
        help_text=_("The signs after a treatment that need a doctor or 911, from a cited source."),
    )
    cost = models.TextField(
        _("cost"), blank=True, help_text=_("What the treatment costs. Empty: not shown, and listed for editors.")
    )
    sources = models.ManyToManyField(
        Source,
        through=PageSource,
        related_name="pages",
        blank=True,
        verbose_name=_("sources"),
        help_text=_("What the introduction, 'At a glance' and the sections above rest on."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    is_published = models.BooleanField(_("published"), default=True)

    words_changed_at = models.DateTimeField(
        _("words last changed"),
        null=True,
        editable=False,
        help_text=_("Set by the site whenever words patients read on this page change; shown as 'Last updated'."),
    )
    # The words_changed_at of the words the last review covered (set by reviews.review_record).
    reviewed_words_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A draft is a page of its own, never shown to patients, until it is published onto the page
    # it is a draft of (treatments/drafts.py); publish_at: when the worker publishes it.
    draft_of = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.CASCADE, related_name="drafts"
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["reviewed_words_at", "draft_of", "publish_at", "translated_words_at"])

    # The kinds of page a patient decides from: an unwritten decision section is listed there.
    DECIDING_KINDS = {Kind.OVERVIEW, Kind.SAFETY}

    objects = TreatmentPageQuerySet.as_manager()

    class Meta:
        ordering = ["treatment", "order", "pk"]
        verbose_name = _("treatment page")
        verbose_name_plural = _("treatment pages")
        constraints = [
            models.UniqueConstraint(
                fields=["treatment", "slug"],
                condition=Q(draft_of__isnull=True),
                name="treatment_page_unique_slug",
                violation_error_message=_("Another page of this treatment already has this address name."),
            ),
            models.UniqueConstraint(fields=["draft_of"], name="one_draft_per_page"),
            models.UniqueConstraint(
                fields=["treatment", "translation_of"],
                condition=Q(draft_of__isnull=True),
                name="one_translation_of_a_page_per_treatment",
                violation_error_message=_("Another page of this treatment already translates that page."),
            ),
        ]

    def __str__(self):
        # Titles often name the treatment already ("Mesotherapy: questions and answers").
        name = self.title if self.title.startswith(self.treatment.name) else f"{self.treatment.name}: {self.title}"
        return _("Draft: %s") % name if self.draft_of_id else name

    def get_absolute_url(self):
        return self.address_in(self.language)  # its address is in its own language

    def versions(self) -> dict[str, str]:
        """The page's address in each language it is published in, its own included (from a
        queryset `with_versions()`)."""
        found = {}
        for code, _name in settings.LANGUAGES:
            names = getattr(self, f"version_{code}", None)
            if names is None:
                continue
            treatment_slug, page_slug = names.split("/", 1)
            kwargs = {"treatment_slug": treatment_slug, **({"page_slug": page_slug} if page_slug else {})}
            with translation.override(code):
                found[code] = reverse("treatments:page", kwargs=kwargs)
        return found

    def address_in(self, language: str) -> str:
        """The page's address names under `language`'s prefix (its own language: its address)."""
        kwargs = {"treatment_slug": self.treatment.slug}
        if self.slug:
            kwargs["page_slug"] = self.slug
        with translation.override(language):
            return reverse("treatments:page", kwargs=kwargs)

    def clean(self):
        super().clean()
        original = self.translation_of
        if original is None or self.treatment_id is None:
            return
        if original.treatment_id != self.treatment.translation_of_id:
            raise ValidationError({"translation_of": _("Choose a page of the treatment this treatment translates.")})

    @property
    def language(self) -> str:
        return self.treatment.language

    @property
    def translation_out_of_date(self) -> bool:
        """The original page's words changed after this translation was last brought up to date."""
        original = self.translation_of
        if original is None or original.words_changed_at is None:
            return False
        return self.translated_words_at is None or original.words_changed_at > self.translated_words_at

    def trail(self) -> list[tuple[str, str]]:
        """The breadcrumb after Home: Treatments, the treatment, then this page if it is not the overview."""
        trail = [
            (_("Treatments"), reverse("treatments:index")),
            (self.treatment.name, self.treatment.get_absolute_url()),
        ]
        if not self.is_overview:
            trail.append((self.short_title, self.get_absolute_url()))
        return trail

    @property
    def meta_description(self) -> str:
        return self.description or self.summary

    @property
    def is_overview(self):
        return not self.slug

    @property
    def last_updated(self):
        """The day, in the clinic's time, that words on this page last changed (None before any)."""
        return timezone.localdate(self.words_changed_at) if self.words_changed_at else None

    @property
    def decision_sections(self) -> list[tuple[str, str, str]]:
        """(anchor, heading, text) of each decision section, written or not, in reading order."""
        return [(name.replace("_", "-"), str(heading), getattr(self, name)) for name, heading in DECISION_SECTIONS]

    @property
    def unwritten_sections(self) -> list[str]:
        """Headings of the decision sections patients still cannot read on this kind of page."""
        if self.kind not in self.DECIDING_KINDS:
            return []
        return [heading for _name, heading, text in self.decision_sections if not text.strip()]

    @property
    def latest_review(self):
        """The most recent review, or None before staff record one."""
        reviews = self.review_list if hasattr(self, "review_list") else list(self.reviews.all())
        return max(reviews, key=lambda review: (review.reviewed_on, review.pk)) if reviews else None

    @property
    def source_list(self) -> list[Source]:
        """The page's Sources list as patients read it: the page's own sources in order, then any
        a section or question cites that the page does not list, in the order they appear."""
        listed = (
            [entry.source for entry in self.page_source_list]
            if hasattr(self, "page_source_list")
            else [entry.source for entry in self.page_sources.select_related("source")]
        )
        seen = {source.pk for source in listed}
        for part in [*self.section_list, *self.faq_list]:
            for source in part.cited_sources:
                if source.pk not in seen:
                    seen.add(source.pk)
                    listed.append(source)
        return listed

    @property
    def next_review_due(self):
        review = self.latest_review
        return review.next_review_due if review else None

    @property
    def changed_since_review(self) -> bool:
        """The words changed after the last review was recorded (until the next one)."""
        if self.latest_review is None or self.reviewed_words_at is None or self.words_changed_at is None:
            return False
        return self.words_changed_at > self.reviewed_words_at

    @property
    def review_is_overdue(self) -> bool:
        review = self.latest_review
        return review is not None and review.is_overdue


SOURCES_HELP = _("Where these words come from; patients read the sources' names under the text.")
CITED_SOURCES = Prefetch("sources", queryset=Source.objects.all(), to_attr="source_cache")


class Passage(models.Model):
    """What a section and a question share: a place in the page's order, an anchor other pages
    link to, the sources its words come from (each kind names its own `sources`), and on a draft
    the part of the page it was copied from (empty for a part new in the draft)."""

    anchor = models.SlugField(_("anchor"), help_text=_("The #name other pages link to."))
    order = models.PositiveIntegerField(_("order"), default=0)
    origin = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    @property
    def cited_sources(self) -> list[Source]:
        return self.source_cache if hasattr(self, "source_cache") else list(self.sources.all())


class Section(Passage):
    """A headed passage of a page (e.g. "Cellulite"). The body is plain text: paragraphs separated
    by a blank line, and lines starting with "- " form a bulleted list."""

    page = models.ForeignKey(TreatmentPage, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(_("heading"), max_length=200)
    body = models.TextField(_("body"))
    sources = models.ManyToManyField(
        Source, blank=True, related_name="sections", verbose_name=_("sources"), help_text=SOURCES_HELP
    )

    class Meta(Passage.Meta):
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [models.UniqueConstraint(fields=["page", "anchor"], name="section_unique_anchor")]

    def __str__(self):
        return self.heading


class FAQEntry(Passage):
    """A question patients ask, with the clinic's answer (same plain-text body rules as a section)."""

    page = models.ForeignKey(TreatmentPage, on_delete=models.CASCADE, related_name="faq_entries")
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    sources = models.ManyToManyField(
        Source, blank=True, related_name="faq_entries", verbose_name=_("sources"), help_text=SOURCES_HELP
    )

    class Meta(Passage.Meta):
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        constraints = [models.UniqueConstraint(fields=["page", "anchor"], name="faq_entry_unique_anchor")]

    def __str__(self):
        return self.question


class PreventionStep(models.Model):
    """One numbered preventive step (e.g. "Pay attention to your diet"), with its own tips."""

    page = models.ForeignKey(TreatmentPage, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(_("step"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    # On a draft: the part of the page it was copied from (empty for a part new in the draft).
    origin = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("preventive step")
        verbose_name_plural = _("preventive steps")

    def __str__(self):
        return self.title


class PreventionTip(models.Model):
    """A practical tip under a preventive step."""

    step = models.ForeignKey(PreventionStep, on_delete=models.CASCADE, related_name="tips")
    text = models.CharField(_("tip"), max_length=300)
    order = models.PositiveIntegerField(_("order"), default=0)
    # On a draft: the part of the page it was copied from (empty for a part new in the draft).
    origin = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")

    def __str__(self):
        return self.text
