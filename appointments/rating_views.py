"""The "Rate this page" endpoints.

Why these views are exempt from Django's CSRF token: a page that renders `{% csrf_token %}` gets
`Vary: Cookie` and can no longer sit in a shared cache, and every treatment page carries the
rating form. A rating needs no login and is worth little to an attacker; what CSRF protects
against here (another site making a visitor's browser vote) is stopped instead by requiring the
browser's own word that the post comes from this site: `Sec-Fetch-Site: same-origin`, or, from
browsers that do not send it, an `Origin` equal to this site. Posts are also rate limited per
client and carry a honeypot. Every other form on the site keeps Django's CSRF protection.
"""

import uuid
from functools import wraps

from django import forms
from django.conf import settings
from django.core import signing
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

from .models import COMMENTS_MAX_LENGTH
from .ratings import (
    NotRateable,
    after_comment_url,
    after_rating_url,
    page_comment_create,
    page_rating_submit,
    rateable_page,
    rated_page_for,
)
from .templatetags.page_ratings import rating_summary_context

VISITOR_SALT = "appointments.rating-visitor"


class ForgedCookie(Exception):
    pass


class RatingForm(forms.Form):
    page = forms.CharField(max_length=100)
    stars = forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        error_messages={
            "required": gettext_lazy("Choose from 1 to 5 stars, then send your rating."),
            "invalid_choice": gettext_lazy("A rating is from 1 to 5 stars."),
        },
    )
    website = forms.CharField(required=False)


class CommentForm(forms.Form):
    page = forms.CharField(max_length=100)
    comment = forms.CharField(
        max_length=COMMENTS_MAX_LENGTH,
        strip=True,
        error_messages={
            "required": gettext_lazy("Write your comment, then send it."),
            "max_length": gettext_lazy("Please keep your comment to %(limit_value)d characters or fewer."),
        },
    )
    website = forms.CharField(required=False)


def comes_from_this_site(request) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    return request.headers.get("Origin") == f"{request.scheme}://{request.get_host()}"


def read_visitor(request) -> uuid.UUID | None:
    """The visitor id from the signed cookie; None when there is none yet; ForgedCookie when forged."""
    if settings.RATING_COOKIE_NAME not in request.COOKIES:
        return None
    try:
        return uuid.UUID(request.get_signed_cookie(settings.RATING_COOKIE_NAME, salt=VISITOR_SALT))
    except (signing.BadSignature, ValueError) as error:
        raise ForgedCookie from error


def remember_visitor(response, visitor: uuid.UUID):
    response.set_signed_cookie(
        settings.RATING_COOKIE_NAME,
        str(visitor),
        salt=VISITOR_SALT,
        max_age=settings.RATING_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def problem(request, message: str, status: int, page=None):
    """A clear refusal: JSON for the enhancing script, a small page otherwise. Changes nothing."""
    if wants_json(request):
        response = JsonResponse({"error": message}, status=status)
    else:
        response = render(request, "ratings/problem.html", {"message": message, "page": page}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def guard(request, form):
    """Checks shared by both posts; returns (page, visitor, refusal)."""
    if not comes_from_this_site(request):
        return None, None, problem(request, _("Ratings can only be sent from this website."), 403)
    if is_ratelimited(request, group="ratings", key="ip", rate=settings.RATING_RATE_LIMIT, increment=True):
        return (
            None,
            None,
            problem(request, _("You have sent many ratings in a short time. Please try again later."), 429),
        )
    try:
        page = rateable_page(request.POST.get("page", ""))
    except NotRateable:
        return None, None, problem(request, _("This page cannot be rated."), 400)
    if not form.is_valid():
        message = next(iter(form.errors.values()))[0]
        return page, None, problem(request, message, 400, page)
    try:
        visitor = read_visitor(request)
    except ForgedCookie:
        response = problem(
            request, _("Your rating could not be checked. Please reload the page and try again."), 400, page
        )
        response.delete_cookie(settings.RATING_COOKIE_NAME, samesite="Lax")
        return page, None, response
    return page, visitor, None


def posts_only(view):
    """Ratings and comments are sent from a page's form: any other method gets a page saying so."""

    @wraps(view)
    def only_post(request):
        if request.method != "POST":
            response = problem(request, _("Ratings are sent with the form at the foot of each treatment page."), 405)
            response["Allow"] = "POST"
            return response
        return view(request)

    return only_post


@csrf_exempt  # see the module docstring: same-origin check, rate limit and honeypot instead
@posts_only
@never_cache
def rate_page(request):
    form = RatingForm(request.POST)
    page, visitor, refusal = guard(request, form)
    if refusal:
        return refusal
    stars = form.cleaned_data["stars"]
    if form.cleaned_data["website"]:  # a bot: answer as usual, record nothing
        summary, your_rating = rated_page_for(page), stars
    else:
        visitor_id = visitor or uuid.uuid4()
        summary, rating = page_rating_submit(page=page, visitor=visitor_id, stars=stars)
        your_rating = rating.stars
    if wants_json(request):
        response = JsonResponse({**rating_summary_context(summary), "your_rating": your_rating})
    else:
        response = redirect(after_rating_url(page, your_rating))
    if visitor is None and not form.cleaned_data["website"]:
        remember_visitor(response, visitor_id)
    return response


@csrf_exempt  # as rate_page
@posts_only
@never_cache
def comment_on_page(request):
    form = CommentForm(request.POST)
    page, visitor, refusal = guard(request, form)
    if refusal:
        return refusal
    is_bot = bool(form.cleaned_data["website"])  # answered as usual, recorded nowhere
    if not is_bot:
        comment = visitor and page_comment_create(page=page, visitor=visitor, text=form.cleaned_data["comment"])
        if comment is None:
            return problem(request, _("Please rate the page before leaving a comment."), 400, page)
    if wants_json(request):
        return JsonResponse({"message": _("Thank you. Your comment will help us improve this page.")})
    return redirect(after_comment_url(page))


@require_GET
@never_cache
def my_rating(request):
    """The visitor's own vote on a page, for the script: never part of the cached page."""
    try:
        page = rateable_page(request.GET.get("page", ""))
        visitor = read_visitor(request)
    except (NotRateable, ForgedCookie):
        return JsonResponse({"your_rating": None}, status=400)
    stars = None
    summary = rated_page_for(page)
    if visitor is not None and summary is not None:
        stars = summary.ratings.filter(visitor=visitor).values_list("stars", flat=True).first()
    return JsonResponse({"your_rating": stars})
