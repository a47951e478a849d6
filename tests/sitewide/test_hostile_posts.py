"""Whatever is posted to any POST endpoint, with whatever headers, the answer is never a 500."""

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/appointments/request/", "/ratings/", "/ratings/comment/", "/admin/login/"]
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
