"""Arbitrary posts to the rating endpoints: never a 500, and the aggregate always equals the votes."""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from treatments.models import TreatmentPage

pytestmark = pytest.mark.django_db

values = st.text(st.characters(codec="utf-8"), max_size=60) | st.sampled_from(
    [
        "1",
        "2",
        "3",
        "5",
        "0",
        "6",
        "-1",
        "1e3",
        "",
        "\u00b2",
        "\u0661\u0662",
        "\uff13",
        "treatments.treatmentpage:1",
        "\x00",
    ]
)
headers = st.sampled_from(
    [
        {"Origin": "http://testserver"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "cross-site"},
        {},
        {"Origin": "http://testserver", "Accept": "application/json"},
    ]
)


@given(
    posts=st.lists(
        st.tuples(
            st.sampled_from(["/ratings/", "/ratings/comment/"]),
            st.dictionaries(st.sampled_from(["page", "stars", "comment", "website"]), values),
            headers,
            st.booleans(),
        ),
        max_size=6,
    )
)
def test_arbitrary_rating_posts_never_crash_and_keep_counts_exact(content, posts, assert_tallies_match_votes):
    assert TreatmentPage.objects.exists()
    clients = [Client(raise_request_exception=False), Client(raise_request_exception=False)]
    for url, data, header, second_client in posts:
        response = clients[second_client].post(url, data, headers=header)
        assert response.status_code in {200, 302, 400, 403, 429}
    assert_tallies_match_votes()
