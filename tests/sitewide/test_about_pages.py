"""The pages every clinic site has: a privacy notice drawn from the site's real settings, an
accessibility statement, and a visiting page that shows only what staff have recorded."""

import datetime

import pytest
from bs4 import BeautifulSoup

from appointments.models import AppointmentRequest
from tests.treatments.factories import record_opening_hours
from treatments.models import Clinic

pytestmark = pytest.mark.django_db


def text(client, url):
    return " ".join(BeautifulSoup(client.get(url).content, "html.parser").select_one("main").get_text(" ").split())


def test_the_privacy_notice_lists_what_a_request_stores_from_the_model_itself(client, content):
    notice = text(client, "/privacy/")
    for name in AppointmentRequest.PATIENT_FIELDS:
        assert str(AppointmentRequest._meta.get_field(name).verbose_name).capitalize() in notice
    for fact in [
        "Only members of our staff who arrange appointments",
        "records who did it and when",
        "holds none of your details",
        "E-mail is not a secure channel",
        "a copy of what we hold about you",
        "1-212-679-9667",
        "info@patientsmedical.com",
    ]:
        assert fact in notice


def test_the_privacy_notice_follows_the_sites_settings(client, content, settings):
    settings.APPOINTMENT_RETENTION_DAYS = 90
    settings.RATING_COOKIE_MAX_AGE = 60 * 60 * 24 * 30
    settings.STAFF_SESSION_MAX_HOURS = 8
    notice = text(client, "/privacy/")
    assert "it is deleted when it is 90 days old" in notice
    assert "Two cookies, kept for 30 days" in notice
    assert "For 60 minutes, whether you asked us to phone or e-mail you" in notice
    assert "ends after 8 hours at most" in notice


@pytest.mark.parametrize("url", ["/", "/treatments/mesotherapy/faq/", "/appointments/request/", "/privacy/"])
def test_every_page_links_to_the_privacy_accessibility_and_visiting_pages(client, content, url):
    footer = BeautifulSoup(client.get(url).content, "html.parser").select_one(".site-footer")
    links = {a.get_text(): a["href"] for a in footer.select("nav a")}
    assert links == {
        "Visiting us": "/visiting/",
        "Privacy notice": "/privacy/",
        "Accessibility": "/accessibility/",
    }


def test_the_request_form_links_to_the_privacy_notice(client, content):
    form_page = BeautifulSoup(client.get("/appointments/request/").content, "html.parser")
    assert form_page.select_one('.notice a[href="/privacy/"]').get_text() == "privacy notice"


def test_the_accessibility_statement_names_the_standard_the_tests_and_how_to_report(client, content):
    statement = text(client, "/accessibility/")
    for fact in [
        "WCAG) 2.2, level AA",
        "with axe",
        "using the keyboard alone",
        "with JavaScript switched off",
        "Known limits",
        "Tell us about a problem",
        "1-212-679-9667",
    ]:
        assert fact in statement


def test_the_visiting_page_shows_only_what_staff_have_recorded(client, content):
    page = text(client, "/visiting/")
    assert "800 Second Avenue, Suite 900" in page
    assert "Our opening hours are not listed here yet. Please call us on 1-212-679-9667" in page
    for heading in ["How to get here", "Step-free access", "Costs"]:
        assert heading not in page
    clinic = Clinic.objects.get()
    clinic.directions = "Grand Central is a five-minute walk."
    clinic.step_free_access = "The building has a step-free entrance and lifts."
    clinic.save()
    new_year = datetime.date(datetime.date.today().year + 1, 1, 1)
    record_opening_hours("mon-fri 09:00-17:00", closed=[new_year.isoformat()])
    page = text(client, "/visiting/")
    assert "Monday 9:00 AM \N{EN DASH} 5:00 PM" in page
    assert "Saturday Closed" in page
    assert f"We are also closed on: {new_year:%A} 1 January {new_year.year}" in page
    assert "How to get here Grand Central is a five-minute walk." in page
    assert "Step-free access The building has a step-free entrance and lifts." in page
    assert "Costs" not in page
    assert "not listed here yet" not in page


@pytest.mark.parametrize("url", ["/privacy/", "/accessibility/", "/visiting/"])
def test_the_about_pages_are_public_and_in_the_sitemap(client, content, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert f"http://testserver{url}" in client.get("/sitemap.xml").content.decode()
