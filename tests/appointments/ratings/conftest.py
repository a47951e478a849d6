import pytest
from django.db.models import Sum
from django.test import Client

from appointments.models import PageRating, RatedPage
from treatments.models import TreatmentPage

SAME_SITE = {"Origin": "http://testserver"}


@pytest.fixture
def faq(content):
    return TreatmentPage.objects.get(slug="faq")


@pytest.fixture
def reference(faq):
    """How the FAQ page's rating form names it."""
    return str(faq.pk)


@pytest.fixture
def visitor():
    """A new visitor's browser: its own cookies, posting from this site."""
    return lambda: Client(headers=SAME_SITE)


@pytest.fixture
def assert_tallies_match_votes(db):
    """Checks every page's count, total and distribution against its votes."""

    def check():
        for tally in RatedPage.objects.all():
            votes = PageRating.objects.filter(rated_page=tally)
            assert tally.count == votes.count()
            assert tally.total == (votes.aggregate(total=Sum("stars"))["total"] or 0)
            assert tally.distribution == [votes.filter(stars=n).count() for n in range(1, 6)]

    return check
