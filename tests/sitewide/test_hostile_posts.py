"""Whatever is posted to any POST endpoint, with whatever headers, the answer is never a 500."""

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/appointments/request/",
    "/ratings/",
    "/ratings/comment/",
    "/admin/login/",
    "/newsletter/",
    "/newsletter/confirm/not-a-token/",
    "/newsletter/unsubscribe/not-a-token/",
]
FIELDS = [
    "first_name",
    "email",
    "phone",
    "state",
    "contact_preference",
    "treatment",
    "form_token",
    "website",
    "page",
    "stars",
    "comment",
    "username",
    "password",
    "csrfmiddlewaretoken",
]
NON_ASCII_DIGITS = ["\u00b2", "\u0663", "\uff13", "\u0967", "\u09e8", "1\u00b2", "\u2167"]
values = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["", "1", "2", "5", "0", "-1", "99999999999999999999", "\x00", "mesotherapy", "email", *NON_ASCII_DIGITS]
)
hostile = st.sampled_from(
    [
        "",
        "\x00",
        "203.0.113.4, 127.0.0.1/32",
        "999.999.999.999",
        "::::",
        ",,,",
        "\u0661\u0662.0.0.1",
        "a" * 2000,
        "https://evil.example",
        "null",
        "same-origin",
        "cross-site",
        "application/json",
        "text/html;q=\u00b2",
        "csrftoken=\u00b2; sessionid=x; mesoclinic_rater=forged",
    ]
)
headers = st.dictionaries(
    st.sampled_from(
        [
            "HTTP_X_FORWARDED_FOR",
            "HTTP_X_REAL_IP",
            "HTTP_ORIGIN",
            "HTTP_SEC_FETCH_SITE",
            "HTTP_ACCEPT",
            "HTTP_REFERER",
            "HTTP_COOKIE",
            "HTTP_USER_AGENT",
            "HTTP_X_FORWARDED_PROTO",
            "HTTP_HOST",
            "REMOTE_ADDR",
        ]
    ),
    hostile,
    max_size=5,
)


@given(
    endpoint=st.sampled_from(ENDPOINTS),
    data=st.dictionaries(st.sampled_from(FIELDS), values, max_size=8),
    meta=headers,
    proxies=st.sampled_from([0, 1, 2]),
)
def test_no_post_to_any_endpoint_with_any_headers_is_a_server_error(content, settings, endpoint, data, meta, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    cache.clear()
    client = Client(raise_request_exception=False)
    # A WSGI server hands headers over as bytes read as latin-1, whatever the client sent.
    meta = {key: value.encode("utf-8").decode("latin-1") for key, value in meta.items()}
    response = client.post(endpoint, data, **meta)
    assert response.status_code < 500, (endpoint, data, meta, response.status_code)


@pytest.fixture
def same_site_client(content):
    """A client whose posts pass the CSRF check, as a visitor's browser on this site would."""
    client = Client(enforce_csrf_checks=True, headers={"Origin": "http://testserver"})
    client.get("/appointments/request/")
    return client


@pytest.mark.parametrize("charset", ["utf-16", "utf-7", "utf-32", "x-no-such-charset", "UTF-16LE"])
@pytest.mark.parametrize("path", ["/appointments/request/", "/ratings/", "/admin/login/", "/treatments/"])
def test_a_form_in_another_charset_gets_the_400_page_and_one_log_line(same_site_client, caplog, charset, path):
    token = same_site_client.cookies["csrftoken"].value
    body = f"csrfmiddlewaretoken={token}&first_name=Ana&page=1&stars=4".encode()
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    response = same_site_client.generic("POST", path, body, content_type=content_type)
    assert response.status_code == 400
    html = response.content.decode()
    assert "We could not read that request" in html
    assert "1-212-679-9667" in html  # the site's own page, with the phone number
    assert "Content-Security-Policy" in response
    records = [record for record in caplog.records if record.levelname in {"WARNING", "ERROR"}]
    assert len(records) == 1
    assert records[0].exc_info is None  # a line, not a traceback


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/admin/appointments/appointmentrequest/", {"q": "An\x00a"}),
        ("get", "/admin/autocomplete/", {"term": "\x00", "app_label": "appointments", "model_name": "x"}),
        ("get", "/treatments/mesotherapy/faq/", {"rated": "4\x00"}),
        ("get", "/treatments/mesotherapy/faq\x00/", {}),
    ],
)
def test_a_nul_character_in_an_address_or_a_query_gets_the_400_page(admin_client, content, method, path, data):
    response = getattr(admin_client, method)(path, data)
    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/appointments/request/", {"first_name": "Ana\x00"}),
        ("/admin/login/", {"username": "boss\x00", "password": "x"}),
    ],
)
def test_a_nul_character_in_a_form_is_a_form_error(client, content, path, data):
    response = client.post(path, data)
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


def test_an_over_long_username_is_a_form_error_not_a_500(client, content):
    response = client.post("/admin/login/", {"username": "x" * 300, "password": "whatever"})
    assert response.status_code == 200
    assert "A username has at most 150 characters." in response.content.decode()
