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
from django.db.models.signals import post_delete, post_save
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware
from django.middleware.gzip import GZipMiddleware

CONTENT_APPS = ["treatments"]


def invalidate_pages(**kwargs) -> None:
    """Deletes every kept page, so the next request for any of them is drawn afresh.

    On Redis (django-redis) that is one pattern over the page keys only, seen by every server
    process at once. A cache in this process's memory (development) is simply emptied."""
    delete_pattern = getattr(cache, "delete_pattern", None)
    if delete_pattern is None:
        cache.clear()
    else:
        delete_pattern(f"views.decorators.cache.cache_*.{settings.CACHE_MIDDLEWARE_KEY_PREFIX}.*")


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


class FetchPageFromCache(FetchFromCacheMiddleware):
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
