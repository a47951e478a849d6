"""The editorial review record: who reviewed a page, in what role, and when.

A page claims a review only once a member of staff has recorded one: the reviewer is a user of
the site with a role or credential on file, never free text. The next review falls due the
clinic's review interval (in the admin) after the last; past that date the page says, in plain
words, that it is due for review.
"""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def review_interval_months() -> int:
    """The clinic's review interval, as staff keep it on the clinic's record (the environment's
    REVIEW_INTERVAL_MONTHS before there is one)."""
    from .context_processors import clinic_for_pages

    clinic = clinic_for_pages()
    return clinic.review_interval_months if clinic is not None else settings.REVIEW_INTERVAL_MONTHS


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


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
        if self.page_id is None or self.pk is not None:
            return
        from .claims import uncited_claims  # the check reads the page's content models
        from .models import TreatmentPage

        uncited = uncited_claims(TreatmentPage.objects.with_content().get(pk=self.page_id))
        if uncited and not self.claims_signed_off:
            raise ValidationError(
                _(
                    "This page cannot be marked reviewed yet: the claims check lists %(claims)s without a source. "
                    "Cite a source for each, reword them, or have the reviewing clinician sign them off."
                )
                % {"claims": "; ".join(str(claim) for claim in uncited)}
            )
        self.signed_off_claims = "\n".join(str(claim) for claim in uncited) if self.claims_signed_off else ""

    @property
    def recorded_by_whom(self) -> str:
        if self.recorded_by_id is None:
            return str(_("an editor, before reviewers signed in to record their own reviews"))
        return self.recorded_by.get_full_name() or self.recorded_by.get_username()

    @property
    def next_review_due(self) -> datetime.date:
        return add_months(self.reviewed_on, review_interval_months())

    @property
    def is_overdue(self) -> bool:
        return self.next_review_due < timezone.localdate()


def can_record_own_review(user) -> bool:
    """A clinical reviewer: a member of staff with the permission and a reviewer's role on file."""
    return (
        user.is_authenticated
        and user.is_staff
        and user.has_perm("treatments.record_own_review")
        and Reviewer.objects.filter(user=user).exists()
    )


def review_record(*, page, user, notes: str = "", claims_signed_off: bool = False) -> PageReview:
    """Records `user`'s own review of `page` as its words stand now (today, in their name): the
    claims check's rule holds (PageReview.clean), and the page remembers which version of its
    words was reviewed, so a later change shows "changed since the last review"."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    from .models import TreatmentPage
    from .revisions import record_revision

    if not can_record_own_review(user):
        raise PermissionDenied("only a clinical reviewer records a review, in their own name")
    with transaction.atomic():
        locked = TreatmentPage.objects.select_for_update().get(pk=page.pk)
        record_revision(locked)  # the page as reviewed has a revision (none is added if it has one)
        review = PageReview(
            revision=locked.revisions.order_by("-number").first(),
            page=locked,
            reviewer=user.reviewer,
            reviewed_on=timezone.localdate(),
            notes=notes,
            claims_signed_off=claims_signed_off,
            recorded_by=user,
            words_as_of=locked.words_changed_at,
        )
        review.full_clean()
        review.save()
        TreatmentPage.objects.filter(pk=locked.pk).update(reviewed_words_at=locked.words_changed_at)
    return review
