"""The writes of page ratings: a visitor's vote and a visitor's comment. Nothing else writes them."""

import uuid

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from treatments.models import TreatmentPage

from .models import STARS, PageComment, PageRating, RatedPage


def page_rating_submit(*, page: TreatmentPage, visitor: uuid.UUID, stars: int) -> tuple[RatedPage, PageRating]:
    """Records a visitor's vote (1-5): the first adds one, a second replaces the first.

    The tally changes by one atomic UPDATE, made last in the transaction, so votes on one page
    wait for each other only for that statement and the commit, and the count and total stay
    exact however many arrive at once. A visitor's own earlier vote is locked while it changes,
    so two changes from one visitor cannot both adjust the tally from the same old value.
    """
    if stars not in STARS:
        raise ValueError("stars must be from 1 to 5")
    tally_id = RatedPage.objects.get_or_create(page=page)[0].pk
    new_field = RatedPage.STAR_FIELDS[stars - 1]
    with transaction.atomic():
        rating = PageRating.objects.select_for_update().filter(rated_page_id=tally_id, visitor=visitor).first()
        if rating is None:
            try:
                with transaction.atomic():
                    rating = PageRating.objects.create(rated_page_id=tally_id, visitor=visitor, stars=stars)
            except IntegrityError:  # a twin request from this visitor won the race: change its vote
                rating = PageRating.objects.select_for_update().get(rated_page_id=tally_id, visitor=visitor)
            else:
                RatedPage.objects.filter(pk=tally_id).update(
                    count=F("count") + 1, total=F("total") + stars, **{new_field: F(new_field) + 1}
                )
        if rating.stars != stars:  # a new vote already has its stars
            old_field = RatedPage.STAR_FIELDS[rating.stars - 1]
            old_stars, rating.stars, rating.updated_at = rating.stars, stars, timezone.now()
            rating.save(update_fields=["stars", "updated_at"])
            RatedPage.objects.filter(pk=tally_id).update(
                total=F("total") + stars - old_stars, **{old_field: F(old_field) - 1, new_field: F(new_field) + 1}
            )
    return RatedPage.objects.get(pk=tally_id), rating


def page_comment_create(*, page: TreatmentPage, visitor: uuid.UUID, text: str) -> PageComment | None:
    """Stores a comment from a visitor who has rated the page; None if they have not."""
    rating = PageRating.objects.select_related("rated_page").filter(rated_page__page=page, visitor=visitor).first()
    if rating is None:
        return None
    return PageComment.objects.create(rated_page=rating.rated_page, stars=rating.stars, text=text)
