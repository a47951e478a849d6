"""One client address for rate limits, the admin lockout and the audit trail, whatever proxies
stand in front and whatever a client sends."""

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from appointments.models import AppointmentRequest
from sitewide.client_address import client_address
from tests.appointments.factories import form_data

CLIENT = "203.0.113.4"
PROXY = "127.0.0.1"


def address(trusted, remote=PROXY, forwarded=None, settings=None):
    settings.TRUSTED_PROXY_COUNT = trusted
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        (0, CLIENT, None, CLIENT),
        (0, CLIENT, "198.51.100.7", CLIENT),  # no trusted proxy: the header is ignored
        (1, PROXY, CLIENT, CLIENT),
        (1, PROXY, f"198.51.100.7, {CLIENT}", CLIENT),  # the client wrote the left part
        (1, PROXY, f"198.51.100.7,{CLIENT}", CLIENT),
        (2, PROXY, f"198.51.100.7, {CLIENT}, 10.0.0.2", CLIENT),
        (1, PROXY, "2001:db8::1", "2001:db8::1"),
        (1, PROXY, None, PROXY),  # reached the server directly
        (2, PROXY, CLIENT, PROXY),  # fewer entries than proxies: not trusted
        (1, PROXY, "", PROXY),
        (1, PROXY, "not-an-address", PROXY),
        (1, PROXY, f"{CLIENT}, 127.0.0.1/32", PROXY),
        (1, PROXY, "\u0661\u0662.0.0.1", PROXY),
        (1, PROXY, ",,,", PROXY),
        (0, "", None, "0.0.0.0"),
        (0, "garbage", None, "0.0.0.0"),
    ],
)
def test_the_client_address_in_every_case(settings, trusted, remote, forwarded, expected):
    assert address(trusted, remote, forwarded, settings) == expected


@pytest.fixture
def posting(content):
    cache.clear()
    yield lambda forwarded, **extra: Client(REMOTE_ADDR=PROXY).post(
        reverse("appointments:request"), form_data(**extra), HTTP_X_FORWARDED_FOR=forwarded
    )
    cache.clear()


def test_behind_a_trusted_proxy_each_patient_has_their_own_limit(posting, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.APPOINTMENT_RATE_LIMIT = "1/10m"
    assert posting("198.51.100.1").status_code == 302
    assert posting("198.51.100.2").status_code == 302  # another patient behind the same proxy
    assert posting("198.51.100.1").status_code == 429
    assert AppointmentRequest.objects.count() == 2


def test_without_a_trusted_proxy_a_client_cannot_pick_its_own_bucket(posting, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.APPOINTMENT_RATE_LIMIT = "1/10m"
    assert posting("198.51.100.1").status_code == 302
    assert posting("198.51.100.2").status_code == 429


@pytest.mark.parametrize("forwarded", ["", "junk", "1.2.3.4, 127.0.0.1/32", "\x00", "9" * 300, "::::"])
@pytest.mark.parametrize("trusted", [0, 1, 3])
def test_a_garbled_header_never_gives_a_server_error(posting, settings, forwarded, trusted):
    settings.TRUSTED_PROXY_COUNT = trusted
    response = posting(forwarded)
    assert response.status_code == 302
