import json
import uuid

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains

from appointments.models import PageComment, PageRating, RatedPage
from appointments.ratings.services import page_rating_submit
from treatments.models import TreatmentPage

pytestmark = pytest.mark.django_db

RATE = reverse("ratings:rate")
COMMENT = reverse("ratings:comment")
MINE = reverse("ratings:mine")
FAQ = "/treatments/mesotherapy/faq/"
SAME_SITE = {"Origin": "http://testserver"}


def rate(client, reference, stars, json_reply=False, **extra):
    headers = {"Accept": "application/json"} if json_reply else {}
    return client.post(RATE, {"page": reference, "stars": stars, **extra}, headers=headers)


def assert_summary(response, text):
    assertContains(response, f"<span data-rating-summary>{text}</span>", html=True)


def test_an_unrated_page_invites_the_first_rating(client, faq):
    html = client.get(FAQ).content.decode()
    assert "Not Rated Yet (0 out of 5)" in html
    assert "Be the first one to rate this page." in html


def test_every_page_says_what_the_rating_cookie_holds(client, faq):
    for path in ["/", FAQ]:
        html = client.get(path).content.decode()
        assert "keeps two cookies: one with a random number so that your vote counts once" in html
        assert "one that only says you have rated" in html


def test_rating_without_javascript_comes_back_to_the_page_with_thanks(reference, visitor):
    client = visitor()
    response = rate(client, reference, 4)
    assert response.status_code == 302
    assert response["Location"] == f"{FAQ}?rated=4#rating"
    cookie = response.cookies["mesoclinic_rater"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    page = client.get(response["Location"])
    assertContains(
        page, '<p class="rating__thanks">Thanks for your rating. You gave this page 4 stars.</p>', html=True
    )
    assert_summary(page, "4.0 out of 5 (1 rating)")
    assertContains(
        page, '<input class="star-picker__input" type="radio" name="stars" value="4" required checked>', html=True
    )


def test_a_second_vote_from_the_same_visitor_replaces_the_first(reference, visitor, assert_tallies_match_votes):
    client = visitor()
    rate(client, reference, 2)
    rate(client, reference, 5)
    assert_summary(client.get(FAQ), "5.0 out of 5 (1 rating)")
    assert PageRating.objects.count() == 1
    assert_tallies_match_votes()


def test_each_visitor_counts_once_and_the_average_has_one_decimal(reference, visitor, assert_tallies_match_votes):
    for stars in [5, 4, 4]:
        rate(visitor(), reference, stars)
    assert_summary(Client().get(FAQ), "4.3 out of 5 (3 ratings)")
    assert_tallies_match_votes()


def test_the_script_gets_the_new_figures_as_json(reference, visitor):
    response = rate(visitor(), reference, 3, json_reply=True)
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data == {
        "count": 1,
        "average": 3.0,
        "summary": "3.0 out of 5 (1 rating)",
        "prompt": "",
        "stars": ["full", "full", "full", "empty", "empty"],
        "your_rating": 3,
        "message": "Thanks for your rating. You gave this page 3 stars. It is now rated 3.0 out of 5 (1 rating).",
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"stars": "0"}, "A rating is from 1 to 5 stars."),
        ({"stars": "6"}, "A rating is from 1 to 5 stars."),
        ({"stars": "five"}, "A rating is from 1 to 5 stars."),
        ({"stars": ""}, "Choose from 1 to 5 stars, then send your rating."),
        ({"page": ""}, "This page cannot be rated."),
        ({"page": "99999"}, "This page cannot be rated."),
        ({"page": "\u00b2"}, "This page cannot be rated."),
        ({"page": "\u0663"}, "This page cannot be rated."),
        ({"page": "treatments.treatmentpage:1"}, "This page cannot be rated."),
        ({"page": "1:2"}, "This page cannot be rated."),
        ({"page": "9" * 40}, "This page cannot be rated."),
    ],
)
def test_invalid_ratings_get_a_clear_400_and_change_nothing(reference, visitor, data, message):
    rate(visitor(), reference, 4)
    response = visitor().post(RATE, {"page": reference, "stars": "4", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert RatedPage.objects.get().count == 1
    assert PageRating.objects.count() == 1


@pytest.mark.parametrize("url", [RATE, COMMENT])
def test_opening_a_rating_address_directly_explains_itself(client, faq, url):
    response = client.get(url)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "Ratings are sent with the form at the foot of each treatment page." in response.content.decode()


def test_a_draft_page_cannot_be_rated(faq, reference, visitor):
    TreatmentPage.objects.filter(pk=faq.pk).update(is_published=False)
    assert rate(visitor(), reference, 4).status_code == 400


def test_a_forged_visitor_cookie_is_refused_and_cleared(reference, visitor):
    client = visitor()
    rate(client, reference, 2)
    client.cookies["mesoclinic_rater"] = signing.get_cookie_signer(salt="other").sign(str(uuid.uuid4()))
    response = rate(client, reference, 5)
    assert response.status_code == 400
    assert "could not be checked" in response.content.decode()
    assert response.cookies["mesoclinic_rater"].value == ""
    assert RatedPage.objects.get().total == 2


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://testserver"},
        {"Origin": "null"},
    ],
)
def test_ratings_from_other_sites_are_refused(reference, headers):
    response = Client().post(RATE, {"page": reference, "stars": "5"}, headers=headers)
    assert response.status_code == 403
    assert "only be sent from this website" in response.content.decode()
    assert PageRating.objects.count() == 0


