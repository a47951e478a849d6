"""Errors reported to a Sentry-compatible server when SENTRY_DSN is set (sentry-sdk; a self-hosted
GlitchTip is the documented choice, docs/deploying.md): nothing is sent anywhere otherwise, and
never to a third party by default.

What would leave the server is cut down first, since an error can happen in the middle of a
patient's request: no request body, cookies, query string or user; only harmless headers; no
local variables of the stack frames; no database queries among the breadcrumbs; and any e-mail
address or phone number left in a message (an exception's text, a log line) is replaced."""

import re

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

from .logs import REQUEST_ID

EMAIL = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\w-])\+?\(?\d[\d ().-]{6,}\d(?![\w-])")
KEPT_HEADERS = {"host", "user-agent", "x-request-id", "x-forwarded-proto"}


def scrubbed(value):
    """The value with every e-mail address and phone number in its strings replaced."""
    if isinstance(value, str):
        return PHONE.sub("[phone]", EMAIL.sub("[e-mail]", value))
    if isinstance(value, dict):
        return {key: scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrubbed(item) for item in value]
    return value


def before_send(event, hint):
    request = event.get("request")
    if request:
        headers = request.get("headers") or {}
        event["request"] = {
            "method": request.get("method"),
            "url": (request.get("url") or "").split("?", 1)[0],
            "headers": {name: value for name, value in headers.items() if name.lower() in KEPT_HEADERS},
        }
    event.pop("user", None)
    event.pop("extra", None)
    if REQUEST_ID.get():  # to find the request's lines in every log (sitewide/logs.py)
        event.setdefault("tags", {})["request_id"] = REQUEST_ID.get()
    breadcrumbs = event.get("breadcrumbs") or {}
    values = breadcrumbs.get("values", []) if isinstance(breadcrumbs, dict) else breadcrumbs
    kept = [crumb for crumb in values if crumb.get("category") not in ("query", "django.db.backends")]
    for crumb in kept:
        crumb.pop("data", None)
    event["breadcrumbs"] = {"values": kept}
    return scrubbed(event)


def before_breadcrumb(crumb, hint):
    return None if crumb.get("category") in ("query", "django.db.backends") else crumb


def start(dsn: str, *, environment: str, release: str = "", transport=None) -> None:
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        # Collected at all: no user, cookies, bodies, query strings, query data or frame variables;
        # only the headers named in KEPT_HEADERS. before_send checks it all again.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": sorted(KEPT_HEADERS)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,
        },
        max_request_body_size="never",
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
        traces_sample_rate=0.0,
        environment=environment,
        release=release or None,
        transport=transport,
    )
