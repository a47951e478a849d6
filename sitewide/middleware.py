"""Middleware every request passes through (see MIDDLEWARE in settings/base.py for the order)."""

import re
import time

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .client_address import client_address
from .staff_idle import keep_unsaved, kept_for, offer_to_save

SIGNED_IN_AT = "sitewide:signed-in-at"
LAST_SEEN_AT = "sitewide:last-seen-at"


def cross_origin_resource_policy(get_response):
    """No other site may embed our pages, scripts, styles or images (Cross-Origin-Resource-Policy).
    Placed above WhiteNoise so static files get it too."""

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response

    return middleware


def language_from_address(get_response):
    """The language of every page is the one its address names: /es/... is Spanish, any other
    address the site's first language (LANGUAGE_CODE). Unlike Django's LocaleMiddleware, a cookie
    or the browser's Accept-Language never decide it, so nothing is sent with `Vary:
    Accept-Language`: the page cache and nginx keep one copy per address, for every visitor."""

    def middleware(request):
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    return middleware


def staff_session_limits(get_response):
    """A signed-in member of staff is signed out after DJANGO_STAFF_IDLE_MINUTES without a request
    to the admin, and in any case STAFF_SESSION_MAX_HOURS after signing in (a working day).

    Only admin requests read the session here: public pages must not vary by cookie (they are
    shared-cached), and they show nothing that depends on who asks."""
    admin_prefix = reverse("admin:index")

    def middleware(request):
        if request.path.startswith(admin_prefix) and request.user.is_authenticated:
            now = time.time()
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            last_seen_at = request.session.get(LAST_SEEN_AT, now)
            idle = now - last_seen_at > settings.STAFF_IDLE_MINUTES * 60
            too_long = now - signed_in_at > settings.STAFF_SESSION_MAX_HOURS * 3600
            if idle or too_long:
                user_id = request.user.pk
                logout(request)
                if keep_unsaved(request, user_id):
                    messages.info(
                        request,
                        _(
                            "You were signed out to keep patients' details safe. What you were saving is kept: "
                            "sign in again to save it."
                        ),
                    )
                else:
                    messages.info(
                        request, _("You were signed out to keep patients' details safe. Please sign in again.")
                    )
                return redirect_to_login(request.path)  # the path only: a query may hold a search for a name
            request.session[LAST_SEEN_AT] = now
            kept = kept_for(request)
            if kept is not None:
                return offer_to_save(request, kept)
        return get_response(request)

    return middleware


class AuditTrailMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, for staff requests to the admin only (public pages must not
    read the session, see above), with the same client address as everything else (its own trusts
    any X-Forwarded-For a client sends) and no client-chosen port."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.admin_prefix = reverse("admin:index")  # once: a lazy one was reversed on every request

    def __call__(self, request):
        if not request.path.startswith(self.admin_prefix):
            return self.get_response(request)
        return super().__call__(request)

    @staticmethod
    def _get_remote_addr(request):
        return client_address(request)

    @staticmethod
    def _get_remote_port(request):
        return None


# Form bodies are read as UTF-8 (or a strict subset of it); anything else is refused before any
# code reads the form. Python can decode utf-16 or utf-7, but a form in them is never sent by a
# browser from this site, and decoding one has crashed views that expected text.
READABLE_CHARSETS = {"utf-8", "utf8", "us-ascii", "ascii"}
CHARSET = re.compile(r";\s*charset\s*=\s*\"?([^\";\s]+)", re.IGNORECASE)


def _refuse(request):
    """The site's own 400 page. Django logs it as one line ("Bad Request: <path>", never the
    query string), not a traceback."""
    return render(request, "400.html", status=400)


def _has_nul(query_dict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query_dict.lists())


def _too_large(request) -> bool:
    """A body longer than the site reads at this address, by its declared length: refused before
    a byte of it is read. Staff pages take UPLOAD_MAX_BYTES (a picture of IMAGE_MAX_BYTES and
    its form); patients' forms FORM_MAX_BYTES, far more than their longest field. nginx refuses
    the same above them (deploy/nginx.conf)."""
    staff = request.path_info.startswith(f"/{settings.ADMIN_URL_PREFIX}")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > (settings.UPLOAD_MAX_BYTES if staff else settings.FORM_MAX_BYTES)


def refuse_unreadable_requests(get_response):
    """A body larger than the site accepts gets a 413 page before it is read. A form in another
    character set, or a NUL character in the address or its query (an admin filter or search:
    PostgreSQL cannot compare one, and no person types one), gets the site's 400 page. A NUL in
    a form's field is the form's to refuse: Django's fields say "Null characters are not
    allowed." beside what the patient typed."""

    def middleware(request):
        if _too_large(request):
            limit = filesizeformat(settings.IMAGE_MAX_BYTES)
            return render(request, "413.html", {"limit": limit}, status=413)  # the body is never read
        charset = CHARSET.search(request.META.get("CONTENT_TYPE", ""))
        if request.method == "POST" and charset and charset.group(1).lower() not in READABLE_CHARSETS:
            return _refuse(request)
        try:
            if "\x00" in request.path_info or _has_nul(request.GET):
                return _refuse(request)
        except UnicodeDecodeError:
            return _refuse(request)
        return get_response(request)

    return middleware