def test_a_browser_that_says_same_origin_may_rate_without_an_origin_header(reference, visitor):
    client = Client(headers={"Sec-Fetch-Site": "same-origin"})
    assert rate(client, reference, 5).status_code == 302


def test_rating_posts_are_rate_limited_per_client(reference, visitor, settings):
    settings.RATING_RATE_LIMIT = "3/10m"
    client = visitor()
    assert [rate(client, reference, stars).status_code for stars in [1, 2, 3, 4]] == [302, 302, 302, 429]
    assert "Please try again later" in rate(client, reference, 5).content.decode()
    assert RatedPage.objects.get().total == 3


def test_the_rating_limit_counts_in_redis_so_it_holds_across_processes(reference, visitor, settings, redis_cache):
    from django.core.cache import caches

    settings.RATING_RATE_LIMIT = "2/10m"
    client = visitor()
    assert [rate(client, reference, stars).status_code for stars in [1, 2]] == [302, 302]
    caches["default"].close()  # another server process: a new connection, nothing shared but Redis
    del caches["default"]
    assert rate(client, reference, 3).status_code == 429
    assert RatedPage.objects.get().total == 2


def test_the_page_a_visitor_lands_on_after_rating_is_never_cached(reference, visitor):
    client = visitor()
    landing = client.get(rate(client, reference, 4)["Location"])
    assert "no-store" in landing["Cache-Control"]
    assert "public" not in landing["Cache-Control"]
    assert "public" in client.get(FAQ)["Cache-Control"]  # the page itself stays cacheable


def test_a_bot_filling_the_honeypot_is_answered_but_not_counted(reference, visitor):
    response = rate(visitor(), reference, 5, website="spam")
    assert response.status_code == 302
    assert "mesoclinic_rater" not in response.cookies
    assert PageRating.objects.count() == 0


def test_after_rating_a_visitor_may_leave_a_comment(reference, visitor):
    client = visitor()
    rate(client, reference, 2)
    response = client.post(COMMENT, {"page": reference, "comment": "  Please explain the allergy test.  "})
    assert response["Location"] == f"{FAQ}?commented=1#rating"
    comment = PageComment.objects.get()
    assert (comment.text, comment.stars) == ("Please explain the allergy test.", 2)
    assert (
        "Thank you. Your comment will help us improve this page." in client.get(response["Location"]).content.decode()
    )


