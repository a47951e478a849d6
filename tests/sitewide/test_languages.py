"""Spanish for patients: the address decides the language, every page links to itself in the
other language, and no page shows the other language's interface words."""

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree as ET

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from django.conf import settings

from appointments.booking.models import VisitTypeWords
from tests.appointments.booking.factories import clinic_calendar
from tests.treatments.factories import make_page
from treatments.models import Clinic, ClinicWords, Treatment, TreatmentPage

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
SPANISH_FAQ = "/es/tratamientos/mesoterapia/preguntas-frecuentes/"


def catalogue():
    with CATALOGUE.open("rb") as source:
        return read_po(source, locale="es")


def test_every_entry_of_the_spanish_catalogue_is_translated_and_none_is_fuzzy():
    messages = [message for message in catalogue() if message.id]
    assert len(messages) > 400
    untranslated = [
        message.id
        for message in messages
        if not all(message.string if isinstance(message.string, tuple) else [message.string])
    ]
    fuzzy = [message.id for message in messages if message.fuzzy]
    assert (untranslated, fuzzy) == ([], [])


def visible_text(html: str) -> str:
    page = BeautifulSoup(html, "html.parser")
    for hidden in page.select("script, style, [lang='en']"):
        hidden.decompose()  # words marked as English (a source's title, the English page's link)
    return " ".join(page.get_text(" ").split())


def crawl(client, start: str, prefix: str) -> dict[str, str]:
    """Every page reached from `start` by the site's own links whose address starts with prefix
    (or, for English, does not start with /es/), with its visible text."""
    seen, found, queue = set(), {}, [start]
    while queue:
        path = queue.pop()
        in_language = path.startswith(prefix) if prefix else not path.startswith("/es/")
        if path in seen or not in_language or path.startswith(("/static/", "/admin/", "/media/")):
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        found[path] = html
        for link in BeautifulSoup(html, "html.parser").select("a[href]"):
            address = urlsplit(urljoin(f"http://testserver{path}", link["href"]))
            if address.netloc == "testserver" and not address.query:
                queue.append(address.path)
    return found


def sentences_of(entries, pick) -> set[str]:
    """The catalogue's sentences of four words or more, without their placeholders and markup."""
    found = set()
    for message in entries:
        texts = pick(message)
        for text in texts if isinstance(texts, tuple) else [texts]:
            for sentence in re.split(r"(?<=[.:?!])\s+", re.sub(r"<[^>]+>|%\(\w+\)[sd]|%s", " ", text or "")):
                sentence = " ".join(sentence.split())
                if len(sentence.split()) >= 4 and "%" not in sentence:
                    found.add(sentence)
    return found


def test_no_spanish_page_holds_an_english_sentence_of_the_interface_and_no_english_page_spanish(client, content):
    entries = [message for message in catalogue() if message.id]
    english = sentences_of(entries, lambda message: message.id)
    # and the clinic's own words for patients, as shipped in English (its record)
    clinic = Clinic.objects.get()
    english |= sentences_of([clinic], lambda clinic: tuple(getattr(clinic, name) for name in ClinicWords.WORDS))
    spanish = sentences_of(entries, lambda message: message.string)
    visit_type, _people = clinic_calendar()  # booking open: its pages are crawled too
    VisitTypeWords.objects.create(visit_type=visit_type, language="es", name="Primera consulta")
    spanish_pages = crawl(client, "/es/", "/es/")
    english_pages = crawl(client, "/", "")
    assert {"/es/", SPANISH_FAQ, "/es/citas/solicitar/", "/es/boletin/", "/es/privacidad/"} <= set(spanish_pages)
    assert {"/es/citas/reservar/", f"/es/citas/reservar/{visit_type.pk}/"} <= set(spanish_pages)
    assert {"/", "/treatments/mesotherapy/faq/", "/appointments/request/", "/privacy/"} <= set(english_pages)
    assert {"/appointments/book/", f"/appointments/book/{visit_type.pk}/"} <= set(english_pages)
    for path, html in spanish_pages.items():
        text = visible_text(html)
        assert [sentence for sentence in english if sentence in text] == [], path
        assert '<html lang="es">' in html, path
    for path, html in english_pages.items():
        text = visible_text(html)
        assert [sentence for sentence in spanish - english if sentence in text] == [], path
        assert '<html lang="en">' in html, path


