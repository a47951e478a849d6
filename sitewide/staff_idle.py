"""A staff save that arrives after the idle sign-out is kept, not thrown away.

The middleware (sitewide.middleware.staff_session_limits) signs the member of staff out and, if
the request was a save with a valid CSRF token, keeps what was sent in the new session, with the
page's path and who sent it. After she signs in again (as the same person), the page she was
saving shows what she entered with one button to save it; the save goes through the page's own
checks, so a change a colleague made meanwhile is shown, not overwritten. Kept for
UNSAVED_KEEP_SECONDS; chosen files are not kept (the page says to choose them again)."""

import time

from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

UNSAVED = "sitewide:unsaved-save"
UNSAVED_KEEP_SECONDS = 60 * 60
NOT_KEPT = {"csrfmiddlewaretoken"}


def _csrf_is_valid(request) -> bool:
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {}) is None


def keep_unsaved(request, user_id) -> bool:
    """Called after the sign-out, on a save that came too late: True when it was kept."""
    if request.method != "POST" or not _csrf_is_valid(request):
        return False
    request.session[UNSAVED] = {
        "path": request.path,
        "user": user_id,
        "at": time.time(),
        "fields": [(key, value) for key, values in request.POST.lists() if key not in NOT_KEPT for value in values],
        "had_files": bool(request.FILES),
    }
    return True


def kept_for(request):
    """What this member of staff entered on this page before she was signed out, once, or None."""
    kept = request.session.get(UNSAVED)
    if not kept or request.method != "GET" or kept["path"] != request.path:
        return None
    del request.session[UNSAVED]
    if kept["user"] != request.user.pk or time.time() - kept["at"] > UNSAVED_KEEP_SECONDS:
        return None
    return kept


@never_cache
def offer_to_save(request, kept):
    return render(request, "admin/unsaved_after_sign_in.html", {"kept": kept, "title": "Your unsaved change"})


@never_cache
@require_POST
def still_here(request):
    """The warning's "Stay signed in": an admin request, so the idle clock starts again."""
    return HttpResponse(status=204)