@pytest.mark.parametrize(
    ("comment", "message"),
    [("", "Write your comment, then send it."), ("x" * 1001, "Please keep your comment to 1000 characters or fewer.")],
)
def test_comments_must_be_one_to_a_thousand_characters(reference, visitor, comment, message):
    client = visitor()
    rate(client, reference, 2)
    response = client.post(COMMENT, {"page": reference, "comment": comment})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert PageComment.objects.count() == 0


def test_a_comment_needs_a_rating_first(reference, visitor):
    response = visitor().post(COMMENT, {"page": reference, "comment": "Hello"})
    assert response.status_code == 400
    assert "Please rate the page before leaving a comment." in response.content.decode()


def test_the_visitors_own_vote_comes_from_an_uncached_endpoint(reference, visitor):
    client = visitor()
    before = json.loads(client.get(MINE, {"page": reference}).content)
    assert (before["your_rating"], before["message"], before["summary"]) == (None, "", "Not Rated Yet (0 out of 5)")
    rate(client, reference, 1)
    response = client.get(MINE, {"page": reference})
    mine = json.loads(response.content)
    assert (mine["your_rating"], mine["message"]) == (1, "You rated this page 1 star. You can change your rating.")
    # With the tally as it is now, so the block can correct an older copy of the page around it.
    assert (mine["summary"], mine["prompt"], mine["count"]) == ("1.0 out of 5 (1 rating)", "", 1)
    assert "no-store" in response["Cache-Control"]
    assert json.loads(Client().get(MINE, {"page": reference}).content)["your_rating"] is None


def test_treatment_pages_stay_cacheable_for_everyone(reference, visitor):
    voter = visitor()
    rate(voter, reference, 4)
    anonymous = Client().get(FAQ)
    returning = voter.get(FAQ)
    for response in [anonymous, returning]:
        assert "Cookie" not in response.get("Vary", "")
        assert "public" in response["Cache-Control"]
        assert not response.cookies
        assert "csrfmiddlewaretoken" not in response.content.decode()
    assert anonymous.content == returning.content  # the visitor's own vote is not in the page


def test_csrf_protection_stays_on_everywhere_else(content, admin_user):
    strict = Client(enforce_csrf_checks=True, headers=SAME_SITE)
    assert strict.post("/admin/login/", {"username": "admin", "password": "password"}).status_code == 403
    assert strict.post("/appointments/request/", {}).status_code == 403


def test_rendering_a_page_does_not_read_its_votes(client, faq, django_assert_num_queries):
    page_rating_submit(page=faq, visitor=uuid.uuid4(), stars=5)
    client.get(FAQ)  # the clinic's details are kept from here on
    with CaptureQueriesContext(connection) as few:
        client.get(FAQ)
    PageRating.objects.bulk_create(
        PageRating(rated_page=RatedPage.objects.get(), visitor=uuid.uuid4(), stars=4) for _ in range(500)
    )
    with django_assert_num_queries(len(few.captured_queries)) as many:
        client.get(FAQ)
    assert not any("appointments_pagerating" in query["sql"] for query in many.captured_queries)


def test_a_rated_landing_thanks_only_the_browser_that_voted(reference, visitor):
    stranger = Client().get(f"{FAQ}?rated=3")
    html = stranger.content.decode()
    assert "Thanks for your rating" not in html
    assert "You gave this page" not in html
    assert 'value="3" required checked' not in html
    voter = visitor()
    rate(voter, reference, 4)
    typed = voter.get(f"{FAQ}?rated=2").content.decode()  # their vote is 4, whatever the address says
    assert "You gave this page 4 stars." in typed
    assert "You gave this page 2 stars" not in typed


def test_a_comment_landing_thanks_only_a_visitor_who_rated(reference, visitor):
    assert "Your comment will help us" not in Client().get(f"{FAQ}?commented=1").content.decode()
