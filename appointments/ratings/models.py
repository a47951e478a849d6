"""Page ratings: each page's tally, one vote per visitor and page, and visitors' comments.

A tally points at its treatment page by a one-to-one key: the database knows the page exists,
votes follow a page whose address changes, and deleting a page deletes its ratings.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

COMMENT_MAX_LENGTH = 1000
STARS = range(1, 6)


class RatedPageQuerySet(models.QuerySet):
    def with_average(self):
        average = models.ExpressionWrapper(
            models.F("total") * 1.0 / NullIf(models.F("count"), 0), output_field=models.FloatField()
        )
        return self.annotate(average_stars=average)


class RatedPage(models.Model):
    """A page's ratings in aggregate, updated in the same transaction as each vote so that showing
    the average never scans the votes."""

    page = models.OneToOneField(
        "treatments.TreatmentPage", verbose_name=_("page"), on_delete=models.CASCADE, related_name="rating_tally"
    )
    count = models.PositiveIntegerField(_("ratings"), default=0)
    total = models.PositiveIntegerField(_("total stars"), default=0)
    one_star = models.PositiveIntegerField(_("1 star"), default=0)
    two_stars = models.PositiveIntegerField(_("2 stars"), default=0)
    three_stars = models.PositiveIntegerField(_("3 stars"), default=0)
    four_stars = models.PositiveIntegerField(_("4 stars"), default=0)
    five_stars = models.PositiveIntegerField(_("5 stars"), default=0)

    objects = RatedPageQuerySet.as_manager()

    STAR_FIELDS = ["one_star", "two_stars", "three_stars", "four_stars", "five_stars"]

    class Meta:
        verbose_name = _("rated page")
        verbose_name_plural = _("rated pages")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    count=models.F("one_star")
                    + models.F("two_stars")
                    + models.F("three_stars")
                    + models.F("four_stars")
                    + models.F("five_stars")
                ),
                name="rated_page_count_matches_distribution",
            ),
        ]

    def __str__(self):
        return str(self.page)

    @property
    def average(self) -> float | None:
        return self.total / self.count if self.count else None

    @property
    def distribution(self) -> list[int]:
        """Votes for 1 to 5 stars, in that order."""
        return [getattr(self, field) for field in self.STAR_FIELDS]


class PageRating(models.Model):
    """One visitor's vote on one page. Visitors are anonymous: a random id in a signed cookie."""

    rated_page = models.ForeignKey(RatedPage, on_delete=models.CASCADE, related_name="ratings")
    visitor = models.UUIDField(_("visitor"))
    stars = models.PositiveSmallIntegerField(_("stars"))
    created_at = models.DateTimeField(_("first rated"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)

    class Meta:
        verbose_name = _("page rating")
        verbose_name_plural = _("page ratings")
        constraints = [
            models.UniqueConstraint(fields=["rated_page", "visitor"], name="page_rating_one_per_visitor"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="page_rating_stars_1_to_5"),
        ]

    def __str__(self):
        return f"{self.stars}★"


class PageComment(models.Model):
    """A visitor's answer to "How could we improve this page?", given after rating it."""

    rated_page = models.ForeignKey(
        RatedPage, verbose_name=_("page"), on_delete=models.CASCADE, related_name="comments"
    )
    stars = models.PositiveSmallIntegerField(_("stars given"), null=True, blank=True)
    text = models.CharField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("page comment")
        verbose_name_plural = _("page comments")

    def __str__(self):
        return self.text[:60]
