"""The clinic itself: its details, opening hours and closed days."""

import copy
import functools
import json
import logging

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DatabaseError, models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sitewide.page_cache import kept_content

from .languages import site_languages

logger = logging.getLogger(__name__)


def default_staff_alert_email() -> str:
    return settings.APPOINTMENT_STAFF_EMAIL


def default_response_business_days() -> int:
    return settings.APPOINTMENT_RESPONSE_BUSINESS_DAYS


def default_visit_minutes() -> int:
    return settings.APPOINTMENT_VISIT_MINUTES


def default_review_interval_months() -> int:
    return settings.REVIEW_INTERVAL_MONTHS


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
    # What the Visiting page shows, each only once staff have written it: nothing is assumed.
    directions = models.TextField(
        _("directions"), blank=True, help_text=_("How to get here: subway, bus, parking. Empty: not shown.")
    )
    step_free_access = models.TextField(
        _("step-free access"),
        blank=True,
        help_text=_("Entrances, lifts and toilets for patients who cannot use stairs. Empty: not shown."),
    )
    costs = models.TextField(
        _("costs"),
        blank=True,
        help_text=_("What a consultation and treatments cost, and how patients pay. Empty: not shown."),
    )
    # The front desk's settings. Their first values come from the environment (docs/deploying.md);
    # from then on staff keep them here.
    staff_alert_email = models.EmailField(
        _("new-request alerts go to"),
        blank=True,
        default=default_staff_alert_email,
        help_text=_(
            "The address told of each new request (never with the patient's details). Empty: the e-mail above."
        ),
    )
    response_business_days = models.PositiveSmallIntegerField(
        _("answer requests within (business days)"),
        default=default_response_business_days,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_(
            "A request is due by closing time this many open days after the day it arrived. Patients are told "
            "the day; the front desk's worklist counts from it."
        ),
    )
    visit_minutes = models.PositiveSmallIntegerField(
        _("a visit lasts (minutes)"),
        default=default_visit_minutes,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
        help_text=_("How long an appointment is: the end time in the calendar file a confirmation carries."),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("review each patient page every (months)"),
        default=default_review_interval_months,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    # The opening hours and closed days below, as one value kept on the clinic's row by the site
    # (opening_hours.py), so every page reads them with the clinic's details in one query.
    hours_summary = models.JSONField(default=dict, editable=False)
    history = HistoricalRecords(excluded_fields=["hours_summary"])

    class Meta:
        verbose_name = _("clinic")
        verbose_name_plural = _("clinic")

    def __str__(self):
        return self.name

    @classmethod
    def current(cls):
        """The clinic's details, or None before the fixtures are loaded."""
        return cls.objects.order_by("pk").first()

    @classmethod
    def _current_with_words(cls):
        clinic = cls.current()
        if clinic is not None:
            clinic.words_by_language = {words.language: words for words in clinic.words.all()}
        return clinic

    def in_language(self, language: str) -> "Clinic":
        """The clinic's details with the words patients read (next steps, directions, access,
        costs, the address note) in `language`: the site's first language's are the clinic's own,
        another's its ClinicWords row; a language nobody wrote them in shows none of them, never
        the first language's words as if they were its own."""
        if language == settings.LANGUAGE_CODE:
            return self
        words = getattr(self, "words_by_language", {}).get(language)
        translated = copy.copy(self)
        for name in ClinicWords.WORDS:
            setattr(translated, name, getattr(words, name) if words is not None else "")
        return translated

    @classmethod
    def for_pages(cls):
        """The clinic's details, read once and kept in the shared cache until the content changes
        (sitewide.page_cache): a page that is drawn afresh asks the database only for itself.
        While the database cannot be reached: the details as shipped, so that every page (an
        error page too) still gives the phone number."""
        try:
            return kept_content("clinic", cls._current_with_words)
        except DatabaseError:
            logger.warning("Database unavailable: showing the clinic's details from fixtures/clinic.json")
            return cls.as_shipped()

    @classmethod
    @functools.cache
    def as_shipped(cls):
        """The clinic's details as shipped in fixtures/clinic.json (never saved)."""
        for entry in json.loads((settings.BASE_DIR / "fixtures" / "clinic.json").read_text()):
            if entry["model"] == "treatments.clinic":
                return cls(**entry["fields"])
        return cls()

    @classmethod
    def review_interval(cls) -> int:
        """How many months a page's review lasts, as staff keep it on the clinic's record (the
        environment's REVIEW_INTERVAL_MONTHS before there is one)."""
        clinic = cls.for_pages()
        return clinic.review_interval_months if clinic is not None else settings.REVIEW_INTERVAL_MONTHS

    @property
    def phone_href(self):
        """The phone number as a tel: URI (RFC 3966), an extension kept as such:
        "1-212-679-9667 ext. 2" is tel:+12126799667;ext=2, never a longer number."""
        try:
            number = phonenumbers.parse(self.phone, "US")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_possible_number(number):
            digits = "".join(character for character in self.phone if character.isdigit())
            return f"tel:+{'1' + digits if len(digits) == 10 else digits}"
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return f"tel:{e164};ext={number.extension}" if number.extension else f"tel:{e164}"

    @property
    def alert_address(self):
        """Where new-request alerts go."""
        return self.staff_alert_email or self.email


class OpeningTime(models.Model):
    """The hours the clinic is open on one day of the week. Days without a row are closed days;
    with no rows at all the hours are not known, and the site promises no response time."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="opening_times")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["weekday"]
        verbose_name = _("opening time")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.UniqueConstraint(fields=["clinic", "weekday"], name="opening_time_one_per_day"),
            models.CheckConstraint(condition=models.Q(closes__gt=models.F("opens")), name="opening_time_closes_after"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self):
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": _("The clinic must close after it opens.")})


class ClinicClosure(models.Model):
    """A day the clinic is closed although it is a normal opening day (a public holiday)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="closures")
    day = models.DateField(_("day"))
    reason = models.CharField(_("reason"), max_length=100, blank=True, help_text=_("For example 'Thanksgiving'."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["day"]
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days (holidays)")
        constraints = [models.UniqueConstraint(fields=["clinic", "day"], name="clinic_closure_once")]

    def __str__(self):
        return f"{self.day}: {self.reason}" if self.reason else str(self.day)


class ClinicWords(models.Model):
    """What the clinic's record says to patients, in another language than the site's first:
    shown on that language's pages in place of the record's own words (Clinic.in_language)."""

    WORDS = ["address_note", "next_steps", "directions", "step_free_access", "costs"]

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="words")
    language = models.CharField(_("language"), max_length=10, choices=site_languages)
    address_note = models.CharField(_("address note"), max_length=200, blank=True)
    next_steps = models.TextField(_("next steps advice"), blank=True)
    directions = models.TextField(_("directions"), blank=True)
    step_free_access = models.TextField(_("step-free access"), blank=True)
    costs = models.TextField(_("costs"), blank=True)

    class Meta:
        verbose_name = _("the clinic's words in another language")
        verbose_name_plural = _("the clinic's words in other languages")
        constraints = [models.UniqueConstraint(fields=["clinic", "language"], name="clinic_words_once_per_language")]

    def __str__(self):
        return self.get_language_display()

    def clean(self):
        super().clean()
        if self.language == settings.LANGUAGE_CODE:
            raise ValidationError({"language": _("The clinic's own record holds its words in this language.")})
