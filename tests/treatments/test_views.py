import uuid

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appointments.ratings.services import page_rating_submit
from treatments.models import FAQEntry, TreatmentPage

from .factories import add_content, make_page, make_treatment

pytestmark = pytest.mark.django_db

PAGES = {
    "/treatments/mesotherapy/": ("Mesotherapy", ["Home", "Treatments", "Mesotherapy"]),
    "/treatments/mesotherapy/faq/": (
        "Mesotherapy: questions and answers",
        ["Home", "Treatments", "Mesotherapy", "FAQ"],
    ),
    "/treatments/mesotherapy/preventing-wrinkles/": (
        "Five steps to help prevent skin wrinkling",
        ["Home", "Treatments", "Mesotherapy", "Preventing wrinkles"],
    ),
    "/treatments/mesotherapy/side-effects-and-safety/": (
        "Mesotherapy: side effects and safety",
        ["Home", "Treatments", "Mesotherapy", "Side effects and safety"],
    ),
}


def breadcrumb(html):
    """The breadcrumb's names, and the one marked as the current page."""
    trail = BeautifulSoup(html, "html.parser").select_one("nav.breadcrumb")
    current = trail.select_one('[aria-current="page"]').get_text()
    return [link.get_text() for link in trail.select("a")], current


@pytest.mark.parametrize(("url", "expected"), PAGES.items())
def test_treatment_page_has_title_breadcrumb_and_review_record(client, content, url, expected):
    title, trail = expected
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<h1 id="page-title">{title}</h1>' in html
    assert breadcrumb(html) == (trail, trail[-1])
    assert "Last updated" in html
    assert '<time datetime="2015-08-26">26 August 2015</time>' in html


@pytest.mark.parametrize("url", PAGES)
def test_treatment_page_has_toolbar_and_appointment_link(client, content, url):
    html = client.get(url).content.decode()
    assert 'data-action="print"' in html
    assert 'href="mailto:?subject=' in html
    assert "http%3A//testserver" in html.replace("%3A%2F%2F", "%3A//")
    assert 'data-text-size="large"' in html
    assert ">Request an appointment<" in html


def test_faq_page_lists_every_question_with_a_link_to_its_answer(client, content):
    html = client.get("/treatments/mesotherapy/faq/").content.decode()
    assert html.count('class="faq-entry"') == 9
    assert '<a href="#pain">Does it hurt?</a>' in html
    assert '<h2 id="pain-question">Does it hurt?</h2>' in html


def test_prevention_page_numbers_the_five_steps(client, content):
    html = client.get("/treatments/mesotherapy/preventing-wrinkles/").content.decode()
    steps = BeautifulSoup(html, "html.parser").select("ol.steps > li > h2.step__title")
    assert [step.get_text() for step in steps] == [
        "Pay attention to your diet",
        "Quit smoking, or cut down",
        "Stay out of the sun when you do not need to be in it",
        "Exercise regularly",
        "Don't let stress get on top of you",
    ]


def test_home_and_index_list_each_treatment_once_with_its_other_pages(client, content):
    for url in ["/", "/treatments/"]:
        html = BeautifulSoup(client.get(url).content, "html.parser")
        card = html.select_one(".card")
        assert [link.get_text() for link in card.select("a")] == [
            "Mesotherapy",
            "FAQ",
            "Preventing wrinkles",
            "Side effects and safety",
        ]
        assert html.select_one("main").find("a", class_="button", string="Request an appointment")
    home = BeautifulSoup(client.get("/").content, "html.parser").select_one("main").get_text(" ")
    assert "How to reach us" in home
    assert "1-212-679-9667" in home
    assert "reviewed" not in home  # no review was ever claimed


@pytest.mark.parametrize("url", ["/treatments/unknown/", "/treatments/mesotherapy/unknown/"])
def test_unknown_pages_are_not_found(client, content, url):
    assert client.get(url).status_code == 404


def test_unpublished_page_is_not_found(client, content):
    TreatmentPage.objects.filter(slug="faq").update(is_published=False)
    assert client.get("/treatments/mesotherapy/faq/").status_code == 404
    assert '<a href="/treatments/mesotherapy/faq/">' not in client.get("/treatments/mesotherapy/").content.decode()


