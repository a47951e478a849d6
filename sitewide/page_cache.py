"""The shared page cache: public pages are kept whole in the cache (Redis in production) and
answered before sessions, authentication or any view runs.

It is Django's own cache middleware with one rule added: every saved change to the site's
content (a page, a section, a question, a step, a review, the clinic's details) moves the cache
to a new generation, so every server process shows the change on its very next request. Only
responses a view marked public (`Cache-Control: public, max-age=...`) are kept; forms, the
admin, the thank-you page and anything with a query string are never cached.

A rating changes a page's average; the cached page keeps the older average for at most
TREATMENT_PAGE_MAX_AGE seconds (the voter sees their own vote at once).
"""

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware
from django.middleware.gzip import GZipMiddleware

GENERATION_KEY = "pages:generation"
CONTENT_APPS = ["treatments"]


def current_generation() -> int:
    return cache.get(GENERATION_KEY, 0)


def invalidate_pages(**kwargs) -> None:
    """Moves the page cache to a new generation: every cached page is left behind at once."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet
        cache.set(GENERATION_KEY, 1, None)


def connect_invalidation() -> None:
    for app_label in CONTENT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            post_save.connect(invalidate_pages, sender=model, dispatch_uid=f"pages:{model._meta.label}:save")
            post_delete.connect(invalidate_pages, sender=model, dispatch_uid=f"pages:{model._meta.label}:delete")


class GenerationKeyPrefix:
    """Cache keys carry the content's generation (Django's middleware keeps a fixed prefix)."""

    @property
    def key_prefix(self):
        return f"pages:{current_generation()}"

    @key_prefix.setter
    def key_prefix(self, value):
        pass  # Django's __init__ sets it from CACHE_MIDDLEWARE_KEY_PREFIX; the generation decides


class UpdatePageCache(GenerationKeyPrefix, UpdateCacheMiddleware):
    def process_response(self, request, response):
        if not settings.PAGE_CACHE:
            return response
        return super().process_response(request, response)


class FetchPageFromCache(GenerationKeyPrefix, FetchFromCacheMiddleware):
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
