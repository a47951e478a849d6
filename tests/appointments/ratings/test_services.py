import uuid

import pytest
from django.db import IntegrityError

from appointments.models import PageComment, PageRating, RatedPage
from appointments.ratings.errors import RatingRefused
from appointments.ratings.selectors import rateable_page, star_pictures, visitor_stars
from appointments.ratings.services import page_comment_create, page_rating_submit

pytestmark = pytest.mark.django_db


def test_a_second_vote_replaces_the_first_and_the_tally_follows(faq, assert_tallies_match_votes):
    visitor = uuid.uuid4()
    page_rating_submit(page=faq, visitor=visitor, stars=2)
    page_rating_submit(page=faq, visitor=visitor, stars=5)
    tally = RatedPage.objects.get(page=faq)
    assert (tally.count, tally.total, tally.distribution) == (1, 5, [0, 0, 0, 0, 1])
    assert visitor_stars(faq, visitor) == 5
    assert_tallies_match_votes()


def test_the_same_stars_again_change_nothing(faq):
    visitor = uuid.uuid4()
    page_rating_submit(page=faq, visitor=visitor, stars=4)
    first = PageRating.objects.get()
    page_rating_submit(page=faq, visitor=visitor, stars=4)
    again = PageRating.objects.get()
    assert (again.stars, again.updated_at) == (4, first.updated_at)
    assert RatedPage.objects.get().count == 1


def test_the_tally_follows_votes_however_they_are_written(faq, assert_tallies_match_votes):
    """The database keeps the tally (migration 0009), so a script or a bulk change cannot leave it wrong."""
    tally = RatedPage.objects.create(page=faq)
    PageRating.objects.bulk_create(PageRating(rated_page=tally, visitor=uuid.uuid4(), stars=n) for n in [1, 2, 5, 5])
    PageRating.objects.filter(stars=5).update(stars=3)
    PageRating.objects.filter(stars=1).delete()
    tally.refresh_from_db()
    assert (tally.count, tally.total, tally.distribution) == (3, 8, [0, 1, 2, 0, 0])
    assert_tallies_match_votes()


@pytest.mark.parametrize("stars", [0, 6, -1])
def test_stars_outside_one_to_five_are_refused(faq, stars):
    with pytest.raises(ValueError, match="1 to 5"):
        page_rating_submit(page=faq, visitor=uuid.uuid4(), stars=stars)
    assert PageRating.objects.count() == 0


def test_a_comment_needs_the_visitors_rating_and_keeps_its_stars(faq):
    visitor = uuid.uuid4()
    assert page_comment_create(page=faq, visitor=visitor, text="Hello") is None
    page_rating_submit(page=faq, visitor=visitor, stars=3)
    comment = page_comment_create(page=faq, visitor=visitor, text="Please explain the allergy test.")
    assert (comment.stars, PageComment.objects.count()) == (3, 1)


def test_the_database_refuses_a_second_row_for_one_visitor_and_page(faq):
    visitor = uuid.uuid4()
    page_rating_submit(page=faq, visitor=visitor, stars=3)
    with pytest.raises(IntegrityError):
        PageRating.objects.create(rated_page=RatedPage.objects.get(page=faq), visitor=visitor, stars=4)


def test_deleting_a_page_deletes_its_ratings(faq):
    page_rating_submit(page=faq, visitor=uuid.uuid4(), stars=3)
    faq.delete()
    assert PageRating.objects.count() == 0


def test_the_average_is_drawn_to_the_nearest_half_star():
    assert star_pictures(4.3) == ["full", "full", "full", "full", "half"]
    assert star_pictures(4.2) == ["full", "full", "full", "full", "empty"]
    assert star_pictures(1.0) == ["full", "empty", "empty", "empty", "empty"]
    assert star_pictures(None) == ["empty"] * 5


@pytest.mark.parametrize(
    "reference", ["", "\u00b2", "\u0661", "3 ", "+3", "-3", "3.0", "9" * 19, "treatments.treatmentpage:3"]
)
def test_a_page_reference_is_ascii_digits_only(faq, reference):
    with pytest.raises(RatingRefused):
        rateable_page(reference)


def test_a_reference_names_only_a_published_page(faq):
    assert rateable_page(str(faq.pk)) == faq
    faq.is_published = False
    faq.save()  # as the admin does: the kept list of published pages is deleted at once
    with pytest.raises(RatingRefused):
        rateable_page(str(faq.pk))
    faq.is_published = True
    faq.save()
    faq.treatment.is_published = False
    faq.treatment.save()
    with pytest.raises(RatingRefused):
        rateable_page(str(faq.pk))


def test_the_migration_that_hands_tallies_to_the_database_recounts_them_first(faq, assert_tallies_match_votes):
    from importlib import import_module

    from django.db import connection

    migration = import_module("appointments.migrations.0009_tally_kept_by_the_database")
    page_rating_submit(page=faq, visitor=uuid.uuid4(), stars=4)
    RatedPage.objects.update(count=7, total=9, four_stars=7)  # wrong, as an earlier fault could leave it
    with connection.cursor() as cursor:
        cursor.execute(migration.RECOUNT)
    assert_tallies_match_votes()


def test_a_first_vote_counts_when_another_visitors_first_vote_created_the_tally_meanwhile(faq, monkeypatch):
    get_or_create = RatedPage.objects.get_or_create

    def created_by_another_request(**kwargs):
        tally, _ = get_or_create(**kwargs)
        return tally, False  # as if another visitor's first vote had made it a moment before

    monkeypatch.setattr(RatedPage.objects, "get_or_create", created_by_another_request)
    visitor = uuid.uuid4()
    page_rating_submit(page=faq, visitor=visitor, stars=3)
    assert RatedPage.objects.get(page=faq).count == 1
    assert visitor_stars(faq, visitor) == 3
