"""The "Rate this page" endpoints.

Why these views are exempt from Django's CSRF token: a page that renders `{% csrf_token %}` gets
`Vary: Cookie` and can no longer sit in a shared cache, and every treatment page carries the
rating form. A rating needs no login and is worth little to an attacker; what CSRF protects
against here (another site making a visitor's browser vote) is stopped instead by requiring the
browser's own word that the post comes from this site (visitor.require_same_origin). Posts are
also rate limited per client and carry a honeypot. Every other form on the site keeps Django's
CSRF protection.

A bot that fills the honeypot is not refused: it gets the answer a person would, so it learns
nothing, and nothing is stored.
"""

import uuid
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

from . import selectors
from .errors import RatingRefused
from .forms import CommentForm, RatingForm
from .services import page_comment_create, page_rating_submit
from .visitor import forget_visitor, read_visitor, remember_visitor, require_same_origin


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def refusal_response(request, refusal: RatingRefused):
    """A clear refusal: JSON for the enhancing script, a small page otherwise. Changes nothing."""
    if wants_json(request):
        response = JsonResponse({"error": str(refusal.message)}, status=refusal.status)
    else:
        context = {"message": refusal.message, "page": refusal.page}
        response = render(request, "appointments/ratings/problem.html", context, status=refusal.status)
    response["Cache-Control"] = "no-store"
    for name, value in refusal.headers.items():
        response[name] = value
    if refusal.forget_visitor:
        forget_visitor(response)
    return response


def rating_endpoint(view):
    """What both posts share: POST only, never cached, same-origin, rate limited, and every
    refusal answered here."""

    @csrf_exempt  # see the module docstring: same-origin check, rate limit and honeypot instead
    @never_cache
    @wraps(view)
    def endpoint(request):
        try:
            if request.method != "POST":
                raise RatingRefused(
                    _("Ratings are sent with the form at the foot of each treatment page."),
                    status=405,
                    headers={"Allow": "POST"},
                )
            require_same_origin(request)
            if is_ratelimited(request, group="ratings", key="ip", rate=settings.RATING_RATE_LIMIT, increment=True):
                raise RatingRefused(
                    _("You have sent many ratings in a short time. Please try again later."), status=429
                )
            return view(request)
        except RatingRefused as refusal:
            return refusal_response(request, refusal)

    return endpoint


# Without JavaScript a rating or comment comes back to its page, which then thanks the visitor
# (selectors.just_rated and just_commented read these marks back).


def after_rating_url(page, stars: int) -> str:
    return f"{page.get_absolute_url()}?rated={stars}#rating"


def after_comment_url(page) -> str:
    return f"{page.get_absolute_url()}?commented=1#rating"


@rating_endpoint
def rate_page(request):
    form = RatingForm(request.POST)
    if not form.is_valid():
        raise form.refusal()
    page, stars = form.cleaned_data["page"], form.cleaned_data["stars"]
    visitor = read_visitor(request, page)
    new_visitor = None
    if not form.sent_by_a_bot:
        if visitor is None:
            visitor = new_visitor = uuid.uuid4()
        page_rating_submit(page=page, visitor=visitor, stars=stars)
    if wants_json(request):
        summary = selectors.tally_summary(selectors.rating_tally(page))
        message = selectors.thanks_for_rating(stars) + " " + _("It is now rated %(summary)s.") % summary
        response = JsonResponse({**summary, "your_rating": stars, "message": message})
    else:
        response = redirect(after_rating_url(page, stars))
    if new_visitor is not None:
        remember_visitor(response, new_visitor)
    return response


@rating_endpoint
def comment_on_page(request):
    form = CommentForm(request.POST)
    if not form.is_valid():
        raise form.refusal()
    page = form.cleaned_data["page"]
    visitor = read_visitor(request, page)
    if not form.sent_by_a_bot:
        comment = visitor and page_comment_create(page=page, visitor=visitor, text=form.cleaned_data["comment"])
        if comment is None:
            raise RatingRefused(_("Please rate the page before leaving a comment."), page=page)
    if wants_json(request):
        return JsonResponse({"message": selectors.thanks_for_comment()})
    return redirect(after_comment_url(page))


@require_GET
@never_cache
def my_rating(request):
    """The visitor's own vote on a page, for the script: never part of the cached page."""
    try:
        page = selectors.rateable_page(request.GET.get("page", ""))
        stars = selectors.visitor_stars(page, read_visitor(request, page))
    except RatingRefused:
        return JsonResponse({"your_rating": None, "message": ""}, status=400)
    message = selectors.your_earlier_rating(stars) if stars else ""
    # The tally as it is now, with the vote: the page around it may be an older copy.
    summary = selectors.tally_summary(selectors.rating_tally(page))
    return JsonResponse({**summary, "your_rating": stars, "message": message})
