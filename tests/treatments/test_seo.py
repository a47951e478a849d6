"""How the pages travel: titles, descriptions and canonical links, share cards, the sitemap,
robots.txt and structured data (read back with extruct and checked against the database)."""

import datetime
import io
import time
import xml.etree.ElementTree as ET
from unittest import mock

import extruct
import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from PIL import Image

from tests.treatments.factories import record_opening_hours, record_review
from treatments.models import Clinic, TreatmentPage

pytestmark = pytest.mark.django_db

PUBLIC = [
    "/",
    "/treatments/",
    "/treatments/mesotherapy/",
    "/treatments/mesotherapy/faq/",
    "/treatments/mesotherapy/preventing-wrinkles/",
    "/treatments/mesotherapy/side-effects-and-safety/",
    "/appointments/request/",
]
FAQ = "/treatments/mesotherapy/faq/"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def soup(client, path):
    return BeautifulSoup(client.get(path).content, "html.parser")


def meta(page, **attrs):
    return page.find("meta", attrs=attrs)["content"]


def structured(client, path):
    return extruct.extract(
        client.get(path).content.decode(), base_url="http://testserver" + path, syntaxes=["json-ld"]
    )["json-ld"]


def of_type(items, kind):
    return [item for item in items if item["@type"] == kind]


def test_every_public_page_has_its_own_title_description_and_canonical_address(client, content):
    pages = {path: soup(client, path) for path in PUBLIC}
    titles = [page.title.string for page in pages.values()]
    descriptions = [meta(page, name="description") for page in pages.values()]
    assert len(set(titles)) == len(PUBLIC)
    assert len(set(descriptions)) == len(PUBLIC)
    for path, page in pages.items():
        assert page.find("link", rel="canonical")["href"] == "http://testserver" + path
        assert meta(page, property="og:url") == "http://testserver" + path
    rated = soup(client, FAQ + "?rated=4")
    assert rated.find("link", rel="canonical")["href"] == "http://testserver" + FAQ  # never the query string


def test_staff_can_write_the_description_and_the_summary_is_the_default(client, content):
    page = TreatmentPage.objects.get(slug="faq")
    assert meta(soup(client, FAQ), name="description") == page.summary
    page.description = "Answers from our clinic to what patients ask most about mesotherapy."
    page.save()
    assert meta(soup(client, FAQ), name="description") == page.description
    assert meta(soup(client, FAQ), property="og:description") == page.description


def test_the_share_card_is_a_1200_by_630_picture_that_changes_with_the_title(client, content):
    page = TreatmentPage.objects.get(slug="faq")
    first_url = meta(soup(client, FAQ), property="og:image")
    first = client.get(first_url)
    assert first["Content-Type"] == "image/png"
    assert "public" in first["Cache-Control"]
    assert Image.open(io.BytesIO(first.content)).size == (1200, 630)
    assert meta(soup(client, FAQ), name="twitter:card") == "summary_large_image"
    page.title = "Mesotherapy: your questions answered"
    page.save()
    second_url = meta(soup(client, FAQ), property="og:image")
    assert second_url != first_url
    assert client.get(second_url).content != first.content
    assert client.get(first_url.replace(".png", "x.png")).status_code == 404  # nobody else's words


def test_the_sitemap_lists_each_page_with_its_true_last_modified_date(client, content):
    def entries():
        root = ET.fromstring(client.get("/sitemap.xml").content)
        return {
            url.find("s:loc", SITEMAP_NS).text: getattr(url.find("s:lastmod", SITEMAP_NS), "text", None)
            for url in root.findall("s:url", SITEMAP_NS)
        }

    listed = entries()
    for page in TreatmentPage.objects.all():
        assert listed["http://testserver" + page.get_absolute_url()] == page.last_updated.isoformat()
    assert {"http://testserver/", "http://testserver/treatments/"} <= set(listed)
    assert not any("/appointments/" in url for url in listed)
    long_ago = timezone.make_aware(datetime.datetime(2026, 1, 5, 12))
    TreatmentPage.objects.filter(slug="faq").update(words_changed_at=long_ago)
    assert entries()["http://testserver" + FAQ] == "2026-01-05"
    faq = TreatmentPage.objects.get(slug="faq")
    record_review(faq, reviewed_on=datetime.date(2026, 11, 2))
    assert entries()["http://testserver" + FAQ] == "2026-01-05"  # a review is not a change of the words
    answer = faq.faq_entries.first()
    answer.answer += " One more sentence."
    answer.save()
    assert entries()["http://testserver" + FAQ] == timezone.localdate().isoformat()
    TreatmentPage.objects.filter(slug="faq").update(is_published=False)
    assert "http://testserver" + FAQ not in entries()


def test_robots_txt_points_to_the_sitemap_and_keeps_staff_forms_and_ratings_out(client):
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    lines = robots.content.decode().splitlines()
    assert {"Disallow: /admin/", "Disallow: /appointments/", "Disallow: /ratings/"} <= set(lines)
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /" not in lines
    assert "Disallow: /treatments/" not in lines


