"""Security headers on every kind of page: public, the form, the thank-you page, the admin and
static files."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/treatments/mesotherapy/",
    "/appointments/request/",
    "/appointments/request/thanks/",
    "/admin/login/",
    "/healthz",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_the_security_headers(client, content, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";") if directive
    )
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    permissions = response["Permissions-Policy"]
    for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"]:
        assert feature in permissions
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_https_pages_send_strict_transport_security(content, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_pages_showing_what_a_patient_typed_are_never_stored(client, content):
    for path in ["/appointments/request/", "/appointments/request/thanks/"]:
        assert "no-store" in client.get(path)["Cache-Control"]
