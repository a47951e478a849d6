"""The shared page cache: public pages are kept whole in the cache (Redis in production) and
answered before sessions, authentication or any view runs.

How a kept page stays true, with the cache's public API only (get_many, set):

- Each kept page is stored with two tokens it was drawn under: the site's (changed by every saved
  change to the content: a page, a section, a question, a source, a review, the clinic) and its
  own page's (changed by a vote on that page). A hit reads the page and both current tokens in one
  round trip (`get_many`) and is used only if the tokens still match; otherwise the page is drawn
  afresh. The tokens are random, so an old page can never match again.
- A page drawn while a change was being saved is stamped with the tokens read before it was drawn,
  so it cannot outlive the change: the change's new token no longer matches it.
- A vote changes its page's token after the vote is stored: the very next view of that page, on
  any server process, shows the new tally.

Only responses a view marked public (`Cache-Control: public`) with status 200, no cookie and no
Vary beyond Accept-Encoding are kept, and never an address with a query string. Browsers are told
to revalidate every time (`no-cache`, answered 304 from here when the ETag matches); nginx may keep
a page for PROXY_CACHE_SECONDS (`X-Accel-Expires`), the longest a stale tally can be shown.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import get_conditional_response
from django.utils.deprecation import MiddlewareMixin

from .metrics import PAGE_CACHE

CONTENT_APPS = ["treatments"]
# Beyond the content: what decides whether the pages offer "Book online".
PAGE_MODELS = [
    "appointments.Clinician",
    "appointments.VisitType",
    "appointments.VisitTypeWords",
    "appointments.WorkingHours",
]
SITE_TOKEN = "page-cache:site"
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
LIST_SEPARATOR = re.compile(r"\s*,\s*")


def page_token_key(path: str) -> str:
    return f"page-cache:page:{path}"


def page_key(request) -> str:
    encoding = "gzip" if ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) else "identity"
    return f"page-cache:kept:{request.scheme}://{request.get_host()}{request.path}:{encoding}"


def new_token() -> str:
    return uuid.uuid4().hex


def shared_cache_is_down() -> bool:
    """True while Redis cannot be reached (sitewide.cache): then nothing is kept, since each
    server's own memory would not hear of another server's edits."""
    return getattr(cache, "is_down", False)


def retire_after_outage(redis_cache) -> None:
    """Run when Redis answers again: what it kept may predate an edit or a vote made meanwhile."""
    redis_cache.set(SITE_TOKEN, new_token(), timeout=None)


# Readings of the content kept beside the pages (the clinic's details, the published pages a
# rating may name, the published treatments the form offers, the opening hours, a treatment
# page's words), under the same site token: one round trip reads the readings and the tokens,
# and a content edit retires them all. A reading of one page's votes (its rating tally) carries
# that page's token too, which a vote on it retires.


@dataclass(frozen=True)
class Reading:
    """What to keep: its name, how to read it afresh, and the address of the page whose votes
    change it (None for a reading that only the content changes)."""

    name: str
    read: Callable[[], Any]
    voted_page: str | None = None


def kept_readings(*readings: Reading) -> list:
    """Each reading, kept in the shared cache until what it reads changes (and for at most
    PAGE_CACHE_SECONDS, like the pages); all of them and their tokens in one round trip. A
    reading drawn afresh is stamped with the tokens read before it was drawn, as a page is."""
    keys = [f"page-cache:content:{reading.name}" for reading in readings]
    page_tokens = [page_token_key(reading.voted_page) if reading.voted_page else None for reading in readings]
    found = cache.get_many([*keys, SITE_TOKEN, *filter(None, page_tokens)])
    if shared_cache_is_down():
        return [reading.read() for reading in readings]
    values, fresh = [], {}
    for key, page_token, reading in zip(keys, page_tokens, readings, strict=True):
        stamp = (found.get(SITE_TOKEN), found.get(page_token) if page_token else None)
        if key in found and found[key][0] == stamp:
            values.append(found[key][1])
            continue
        values.append(reading.read())
        fresh[key] = (stamp, values[-1])
    if fresh:
        cache.set_many(fresh, timeout=settings.PAGE_CACHE_SECONDS)
    return values


def kept_content(name: str, read):
    """A reading of the content, kept in the shared cache until the content changes."""
    return kept_readings(Reading(name, read))[0]


def _retire_site_token() -> None:
    cache.set(SITE_TOKEN, new_token(), timeout=None)


def invalidate_pages(**kwargs) -> None:
    """Retires every kept page and every kept reading of the content, on every server process at
    once. It runs at once and again when the edit's transaction commits: a page drawn in between
    from the old rows is stamped with the first new token, which the second retires."""
    _retire_site_token()
    transaction.on_commit(_retire_site_token)


def forget_page(path: str) -> None:
    """Retires the kept copies of one page (all its hosts and encodings): after a vote."""
    cache.set(page_token_key(path), new_token(), timeout=None)


def connect_invalidation() -> None:
    models = [model for label in CONTENT_APPS for model in apps.get_app_config(label).get_models()]
    for model in [*models, *(apps.get_model(label) for label in PAGE_MODELS)]:
        post_save.connect(invalidate_pages, sender=model, dispatch_uid=f"pages:{model._meta.label}:save")
        post_delete.connect(invalidate_pages, sender=model, dispatch_uid=f"pages:{model._meta.label}:delete")
        for field in model._meta.local_many_to_many:  # who offers a visit type, say
            through = field.remote_field.through
            m2m_changed.connect(invalidate_pages, sender=through, dispatch_uid=f"pages:{through._meta.label}:m2m")


@dataclass
class Lookup:
    """What the fetch found out, for the update on the way back: where to keep the page and the
    tokens it is drawn under."""

    key: str
    site_token: str | None
    page_token: str | None


def _lookup(request) -> Lookup | None:
    if not settings.PAGE_CACHE or request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
        return None
    if request.path.startswith(settings.STATIC_URL):  # WhiteNoise's, below: never a page
        return None
    return Lookup(key=page_key(request), site_token=None, page_token=None)


class FetchPageFromCache(MiddlewareMixin):
    """Answers a kept page whose tokens still match, in one round trip to the cache."""

    def process_request(self, request):
        lookup = _lookup(request)
        request.page_cache_lookup = lookup
        if lookup is None:
            return None
        token_key = page_token_key(request.path)
        found = cache.get_many([lookup.key, SITE_TOKEN, token_key])
        if shared_cache_is_down():  # drawn from the database, and not kept (see shared_cache_is_down)
            request.page_cache_lookup = None
            return None
        lookup.site_token, lookup.page_token = found.get(SITE_TOKEN), found.get(token_key)
        kept = found.get(lookup.key)
        if kept is None or (kept["site"], kept["page"]) != (lookup.site_token, lookup.page_token):
            return None
        PAGE_CACHE.labels("hit").inc()
        request.page_cache_lookup = None  # answered from the cache: nothing to keep on the way back
        response = kept["response"]
        # What ConditionalGetMiddleware, below, would answer: a 304 when the browser's copy matches.
        return get_conditional_response(request, etag=response.get("ETag"), response=response)


def _keepable(response) -> bool:
    cache_control = {part.strip().lower() for part in LIST_SEPARATOR.split(response.get("Cache-Control", ""))}
    vary = {part.strip().lower() for part in LIST_SEPARATOR.split(response.get("Vary", "")) if part.strip()}
    return (
        response.status_code == 200
        and not response.streaming
        and "public" in cache_control
        and "no-store" not in cache_control
        and "private" not in cache_control
        and not response.cookies
        and vary <= {"accept-encoding"}
    )


class UpdatePageCache(MiddlewareMixin):
    """Keeps a public page drawn afresh, stamped with the tokens read before it was drawn; tells
    nginx how long it may keep it."""

    def process_response(self, request, response):
        if "public" in response.get("Cache-Control", ""):
            response["X-Accel-Expires"] = str(settings.PROXY_CACHE_SECONDS)
        lookup = getattr(request, "page_cache_lookup", None)
        if lookup is None or request.method != "GET" or not _keepable(response):
            return response
        PAGE_CACHE.labels("miss").inc()  # a public page drawn afresh, kept for the next visitor
        kept = {"site": lookup.site_token, "page": lookup.page_token, "response": response}
        if hasattr(response, "render") and callable(response.render):
            response.add_post_render_callback(
                lambda rendered: cache.set(lookup.key, {**kept, "response": rendered}, settings.PAGE_CACHE_SECONDS)
            )
        else:
            cache.set(lookup.key, kept, settings.PAGE_CACHE_SECONDS)
        return response


# A line break with the blank lines and indentation after it, outside <pre> and <textarea>,
# whose spaces are content: the templates' indentation is for their readers, not the patients'.
INDENTATION = re.compile(r"(<(?:pre|textarea)\b.*?</(?:pre|textarea)>)|\n\s+", re.DOTALL | re.IGNORECASE)


PRESERVED = re.compile(r"<(?:pre|textarea)\b", re.IGNORECASE)
LINE_INDENTATION = re.compile(r"\n\s+")


def without_indentation(html: str) -> str:
    """The page as the browser renders it (a line break still separates words), in fewer bytes."""
    if PRESERVED.search(html) is None:  # most pages: the plain expression, twice as fast
        return LINE_INDENTATION.sub("\n", html)
    return INDENTATION.sub(lambda match: match.group(1) or "\n", html)


class CompressPublicPages(GZipMiddleware):
    """Compresses pages that are the same for everyone (Cache-Control: public), without the
    templates' indentation: they hold no secret, so compression cannot leak one (BREACH). Pages
    with a CSRF token or a patient's details are sent as they are."""

    def process_response(self, request, response):
        if "public" not in response.get("Cache-Control", ""):
            return response
        if not response.streaming and response.get("Content-Type", "").startswith("text/html"):
            response.content = without_indentation(response.content.decode(response.charset)).encode(response.charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return super().process_response(request, response)
