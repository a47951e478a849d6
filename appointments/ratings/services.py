"""The writes of page ratings: a visitor's vote and a visitor's comment. Nothing else writes them."""

import uuid

from django.db import connection
from django.utils import timezone

from sitewide.page_cache import forget_page
from treatments.models import TreatmentPage

from .models import STARS, PageComment, PageRating, RatedPage


def page_rating_submit(*, page: TreatmentPage, visitor: uuid.UUID, stars: int) -> None:
    """Records a visitor's vote (1-5): the first adds one, a second replaces the first, the same
    stars again change nothing.

    One statement: it inserts the vote, or changes the visitor's earlier one in place. The
    database's triggers move the page's tally in the same statement (migration 0009), so two
    posts from one visitor at once still leave one vote, and the count and total stay exact
    however many arrive together. Then the page's kept copies are retired, so every later view
    shows the new tally. Django's bulk_create(update_conflicts=True) writes the same
    upsert, but in a transaction of its own: three round trips to the database instead of one.
    """
    if stars not in STARS:
        raise ValueError("stars must be from 1 to 5")
    now = timezone.now()
    votes, tallies = PageRating._meta, RatedPage._meta
    vote = [
        votes.get_field("visitor").get_db_prep_value(visitor, connection),
        stars,
        votes.get_field("created_at").get_db_prep_value(now, connection),
        votes.get_field("updated_at").get_db_prep_value(now, connection),
        page.pk,
    ]
    upsert = (
        f"INSERT INTO {votes.db_table} (rated_page_id, visitor, stars, created_at, updated_at) "
        f"SELECT id, %s, %s, %s, %s FROM {tallies.db_table} WHERE page_id = %s "
        "ON CONFLICT (rated_page_id, visitor) DO UPDATE SET stars = excluded.stars, updated_at = excluded.updated_at "
        f"WHERE {votes.db_table}.stars <> excluded.stars"
    )
    with connection.cursor() as cursor:
        cursor.execute(upsert, vote)
        if cursor.rowcount == 0:
            # Nothing written: the same stars again (the second try changes nothing either), or a
            # page's first vote, before its tally existed. Another visitor's first vote may have
            # created the tally meanwhile: the vote is sent again whoever created it.
            RatedPage.objects.get_or_create(page=page)
            cursor.execute(upsert, vote)
    # The kept copies of the page showed the old tally: the next view, anyone's, draws it afresh.
    forget_page(page.get_absolute_url())


def page_comment_create(*, page: TreatmentPage, visitor: uuid.UUID, text: str) -> PageComment | None:
    """Stores a comment from a visitor who has rated the page; None if they have not."""
    rating = PageRating.objects.select_related("rated_page").filter(rated_page__page=page, visitor=visitor).first()
    if rating is None:
        return None
    return PageComment.objects.create(rated_page=rating.rated_page, stars=rating.stars, text=text)
