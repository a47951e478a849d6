"""The editorial review record: who reviewed a page, in what role, and when.

A page claims a review only once a member of staff has recorded one: the reviewer is a user of
the site with a role or credential on file, never free text. The next review falls due the
clinic's review interval (in the admin) after the last; past that date the page says, in plain
words, that it is due for review. Recording one: treatments/reviews.py.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..months import add_months
from .clinic import Clinic


class Reviewer(models.Model):
    """A member of staff who may review medical pages, with the role patients will read."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="reviewer"
    )
    role = models.CharField(
        _("role or credential"),
        max_length=120,
        help_text=_("As patients will read it after the name, e.g. 'MD, medical director'."),
    )

    class Meta:
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")

    def __str__(self):
        return f"{self.name}, {self.role}"

    @property
    def name(self) -> str:
        return self.user.get_full_name()

    def clean(self):
        if not self.user.get_full_name().strip():
            raise ValidationError(_("Give this user a first and last name first: patients read the reviewer's name."))


class PageReview(models.Model):
    """One review of one page's medical content, as recorded by staff."""

    page = models.ForeignKey(
        "treatments.TreatmentPage", verbose_name=_("page"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(Reviewer, verbose_name=_("reviewed by"), on_delete=models.PROTECT)
    reviewed_on = models.DateField(_("reviewed on"), default=timezone.localdate)
    notes = models.TextField(_("notes for staff"), blank=True, help_text=_("Not shown to patients."))
    claims_signed_off = models.BooleanField(
        _("the reviewer stands behind the uncited claims"),
        default=False,
        help_text=_(
            "Tick only if the reviewing clinician has read every claim the claims check lists without a source "
            "and stands behind each one. Better: cite a source for it, or reword it."
        ),
    )
    signed_off_claims = models.TextField(
        _("claims signed off"), blank=True, editable=False, help_text=_("What the claims check listed then.")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    # Who recorded it: since reviewers sign in to record their own review, the reviewer. Empty on
    # reviews recorded before that (by an editor, for the reviewer named).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Which version of the page was reviewed: its whole-page revision, and its words' last change.
    revision = models.ForeignKey(
        "treatments.PageRevision",
        verbose_name=_("revision reviewed"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    words_as_of = models.DateTimeField(_("words reviewed as of"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        permissions = [("record_own_review", _("Can record their own clinical review of a page"))]

    def __str__(self):
        return _("Reviewed by %(reviewer)s on %(date)s") % {"reviewer": self.reviewer, "date": self.reviewed_on}

    def clean(self):
        if self.reviewed_on and self.reviewed_on > timezone.localdate():
            raise ValidationError({"reviewed_on": _("A review cannot be recorded for a day still to come.")})

    @property
    def recorded_by_whom(self) -> str:
        if self.recorded_by_id is None:
            return str(_("an editor, before reviewers signed in to record their own reviews"))
        return self.recorded_by.get_full_name() or self.recorded_by.get_username()

    @property
    def next_review_due(self) -> datetime.date:
        return add_months(self.reviewed_on, Clinic.review_interval())

    @property
    def is_overdue(self) -> bool:
        return self.next_review_due < timezone.localdate()


class ClaimSignOff(models.Model):
    """A clinical reviewer's word, in their own name, that they stand behind one sentence that
    claims safety or results without a source on it (treatments/claims.py). It holds for that
    sentence on that page, as worded then: a change of its words needs a new sign-off."""

    page = models.ForeignKey(
        "treatments.TreatmentPage", verbose_name=_("page"), on_delete=models.CASCADE, related_name="claim_sign_offs"
    )
    sentence = models.TextField(_("sentence"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed off by"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed off"), default=timezone.now)

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("claim signed off")
        verbose_name_plural = _("claims signed off")
        constraints = [models.UniqueConstraint(fields=["page", "sentence"], name="claim_sign_off_once")]

    def __str__(self):
        return self.sentence