def test_the_address_alone_decides_the_language_so_every_address_is_one_page_for_every_cache(client, content):
    for headers in [{}, {"HTTP_ACCEPT_LANGUAGE": "es"}, {"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=es"}]:
        english = client.get("/treatments/mesotherapy/", **headers)
        assert english.status_code == 200  # never a redirect to /es/
        assert '<html lang="en">' in english.content.decode()
        assert "Accept-Language" not in english.get("Vary", "")
        assert english["Content-Language"] == "en"
    spanish = client.get("/es/tratamientos/mesoterapia/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="es">' in spanish.content.decode()
    assert "Accept-Language" not in spanish.get("Vary", "")
    assert spanish["Content-Language"] == "es"


def test_every_page_links_to_itself_in_the_other_language_and_names_both_in_its_head(client, content):
    pairs = {
        "/": "/es/",
        "/treatments/mesotherapy/faq/": SPANISH_FAQ,
        "/appointments/request/": "/es/citas/solicitar/",
        "/privacy/": "/es/privacidad/",
        "/visiting/": "/es/como-visitarnos/",
        "/newsletter/": "/es/boletin/",
    }
    for english, spanish in pairs.items():
        for path, other, code, name in [(english, spanish, "es", "Español"), (spanish, english, "en", "English")]:
            page = BeautifulSoup(client.get(path).content, "html.parser")
            link = page.select_one("a.language-link")
            assert (link["href"], link["lang"], link["hreflang"], link.get_text(strip=True)) == (
                other,
                code,
                code,
                name,
            )
            alternates = {tag["hreflang"]: tag["href"] for tag in page.select("link[rel=alternate][hreflang]")}
            assert alternates == {
                "en": f"http://testserver{english}",
                "es": f"http://testserver{spanish}",
                "x-default": f"http://testserver{english}",
            }, path


def test_the_sitemap_lists_both_languages_each_with_its_alternates(client, content):
    namespaces = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    sitemap = ET.fromstring(client.get("/sitemap.xml").content)
    entries = {
        url.find("s:loc", namespaces).text: {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", namespaces)
        }
        for url in sitemap.findall("s:url", namespaces)
    }
    faq = {"en": "http://testserver/treatments/mesotherapy/faq/", "es": f"http://testserver{SPANISH_FAQ}"}
    assert entries[faq["en"]] == entries[faq["es"]] == {**faq, "x-default": faq["en"]}
    assert entries["http://testserver/es/privacidad/"]["en"] == "http://testserver/privacy/"


def test_the_clinics_words_show_in_the_pages_language_and_never_in_another(client, content):
    clinic = Clinic.objects.get()
    spanish = client.get(SPANISH_FAQ).content.decode()
    assert "le recomendamos encarecidamente que pida una cita" in spanish
    assert "Entre las calles 42 y 43" in spanish
    assert clinic.next_steps not in spanish
    english = client.get("/treatments/mesotherapy/faq/").content.decode()
    assert clinic.next_steps in english
    assert "Entre las calles" not in english
    clinic.words.all().delete()  # nobody has written them in Spanish: none are shown there
    spanish = client.get(SPANISH_FAQ).content.decode()
    assert clinic.next_steps not in spanish
    assert "Between 42nd" not in spanish


def test_the_structured_data_and_the_share_card_name_the_pages_language(client, content):
    for path, code, other in [("/treatments/mesotherapy/faq/", "en", "es"), (SPANISH_FAQ, "es", "en")]:
        html = client.get(path).content.decode()
        assert f'"inLanguage":"{code}"' in html
        page = BeautifulSoup(html, "html.parser")
        assert page.find("meta", property="og:locale")["content"] == f"{code}_US"
        assert page.find("meta", property="og:locale:alternate")["content"] == f"{other}_US"


def test_the_page_cache_keeps_one_copy_of_a_page_whatever_language_the_browser_asks_for(client, settings, content):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE = True
    cache.clear()
    first = client.get(SPANISH_FAQ, HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9")
    with CaptureQueriesContext(connection) as queries:
        second = client.get(SPANISH_FAQ, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert len(queries.captured_queries) == 0  # the copy the first browser was given
    assert second.content == first.content


def test_an_english_page_not_yet_translated_says_so_in_spanish_and_links_to_the_english_page(client, content):
    english = Treatment.objects.get(language="en")
    new_page = make_page(english, slug="new-page", title="A new page", kind="faq")
    html = client.get(new_page.get_absolute_url()).content.decode()
    link = BeautifulSoup(html, "html.parser").select_one("a.language-link")
    assert link["href"] == "/es/tratamientos/mesotherapy/new-page/"
    response = client.get(link["href"])
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("h1").get_text(strip=True) == "Esta página todavía no está en su idioma"
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    english_link = page.select_one("main a[hreflang=en]")
    assert (english_link["href"], english_link.get_text(strip=True)) == (new_page.get_absolute_url(), "A new page")
    assert 'hreflang="es"' not in str(page.head)  # not offered to search engines as a translation
    assert client.get("/es/tratamientos/mesotherapy/no-such-page/").status_code == 404


def test_a_spanish_page_whose_address_changed_answers_its_old_address_with_a_301(client, content):
    page = TreatmentPage.objects.get(treatment__language="es", slug="preguntas-frecuentes")
    page.slug = "preguntas"
    page.save()
    response = client.get(SPANISH_FAQ)
    assert (response.status_code, response["Location"]) == (301, "/es/tratamientos/mesoterapia/preguntas/")


def test_each_spanish_page_translates_its_english_page_and_is_unreviewed_until_a_clinician_reviews_it(client, content):
    for page in TreatmentPage.objects.filter(treatment__language="es"):
        assert page.translation_of is not None
        assert page.translation_of.language == "en"
        assert not page.translation_out_of_date
        html = client.get(page.get_absolute_url()).content.decode()
        assert "Ningún profesional clínico ha revisado todavía esta página." in html


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_request_form_offers_the_treatment_by_its_name_in_the_pages_language(client, content, language):
    path = "/appointments/request/" if language == "en" else "/es/citas/solicitar/"
    options = BeautifulSoup(client.get(path).content, "html.parser").select("select[name=treatment] option")
    names = [option.get_text(strip=True) for option in options if option["value"]]
    assert names == (["Mesotherapy"] if language == "en" else ["Mesoterapia"])


def test_an_english_source_cited_on_a_spanish_page_is_marked_as_english_for_screen_readers(client, content):
    spanish = BeautifulSoup(client.get(SPANISH_FAQ).content, "html.parser")
    listed = spanish.select_one("#sources li span[lang=en]")
    assert listed is not None
    assert (
        "FDA Warns About Lipodissolve Product Claims"
        in spanish.select_one(".warning__source span[lang=en]").get_text()
    )
    assert all(link.get("lang") == "en" for link in spanish.select(".cited-sources a"))
    english = BeautifulSoup(client.get("/treatments/mesotherapy/faq/").content, "html.parser")
    assert english.select("#sources [lang], .cited-sources [lang], .warning [lang]") == []
