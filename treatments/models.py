"""The clinic's patient information: treatments, their pages, and the content kinds on them."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Max, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .images import Illustrated
from .reviews import PageReview, Reviewer, add_months  # noqa: F401  (Django finds the review models here)


class Clinic(models.Model):
    """The clinic behind the site: who patients call, write to and visit.

    There is one row; `Clinic.current()` returns it for every page (see context_processors.py).
    """

    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone, as shown to patients"), max_length=40)
    email = models.EmailField(_("e-mail"))
    street_address = models.CharField(_("street address"), max_length=200)
    address_note = models.CharField(
        _("address note"), max_length=200, blank=True, help_text=_("For example the cross streets.")
    )
    locality = models.CharField(_("neighborhood"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("state"), max_length=100)
    postal_code = models.CharField(_("ZIP code"), max_length=20)
    next_steps = models.TextField(
        _("next steps advice"), help_text=_("Shown at the end of every treatment page, before the contact details.")
    )
    accepting_new_patients = models.BooleanField(_("accepting new patients"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("clinic")
        verbose_name_plural = _("clinic")

    def __str__(self):
        return self.name

    @classmethod
    def current(cls):
        """The clinic's details, or None before the fixtures are loaded."""
        return cls.objects.order_by("pk").first()

    @property
    def phone_href(self):
        """The phone number as a tel: URI (digits and a leading +1 for US numbers)."""
        digits = "".join(character for character in self.phone if character.isdigit())
        if len(digits) == 10:
            digits = "1" + digits
        return f"tel:+{digits}"


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
    slug = models.SlugField(_("address name"), unique=True)
    summary = models.TextField(_("summary"), help_text=_("One or two sentences for lists of treatments."))
    order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()
    is_published = models.BooleanField(_("published"), default=True)

    objects = TreatmentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("treatment")
        verbose_name_plural = _("treatments")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("treatments:page", kwargs={"treatment_slug": self.slug})


class TreatmentPageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True, treatment__is_published=True)

    def due_for_review(self, within_days: int):
        """Pages never reviewed, or whose next review falls due within `within_days` (or is overdue)."""
        horizon = timezone.localdate() + datetime.timedelta(days=within_days)
        reviewed_before = add_months(horizon, -settings.REVIEW_INTERVAL_MONTHS)
        return self.annotate(last_reviewed_on=Max("reviews__reviewed_on")).filter(
            Q(last_reviewed_on__isnull=True) | Q(last_reviewed_on__lte=reviewed_before)
        )

    def with_content(self):
        """Everything a page shows, fetched in a fixed number of queries whatever its length."""
        return self.select_related("treatment").prefetch_related(
            Prefetch("reviews", queryset=PageReview.objects.select_related("reviewer__user")),
            "sections",
            "faq_entries",
            Prefetch("steps", queryset=PreventionStep.objects.prefetch_related("tips")),
            Prefetch(
                "treatment__pages",
                queryset=TreatmentPage.objects.published()
                .order_by("order", "pk")
                .only("pk", "treatment_id", "slug", "title", "short_title", "order"),
                to_attr="sibling_pages",
            ),
        )


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
        _("address name"), blank=True, help_text=_("Empty for the treatment's main page; otherwise e.g. 'faq'.")
    )
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
    order = models.PositiveIntegerField(_("order"), default=0)
    is_published = models.BooleanField(_("published"), default=True)

    last_updated = models.DateField(
        _("last updated"),
        help_text=_("When this information was last updated. Shown to patients; reviews are recorded separately."),
    )
    history = HistoricalRecords()

    objects = TreatmentPageQuerySet.as_manager()

    class Meta:
        ordering = ["treatment", "order", "pk"]
        verbose_name = _("treatment page")
        verbose_name_plural = _("treatment pages")
        constraints = [
            models.UniqueConstraint(fields=["treatment", "slug"], name="treatment_page_unique_slug"),
        ]

    def __str__(self):
        # Titles often name the treatment already ("Mesotherapy: questions and answers").
        if self.title.startswith(self.treatment.name):
            return self.title
        return f"{self.treatment.name}: {self.title}"

    def get_absolute_url(self):
        kwargs = {"treatment_slug": self.treatment.slug}
        if self.slug:
            kwargs["page_slug"] = self.slug
        return reverse("treatments:page", kwargs=kwargs)

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
    def latest_review(self):
        """The most recent review, or None before staff record one (uses prefetched reviews)."""
        reviews = list(self.reviews.all())
        return max(reviews, key=lambda review: (review.reviewed_on, review.pk)) if reviews else None

    @property
    def next_review_due(self):
        review = self.latest_review
        return review.next_review_due if review else None

    @property
    def review_is_overdue(self) -> bool:
        review = self.latest_review
        return review is not None and review.is_overdue


class Section(models.Model):
    """A headed passage of a page (e.g. "Cellulite"). The body is plain text: paragraphs separated
    by a blank line, and lines starting with "- " form a bulleted list."""

    page = models.ForeignKey(TreatmentPage, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(_("heading"), max_length=200)
    anchor = models.SlugField(_("anchor"), help_text=_("The #name other pages link to."))
    body = models.TextField(_("body"))
    order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [models.UniqueConstraint(fields=["page", "anchor"], name="section_unique_anchor")]

    def __str__(self):
        return self.heading


class FAQEntry(models.Model):
    """A question patients ask, with the clinic's answer (same plain-text body rules as a section)."""

    page = models.ForeignKey(TreatmentPage, on_delete=models.CASCADE, related_name="faq_entries")
    question = models.CharField(_("question"), max_length=300)
    anchor = models.SlugField(_("anchor"))
    answer = models.TextField(_("answer"))
    order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
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
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")

    def __str__(self):
        return self.text
