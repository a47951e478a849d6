"""The writes of page ratings: a visitor's vote and a visitor's comment. Nothing else writes them."""

import uuid

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from treatments.models import TreatmentPage

from .models import STARS, PageComment, PageRating, RatedPage


@transaction.atomic
def page_rating_submit(*, page: TreatmentPage, visitor: uuid.UUID, stars: int) -> tuple[RatedPage, PageRating]:
    """Records a visitor's vote (1-5): the first adds one, a second replaces the first.

    The tally row is locked for the length of the vote, so votes on one page are applied one at
    a time and the count and total stay exact however many arrive at once.
    """
    if stars not in STARS:
        raise ValueError("stars must be from 1 to 5")
    tally_id = RatedPage.objects.get_or_create(page=page)[0].pk
    tally = RatedPage.objects.select_for_update().get(pk=tally_id)
    rating = PageRating.objects.filter(rated_page=tally, visitor=visitor).first()
    new_field = RatedPage.STAR_FIELDS[stars - 1]
    if rating is None:
        try:
            with transaction.atomic():
                rating = PageRating.objects.create(rated_page=tally, visitor=visitor, stars=stars)
        except IntegrityError:  # on databases without row locks, a twin request won the race
            rating = PageRating.objects.get(rated_page=tally, visitor=visitor)
        else:
            RatedPage.objects.filter(pk=tally.pk).update(
                count=F("count") + 1, total=F("total") + stars, **{new_field: F(new_field) + 1}
            )
            tally.refresh_from_db()
            return tally, rating
    if rating.stars != stars:
        old_field = RatedPage.STAR_FIELDS[rating.stars - 1]
        RatedPage.objects.filter(pk=tally.pk).update(
            total=F("total") + stars - rating.stars, **{old_field: F(old_field) - 1, new_field: F(new_field) + 1}
        )
        rating.stars = stars
        rating.updated_at = timezone.now()
        rating.save(update_fields=["stars", "updated_at"])
    tally.refresh_from_db()
    return tally, rating


def page_comment_create(*, page: TreatmentPage, visitor: uuid.UUID, text: str) -> PageComment | None:
    """Stores a comment from a visitor who has rated the page; None if they have not."""
    rating = PageRating.objects.select_related("rated_page").filter(rated_page__page=page, visitor=visitor).first()
    if rating is None:
        return None
    return PageComment.objects.create(rated_page=rating.rated_page, stars=rating.stars, text=text)
