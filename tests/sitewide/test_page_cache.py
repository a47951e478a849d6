"""Public pages answered whole from the shared cache, replaced on the very next request after any
content edit; conditional requests; compression of public pages only; no request for a vote
that does not exist."""

import gzip
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments.models import PageRating
from appointments.ratings.services import page_rating_submit
from sitewide.page_cache import page_key, without_indentation
from tests.admin_forms import admin_change_form_data
from tests.treatments.factories import record_review
from treatments.models import Section, TreatmentPage

pytestmark = pytest.mark.django_db

FAQ = "/treatments/mesotherapy/faq/"


@pytest.fixture
def page_cache(settings, content):
    settings.PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


def get_counting(client, path, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **extra)
    return response, len(queries.captured_queries)


@pytest.mark.parametrize("path", ["/", "/treatments/", FAQ, "/treatments/mesotherapy/"])
def test_a_public_page_is_answered_from_the_cache_without_a_query(client, page_cache, path):
    first, cold = get_counting(client, path)
    second, warm = get_counting(client, path)
    assert cold > 0
    assert warm == 0
    assert second.content == first.content
    assert "public" in second["Cache-Control"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_a_content_edit_in_the_admin_shows_on_the_very_next_request(admin_client, page_cache):
    client = Client()
    assert "Does it hurt?" in client.get(FAQ).content.decode()
    page = TreatmentPage.objects.get(slug="faq")
    url = reverse("admin:treatments_treatmentpage_change", args=[page.pk])
    data = admin_change_form_data(admin_client.get(url))
    data["title"] = "Mesotherapy: your questions answered"
    assert admin_client.post(url, data).status_code == 302
    assert "Mesotherapy: your questions answered" in client.get(FAQ).content.decode()


def test_a_recorded_review_and_a_new_section_show_at_once(page_cache):
    client = Client()
    client.get(FAQ)
    record_review(TreatmentPage.objects.get(slug="faq"))
    assert "Reviewed by" in client.get(FAQ).content.decode()
    Section.objects.create(page=TreatmentPage.objects.get(slug="faq"), heading="A new heading", anchor="new", body="x")
    assert "A new heading" in client.get(FAQ).content.decode()


def test_an_edit_through_redis_reaches_every_process_and_leaves_other_keys(settings, content, redis_cache):
    from django.core.cache import caches

    settings.PAGE_CACHE = True
    client = Client()
    client.get(FAQ)
    client.get("/")
    assert get_counting(client, FAQ)[1] == 0
    caches["default"].set("a-rate-limit-count", 3)
    caches["default"].close()  # another server process: nothing shared but Redis
    del caches["default"]
    record_review(TreatmentPage.objects.get(slug="faq"))
    assert "Reviewed by" in client.get(FAQ).content.decode()
    assert get_counting(client, "/")[1] > 0  # every page was let go, not only the one edited
    assert caches["default"].get("a-rate-limit-count") == 3  # nothing else in the cache was touched


@pytest.mark.parametrize(
    "path",
    [reverse("appointments:request"), reverse("appointments:thanks"), FAQ + "?rated=4", "/healthz", "/admin/login/"],
)
def test_forms_thanks_pages_and_the_admin_are_never_cached(client, page_cache, settings, path):
    client.get(path)
    response = client.get(path)
    assert "public" not in response.get("Cache-Control", "")
    assert cache.get(page_key(RequestFactory().get(path))) is None  # nothing was stored for this address


def test_a_browser_revalidating_a_page_gets_304_not_modified(client, page_cache):
    first = client.get(FAQ)
    assert first["ETag"]
    again = client.get(FAQ, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_public_pages_are_compressed_and_pages_with_a_token_are_not(client, page_cache):
    page = client.get(FAQ, headers={"Accept-Encoding": "gzip"})
    assert page["Content-Encoding"] == "gzip"
    assert b"Does it hurt?" in gzip.decompress(page.content)
    form = client.get(reverse("appointments:request"), headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in form
    assert b"csrfmiddlewaretoken" in form.content


@pytest.mark.parametrize("path", [FAQ, "/es/tratamientos/mesoterapia/preguntas-frecuentes/", "/"])
def test_a_kept_page_is_sent_again_compressed_and_without_the_templates_indentation(client, page_cache, path):
    drawn = client.get(path, headers={"Accept-Encoding": "gzip"})
    kept = client.get(path, headers={"Accept-Encoding": "gzip"})  # from the page cache, compressed already
    assert (drawn.status_code, kept.status_code) == (200, 200)
    html = gzip.decompress(kept.content).decode()
    assert html == gzip.decompress(drawn.content).decode()
    assert "\n  " not in html  # no indentation is sent...
    assert "</html>" in html  # ...and the whole page is
    plain = client.get(path)  # a client that does not accept gzip gets the same page, uncompressed
    assert plain.content.decode() == html


def test_rating_sets_a_readable_marker_so_only_voters_ask_for_their_vote(content):
    visitor = Client(headers={"Origin": "http://testserver"})
    page = TreatmentPage.objects.get(slug="faq")
    response = visitor.post(reverse("ratings:rate"), {"page": str(page.pk), "stars": "4"})
    marker = response.cookies["mesoclinic_rated"]
    assert marker.value == "1"
    assert not marker["httponly"]  # the script reads it
    assert response.cookies["mesoclinic_rater"]["httponly"] is True  # the id stays unreadable


def test_after_a_vote_every_later_view_shows_the_new_tally(client, page_cache, settings):
    assert "Not Rated Yet" in client.get(FAQ).content.decode()
    assert get_counting(client, FAQ)[1] == 0  # kept
    page_rating_submit(page=TreatmentPage.objects.get(slug="faq"), visitor=uuid.uuid4(), stars=5)
    html = client.get(FAQ).content.decode()
    assert "5.0 out of 5 (1 rating)" in html
    assert "Not Rated Yet" not in html
    assert "Be the first" not in html
    assert get_counting(client, FAQ)[1] == 0  # kept again, with the new tally


def test_a_vote_retires_only_its_own_page(client, page_cache):
    client.get(FAQ)
    client.get("/treatments/mesotherapy/")
    page_rating_submit(page=TreatmentPage.objects.get(slug="faq"), visitor=uuid.uuid4(), stars=3)
    assert get_counting(client, "/treatments/mesotherapy/")[1] == 0
    assert get_counting(client, FAQ)[1] > 0


def test_a_vote_through_redis_reaches_every_process(settings, content, redis_cache):
    from django.core.cache import caches

    settings.PAGE_CACHE = True
    reader = Client()
    assert "Not Rated Yet" in reader.get(FAQ).content.decode()
    caches["default"].close()  # another server process: nothing shared but Redis
    del caches["default"]
    voter = Client(headers={"Origin": "http://testserver"})
    assert (
        voter.post(reverse("ratings:rate"), {"page": TreatmentPage.objects.get(slug="faq").pk, "stars": 2}).status_code
        == 302
    )
    assert "2.0 out of 5 (1 rating)" in reader.get(FAQ).content.decode()


def test_pages_tell_browsers_to_revalidate_and_nginx_how_long_it_may_keep_them(client, page_cache, settings):
    response = client.get(FAQ)
    assert response["Cache-Control"] == "public, no-cache"
    assert response["X-Accel-Expires"] == str(settings.PROXY_CACHE_SECONDS)
    assert "X-Accel-Expires" not in client.get(reverse("appointments:request"))


def test_a_page_unpublished_in_one_process_cannot_be_rated_in_another(content, redis_cache):
    """A vote reads the published pages from the shared cache, not the database; unpublishing a
    page deletes that reading for every server process at once."""
    from django.core.cache import caches

    voter = Client(headers={"Origin": "http://testserver"})
    faq = TreatmentPage.objects.get(slug="faq")
    assert voter.post("/ratings/", {"page": faq.pk, "stars": 4}).status_code == 302
    with CaptureQueriesContext(connection) as queries:
        voter.post("/ratings/", {"page": faq.pk, "stars": 5})
    assert "treatments_treatmentpage" not in " ".join(query["sql"] for query in queries.captured_queries)
    caches["default"].close()  # another server process: nothing shared but Redis
    del caches["default"]
    faq.is_published = False
    faq.save()
    refused = voter.post("/ratings/", {"page": faq.pk, "stars": 1})
    assert refused.status_code == 400
    assert "This page cannot be rated." in refused.content.decode()
    assert PageRating.objects.get().stars == 5


def test_indentation_goes_but_the_spaces_of_pre_and_textarea_stay():
    plain = "<ul>\n    <li>One</li>\n\n  <li>Two</li>\n</ul>"
    assert without_indentation(plain) == "<ul>\n<li>One</li>\n<li>Two</li>\n</ul>"
    kept = "<div>\n  <PRE>a\n    b</PRE>\n  <textarea>\n  typed\n</textarea>\n</div>"
    assert without_indentation(kept) == "<div>\n<PRE>a\n    b</PRE>\n<textarea>\n  typed\n</textarea>\n</div>"
