"""Who is rating, without a login: a random id in a signed, HttpOnly cookie; and the check that
a post comes from this site, which stands in for Django's CSRF token on the rating endpoints
(see views.py for why)."""

import uuid

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from .errors import RatingRefused

VISITOR_SALT = "appointments.rating-visitor"
# Readable by the page's script, and holding nothing but "1": it tells the script that this browser
# has voted, so only then does it ask /ratings/mine/ for the vote (the id cookie is HttpOnly).
MARKER_COOKIE = "mesoclinic_rated"


def comes_from_this_site(request) -> bool:
    """The browser's own word that the post comes from this site: `Sec-Fetch-Site: same-origin`,
    or, from browsers that do not send it, an `Origin` equal to this site. (The forms that sit
    on cached pages, ratings and the newsletter sign-up, use it instead of a CSRF token.)"""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    return request.headers.get("Origin") == f"{request.scheme}://{request.get_host()}"


def require_same_origin(request) -> None:
    if not comes_from_this_site(request):
        raise RatingRefused(_("Ratings can only be sent from this website."), status=403)


def read_visitor(request, page=None) -> uuid.UUID | None:
    """The visitor id from the signed cookie, or None when there is none yet; a forged cookie is
    refused (and cleared)."""
    if settings.RATING_COOKIE_NAME not in request.COOKIES:
        return None
    try:
        return uuid.UUID(request.get_signed_cookie(settings.RATING_COOKIE_NAME, salt=VISITOR_SALT))
    except (signing.BadSignature, ValueError) as error:
        raise RatingRefused(
            _("Your rating could not be checked. Please reload the page and try again."),
            page=page,
            forget_visitor=True,
        ) from error


def remember_visitor(response, visitor: uuid.UUID) -> None:
    response.set_signed_cookie(
        settings.RATING_COOKIE_NAME,
        str(visitor),
        salt=VISITOR_SALT,
        max_age=settings.RATING_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    response.set_cookie(
        MARKER_COOKIE,
        "1",
        max_age=settings.RATING_COOKIE_MAX_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def forget_visitor(response) -> None:
    response.delete_cookie(settings.RATING_COOKIE_NAME, samesite="Lax")
    response.delete_cookie(MARKER_COOKIE, samesite="Lax")
