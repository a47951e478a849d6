"""Where a page's words come from: the sources staff cite, shown to patients under every page.

A source is a document the clinic relies on (its own earlier page, a regulator's warning, a
medical encyclopedia). Pages list their sources in order (`PageSource`); a section or a question
may name the ones its own words come from. Nothing here is guessed: a source without a known
date says "no date", one without an address shows no link, and the date staff last checked it is
shown only once someone has.
"""

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .languages import first_language, site_languages


class Source(models.Model):
    """A document cited on the site: title, publisher, date, address, and when staff checked it."""

    class Precision(models.TextChoices):
        DAY = "day", _("day")
        MONTH = "month", _("month")
        YEAR = "year", _("year")
        NONE = "none", _("no date: the source has none")

    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(
        _("publisher"), max_length=200, help_text=_("Who published it, as patients should read it.")
    )
    published_on = models.DateField(
        _("date of the source"), null=True, blank=True, help_text=_("Leave empty when the source gives no date.")
    )
    published_precision = models.CharField(
        _("the source gives"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text=_(
            "How much of the date the source gives: 'April 2010' is a month. Choose 'no date' only when the source "
            "itself has none; a date nobody has recorded yet is shown as 'date not recorded'."
        ),
    )
    url = models.URLField(_("address"), max_length=500, blank=True, help_text=_("Empty when it is not known."))
    # Pages in another language cite it with its title marked as this language, for screen readers.
    language = models.CharField(
        _("language of the source"),
        max_length=10,
        choices=site_languages,
        default=first_language,
        help_text=_("The language its title and publisher are written in."),
    )
    checked_on = models.DateField(
        _("last checked by staff"),
        null=True,
        blank=True,
        help_text=_("The day a member of staff last read the source and found it still says what we cite."),
    )
    notes = models.TextField(_("notes for staff"), blank=True, help_text=_("Not shown to patients."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return f"{self.title} ({self.publisher}, {self.date_display})"

    @property
    def date_display(self) -> str:
        """The source's own date as precisely as it gives it; "no date" when it has none."""
        if self.published_on is None:
            return str(_("no date") if self.published_precision == self.Precision.NONE else _("date not recorded"))
        formats = {self.Precision.YEAR: "Y", self.Precision.MONTH: "F Y"}
        return date_format(self.published_on, formats.get(self.published_precision, "j F Y"))

    @property
    def date_iso(self) -> str:
        """The same date in ISO 8601, only as precise as the source (for structured data)."""
        if self.published_on is None:
            return ""
        length = {self.Precision.YEAR: 4, self.Precision.MONTH: 7}.get(self.published_precision, 10)
        return self.published_on.isoformat()[:length]


class PageSource(models.Model):
    """One entry of a page's Sources list, in the order patients read them."""

    page = models.ForeignKey(
        "treatments.TreatmentPage", verbose_name=_("page"), on_delete=models.CASCADE, related_name="page_sources"
    )
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("source of this page")
        verbose_name_plural = _("sources of this page")
        constraints = [models.UniqueConstraint(fields=["page", "source"], name="page_source_once")]

    def __str__(self):
        return str(self.source)