def test_site_works_before_any_content_is_loaded(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "being prepared" in response.content.decode()


def test_staff_text_is_escaped_and_laid_out_as_paragraphs_and_lists(client, db):
    page = make_page(make_treatment(), intro="First <b>para</b>.\n\nLead in:\n- one\n- two")
    html = client.get(page.get_absolute_url()).content.decode()
    assert "<p>First &lt;b&gt;para&lt;/b&gt;.</p>" in html
    assert "<p>Lead in:</p>\n<ul><li>one</li><li>two</li></ul>" in html


def test_pages_send_a_strict_content_security_policy(client, content):
    policy = client.get("/treatments/mesotherapy/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.parametrize("kind", [kind for kind, _ in TreatmentPage.Kind.choices])
def test_a_page_drawn_afresh_takes_three_queries_whatever_its_length(client, db, django_assert_max_num_queries, kind):
    treatment = make_treatment()
    make_page(treatment, slug="other", title="Sibling")
    page = make_page(treatment, kind=kind, slug="page")
    add_content(page, 2)
    client.get("/")  # any page keeps the clinic's details, which every page shows, in the cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(page.get_absolute_url()).status_code == 200
    small = len(captured.captured_queries)  # read now: the next request clears Django's query log
    # The page and its siblings with their addresses in every language, its parts, its ratings.
    assert 0 < small <= 3, [query["sql"][:80] for query in captured.captured_queries]
    add_content(page, 30)
    client.get("/")  # in memory (not Redis), a content edit empties the whole cache
    with django_assert_max_num_queries(small):
        response = client.get(page.get_absolute_url())
    assert response.content.decode().count("Tip 32b") == (1 if kind == "prevention" else 0)


def test_the_treatments_index_and_form_share_the_one_breadcrumb(client, content):
    assert breadcrumb(client.get("/treatments/").content.decode()) == (["Home", "Treatments"], "Treatments")
    form = client.get("/appointments/request/").content.decode()
    assert breadcrumb(form) == (["Home", "Request an appointment"], "Request an appointment")


def test_a_treatment_page_with_a_query_string_is_never_shared_cached(client, content):
    assert "public" in client.get("/treatments/mesotherapy/").headers["Cache-Control"]
    response = client.get("/treatments/mesotherapy/", {"utm_source": "newsletter"})
    assert "no-store" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]


def test_the_clinics_details_are_kept_once_and_a_change_shows_on_the_next_page(client, content, redis_cache):
    from treatments.models import Clinic

    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/treatments/")
    assert not any("treatments_clinic" in query["sql"] for query in captured.captured_queries)
    clinic = Clinic.objects.get()
    clinic.phone = "(212) 555-0199"
    clinic.save()
    assert "(212) 555-0199" in client.get("/treatments/").content.decode()


def test_the_home_pages_newsletter_box_links_to_the_privacy_notice(client, content):
    from bs4 import BeautifulSoup

    box = BeautifulSoup(client.get("/").content, "html.parser").select_one(".newsletter-sign-up")
    assert box.select_one('a[href="/privacy/#newsletter"]').get_text(strip=True) == "privacy notice"


def test_a_source_cited_on_a_sentence_links_to_it_in_the_sources_list(client, content):
    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get("/treatments/mesotherapy/side-effects-and-safety/").content, "html.parser")
    cite = page.select_one("#side-effects sup.cite a")
    assert cite.get_text(" ", strip=True) == "source [2]"  # read aloud with its word, shown as [2]
    target = page.select_one(cite["href"])
    assert target.parent.name == "li"
    assert "What is Mesotherapy?" in target.parent.get_text()  # the second source of the page


FAQ = "/treatments/mesotherapy/faq/"


def test_a_page_drawn_again_after_a_vote_reads_only_its_tally_and_shows_the_new_one(client, content):
    assert "Not Rated Yet (0 out of 5)" in client.get(FAQ).content.decode()
    page = TreatmentPage.objects.get(slug="faq", treatment__language="en")
    page_rating_submit(page=page, visitor=uuid.uuid4(), stars=5)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(FAQ).content.decode()
    # The words were kept with the content's token: only the tally is read again.
    assert len(captured.captured_queries) == 1, [query["sql"][:80] for query in captured.captured_queries]
    assert "5.0 out of 5 (1 rating)" in html
    assert html.count('class="faq-entry"') == 9
    with CaptureQueriesContext(connection) as captured:  # a shared link's query string: never page-cached
        html = client.get(FAQ, {"utm_source": "newsletter"}).content.decode()
    assert captured.captured_queries == []  # the words and the tally are both kept
    assert "5.0 out of 5 (1 rating)" in html


def test_an_edit_shows_on_the_next_view_of_a_page_whose_words_were_kept(client, content):
    client.get(FAQ)
    entry = FAQEntry.objects.filter(page__slug="faq", page__treatment__language="en").order_by("order").first()
    entry.question = "What is mesotherapy, in a few words?"
    entry.save()
    assert "What is mesotherapy, in a few words?" in client.get(FAQ).content.decode()


def test_the_address_to_share_or_print_never_carries_a_query_string(client, content):
    """The words drawn for one visitor's address (?utm_source=..., ?rated=4) are kept for all."""
    for query in [{"utm_source": "newsletter"}, {}]:
        html = client.get(FAQ, query).content.decode()
        assert "utm_source" not in html
        assert "Printed from http://testserver/treatments/mesotherapy/faq/<" in html
        assert 'data-url="http://testserver/treatments/mesotherapy/faq/"' in html
