"""The shared page cache: public pages are kept whole in the cache (Redis in production) and
answered before sessions, authentication or any view runs.

It is Django's own cache middleware with one rule added: every saved change to the site's
content (a page, a section, a question, a step, a review, the clinic's details) deletes the kept
pages, so every server process shows the change on its very next request. A hit costs two
cache reads (the page's header list, then the page) and no query. Only
responses a view marked public (`Cache-Control: public, max-age=...`) are kept; forms, the
admin, the thank-you page and anything with a query string are never cached.

A rating changes a page's average; the cached page keeps the older average for at most
TREATMENT_PAGE_MAX_AGE seconds (the voter sees their own vote at once).
"""

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware
from django.middleware.gzip import GZipMiddleware

CONTENT_APPS = ["treatments"]


# Other readings of the content kept in the shared cache (the clinic's details, the published
# pages a rating may name, the published treatments the form offers) live under this prefix and
# are deleted with the pages.
CONTENT_KEY_PREFIX = "content:"


def kept_content(name: str, read):
    """A reading of the content, kept in the shared cache until the content changes (and for at
    most CACHE_MIDDLEWARE_SECONDS, like the pages)."""
    return cache.get_or_set(CONTENT_KEY_PREFIX + name, read, timeout=settings.CACHE_MIDDLEWARE_SECONDS)


def _delete_kept_pages() -> None:
    delete_pattern = getattr(cache, "delete_pattern", None)
    if delete_pattern is None:
        cache.clear()
    else:
        delete_pattern(f"views.decorators.cache.cache_*.{settings.CACHE_MIDDLEWARE_KEY_PREFIX}.*")
        delete_pattern(f"{CONTENT_KEY_PREFIX}*")


def invalidate_pages(**kwargs) -> None:
    """Deletes every kept page and every kept reading of the content, so the next request for
    any of them is drawn afresh.

    On Redis (django-redis) that is a pattern over those keys only, seen by every server process
    at once. A cache in this process's memory (development) is simply emptied. It runs at once
    and again when the edit's transaction commits: a page drawn in between from the old rows
    would otherwise be kept."""
    _delete_kept_pages()
    transaction.on_commit(_delete_kept_pages)


def connect_invalidation() -> None:
    for app_label in CONTENT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            post_save.connect(invalidate_pages, sender=model, dispatch_uid=f"pages:{model._meta.label}:save")
            post_delete.connect(invalidate_pages, sender=model, dispatch_uid=f"pages:{model._meta.label}:delete")


class UpdatePageCache(UpdateCacheMiddleware):
    def process_response(self, request, response):
        if not settings.PAGE_CACHE:
            return response
        return super().process_response(request, response)


class KnownVaryHeaders:
    """The page cache as the fetch sees it, with one shortcut. For each address Django keeps two
    entries: the list of request headers the page varies on (here Accept-Encoding), then the page.
    That list is the same for an address for as long as the code is, so this process remembers it
    and a hit costs one Redis read instead of two. After a content edit the remembered list still
    leads to the right key, which then misses until the page is drawn again."""

    LIMIT = 10_000  # only pages that were kept have a list; a bound all the same

    def __init__(self, cache, known: dict):
        self._cache, self._known = cache, known

    def get(self, key, default=None, version=None):
        if not key.startswith("views.decorators.cache.cache_header."):
            return self._cache.get(key, default, version)
        headers = self._known.get(key)
        if headers is None:
            headers = self._cache.get(key, default, version)
            if headers is not None and len(self._known) < self.LIMIT:
                self._known[key] = headers
        return headers

    def __getattr__(self, name):
        return getattr(self._cache, name)


class FetchPageFromCache(FetchFromCacheMiddleware):
    def __init__(self, get_response):
        super().__init__(get_response)
        self._known_vary_headers = {}

    @property
    def cache(self):
        return KnownVaryHeaders(super().cache, self._known_vary_headers)

    def process_request(self, request):
        if not settings.PAGE_CACHE:
            request._cache_update_cache = False
            return None
        return super().process_request(request)


class CompressPublicPages(GZipMiddleware):
    """Compresses pages that are the same for everyone (Cache-Control: public): they hold no
    secret, so compression cannot leak one (BREACH). Pages with a CSRF
    token or a patient's details are sent as they are."""

    def process_response(self, request, response):
        if "public" not in response.get("Cache-Control", ""):
            return response
        return super().process_response(request, response)
