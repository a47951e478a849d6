"""The health check and the error pages.

The error pages render even when the database is down: the clinic's details come from
`treatments.context_processors.clinic`, which falls back to the copy in fixtures/clinic.json.
"""

import logging
import sys

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from appointments.health import oldest_unsent_minutes, tasks_past_their_lease, worker_is_taking_tasks
from sitewide.refusals import StaffRefusal

logger = logging.getLogger(__name__)

HEALTH_KEY = "sitewide:health"


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _cache_answers() -> bool:
    """The shared cache itself: with Redis, whether Redis answers (not the memory that stands in
    for it while it is down, see sitewide.cache)."""
    try:
        if hasattr(cache, "ping"):
            return cache.ping()
        cache.set(HEALTH_KEY, "ok", 10)
        return cache.get(HEALTH_KEY) == "ok"
    except Exception:  # a cache backend raises its own client's errors (redis.ConnectionError, ...)
        logger.warning("Health check: the cache did not answer")
        return False


def _background_work() -> dict[str, str]:
    """The worker and the e-mail it sends (appointments.health); "unknown" without a database."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return {}  # development: tasks run at once, in the request
    try:
        worker = "ok" if worker_is_taking_tasks() else "silent"
        stalled = tasks_past_their_lease()
        waited = oldest_unsent_minutes()
    except DatabaseError:
        return UNKNOWN_WORK
    if worker == "ok" and stalled:
        worker = f"{stalled} task(s) running past their lease"
    late = waited is not None and waited > settings.NOTIFICATION_ALERT_MINUTES
    return {"worker": worker, "notifications": f"oldest unsent {waited} min" if late else "ok"}


# Without a database nothing is known of the background work: said so, never left out.
UNKNOWN_WORK = {"worker": "unknown", "notifications": "unknown"}


def _unknown_work() -> dict[str, str]:
    return UNKNOWN_WORK if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend" else {}


@never_cache
def healthz(request):
    """200 when the database, the cache, the background worker and the e-mail it sends are
    fine; 503 naming each part that is not."""
    database, cache_up = _database_answers(), _cache_answers()
    body = {"database": "ok" if database else "unavailable", "cache": "ok" if cache_up else "unavailable"}
    body.update(_background_work() if database else _unknown_work())
    return JsonResponse(body, status=200 if all(value == "ok" for value in body.values()) else 503)


# Django's own handlers for 400, 403 and 500 render without the request's context (no clinic,
# so no phone number): these render the site's templates with it.
@requires_csrf_token
def bad_request(request, exception=None):
    """The site's 400 page; a form longer than Django reads gets the 413 page, which says so."""
    if isinstance(exception, RequestDataTooBig):
        return render(request, "413.html", {"limit": filesizeformat(settings.IMAGE_MAX_BYTES)}, status=413)
    return render(request, "400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    """A member of staff refused in the admin reads an admin page (its menu, what is needed, who
    to ask); anyone else, the site's own page."""
    user = getattr(request, "user", None)
    if request.path.startswith(reverse("admin:index")) and user is not None and user.is_active and user.is_staff:
        reason = str(exception) if isinstance(exception, StaffRefusal) else ""
        context = {**admin.site.each_context(request), "reason": reason}
        return render(request, "admin/refused.html", context, status=403)
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    """The site's 500 page; while the database cannot be reached, its 503 page instead (a short
    outage, not a fault of the page), which nginx answers with its kept copy where it has one."""
    if isinstance(sys.exc_info()[1], DatabaseError):
        response = render(request, "unavailable.html", status=503)
        response["Retry-After"] = "60"
        return response
    return render(request, "500.html", status=500)