def test_a_page_claims_no_review_until_one_is_recorded(client, content):
    (page_data,) = of_type(structured(client, FAQ), "MedicalWebPage")
    page = TreatmentPage.objects.get(slug="faq")
    assert page_data["name"] == page.title
    assert page_data["description"] == page.summary
    assert page_data["dateModified"] == page.last_updated.isoformat()
    assert "lastReviewed" not in page_data
    assert "reviewedBy" not in page_data
    review = record_review(page, reviewed_on=datetime.date(2026, 11, 2))
    (page_data,) = of_type(structured(client, FAQ), "MedicalWebPage")
    assert page_data["lastReviewed"] == "2026-11-02"
    assert page_data["reviewedBy"] == {
        "@type": "Person",
        "name": review.reviewer.name,
        "jobTitle": review.reviewer.role,
    }


def test_every_treatment_page_has_its_breadcrumb_trail(client, content):
    first = {"en": ["Home", "Treatments", "Mesotherapy"], "es": ["Inicio", "Tratamientos", "Mesoterapia"]}
    for page in TreatmentPage.objects.select_related("treatment"):
        (trail,) = of_type(structured(client, page.get_absolute_url()), "BreadcrumbList")
        names = [item["name"] for item in trail["itemListElement"]]
        assert names[:3] == first[page.language]
        assert trail["itemListElement"][-1]["item"] == "http://testserver" + page.get_absolute_url()
        assert [item["position"] for item in trail["itemListElement"]] == list(range(1, len(names) + 1))


def test_the_home_page_describes_the_clinic_from_its_record(client, content, settings):
    clinic = Clinic.objects.get()
    (data,) = of_type(structured(client, "/"), "MedicalClinic")
    assert (data["name"], data["telephone"], data["email"]) == (clinic.name, clinic.phone, clinic.email)
    assert data["address"]["streetAddress"] == clinic.street_address
    assert (data["address"]["addressLocality"], data["address"]["postalCode"]) == (clinic.city, clinic.postal_code)
    assert "openingHours" not in data  # not known: not said
    record_opening_hours("mon-tue 09:00-17:00; sat 10:00-13:00")
    (data,) = of_type(structured(client, "/"), "MedicalClinic")
    assert data["openingHours"] == ["Mo 09:00-17:00", "Tu 09:00-17:00", "Sa 10:00-13:00"]


def test_structured_data_cannot_break_out_of_its_script_block(client, content):
    page = TreatmentPage.objects.get(slug="faq")
    page.title = "</script><script>alert(1)</script>"
    page.save()
    html = client.get(FAQ).content.decode()
    assert "</script><script>alert(1)" not in html
    (page_data,) = of_type(structured(client, FAQ), "MedicalWebPage")
    assert page_data["name"] == page.title


def test_a_title_always_names_the_same_card(client, content):
    first = meta(soup(client, FAQ), property="og:image")
    later = time.time() + 3 * 24 * 3600
    with mock.patch("time.time", return_value=later):
        assert meta(soup(client, FAQ), property="og:image") == first  # cached pages and previews stay right


def crawl(client, start="/") -> set[str]:
    """Every page a visitor reaches by following the site's own links from the home page that
    search engines may read: not kept out by robots.txt, not marked noindex."""
    from urllib.parse import urljoin, urlsplit

    disallowed = [line.split(":", 1)[1].strip() for line in client.get("/robots.txt").content.decode().splitlines()
                  if line.startswith("Disallow:")]  # fmt: skip
    seen, found, queue = set(), set(), [start]
    while queue:
        path = queue.pop()
        if path in seen or any(path.startswith(prefix) for prefix in disallowed):
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        page = BeautifulSoup(response.content, "html.parser")
        robots = page.find("meta", attrs={"name": "robots"})
        if robots is None or "noindex" not in robots["content"]:
            found.add(path)
        for link in page.select("a[href]"):
            address = urlsplit(urljoin(f"http://testserver{path}", link["href"]))
            if address.netloc == "testserver" and not address.query and not address.path.startswith("/static/"):
                queue.append(address.path)
    return found


def test_every_public_page_has_a_canonical_link_and_a_share_image_and_is_in_the_sitemap(client, content):
    public = crawl(client)
    assert {"/", "/visiting/", "/privacy/", "/accessibility/", "/newsletter/", FAQ} <= public
    for path in public:
        page = soup(client, path)
        assert page.find("link", rel="canonical")["href"] == f"http://testserver{path}", path
        assert meta(page, property="og:image").startswith("http://testserver/share/"), path
    sitemap = ET.fromstring(client.get("/sitemap.xml").content)
    listed = {loc.text.removeprefix("http://testserver") for loc in sitemap.findall(".//s:loc", SITEMAP_NS)}
    assert listed == public
