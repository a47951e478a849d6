"""The reads of page ratings: which page a form names, what a page's rating block shows, and the
visitor's own vote. Every visitor-facing sentence about a rating is written here once, for the
page and for the script's JSON alike."""

import re
import uuid

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sitewide.page_cache import Reading, kept_readings
from treatments.models import TreatmentPage
from treatments.selectors import published_pages

from .errors import RatingRefused
from .models import PageRating, RatedPage
from .visitor import read_visitor

# A page is named by its primary key in ASCII digits (str.isdigit() would let "²" through).
PAGE_REFERENCE = re.compile(r"[0-9]{1,18}")
CANNOT_BE_RATED = gettext_lazy("This page cannot be rated.")


def page_reference(page: TreatmentPage) -> str:
    """How a rating form names its page."""
    return str(page.pk)


def rateable_page(reference: str) -> TreatmentPage:
    """The published page a form's reference names; RatingRefused for anything else. A read of
    the shared cache, not of the database: it is part of every vote."""
    page = None
    if PAGE_REFERENCE.fullmatch(str(reference)):
        page = published_pages().get(int(reference))
    if page is None:
        raise RatingRefused(CANNOT_BE_RATED)
    return page


def rating_tally(page: TreatmentPage) -> RatedPage | None:
    """The page's tally, or None before its first vote (one query)."""
    return RatedPage.objects.filter(page=page).first()


def kept_rating_tally(page: TreatmentPage, path: str) -> RatedPage | None:
    """The tally the page at `path` shows, from the shared cache until a vote on that page (or any
    content edit) retires it: a page drawn again with its words kept asks the database nothing."""
    return kept_readings(Reading(f"rating-tally:{page.pk}", lambda: rating_tally(page), voted_page=path))[0]


def visitor_stars(page: TreatmentPage, visitor: uuid.UUID | None) -> int | None:
    if visitor is None:
        return None
    return PageRating.objects.filter(rated_page__page=page, visitor=visitor).values_list("stars", flat=True).first()


def star_pictures(average: float | None) -> list[str]:
    """Five decorative stars for an average, to the nearest half: "full", "half" or "empty"."""
    halves = round((average or 0) * 2)
    return ["full" if halves >= 2 * n else "half" if halves == 2 * n - 1 else "empty" for n in range(1, 6)]


def tally_summary(tally: RatedPage | None) -> dict:
    """The average as text and pictures, shared by the page and the script's JSON."""
    count = tally.count if tally else 0
    if not count:
        return {
            "count": 0,
            "average": None,
            "summary": _("Not Rated Yet (0 out of 5)"),
            "prompt": _("Be the first one to rate this page."),
            "stars": star_pictures(None),
        }
    average = round(tally.average, 1)
    return {
        "count": count,
        "average": average,
        "summary": ngettext(
            "%(average).1f out of 5 (%(count)d rating)", "%(average).1f out of 5 (%(count)d ratings)", count
        )
        % {"average": average, "count": count},
        "prompt": "",
        "stars": star_pictures(tally.average),
    }


def thanks_for_rating(stars: int) -> str:
    you_gave = ngettext("You gave this page %(stars)d star.", "You gave this page %(stars)d stars.", stars)
    return _("Thanks for your rating.") + " " + you_gave % {"stars": stars}


def thanks_for_comment() -> str:
    return _("Thank you. Your comment will help us improve this page.")


def your_earlier_rating(stars: int) -> str:
    return (
        ngettext("You rated this page %(stars)d star.", "You rated this page %(stars)d stars.", stars)
        % {"stars": stars}
        + " "
        + _("You can change your rating.")
    )


# Without JavaScript a rating or comment comes back to its page, which then thanks the visitor.
# These read that mark from the address (views.after_rating_url writes it).


def just_rated(request, page: TreatmentPage) -> int | None:
    """The stars this visitor gave the page, when the page is where their rating came back to. The
    address alone proves nothing (anyone can type `?rated=3`): the vote is looked up from the
    visitor's own signed cookie, and None is returned for a browser that has not voted here."""
    if request.GET.get("rated", "") not in {"1", "2", "3", "4", "5"}:
        return None
    try:
        visitor = read_visitor(request, page)
    except RatingRefused:
        return None
    return visitor_stars(page, visitor)


def just_commented(request) -> bool:
    return request.GET.get("commented") == "1"


def visitor_has_rated(request, page: TreatmentPage) -> bool:
    """A comment is kept only from a visitor who rated the page (services.page_comment_create)."""
    try:
        return visitor_stars(page, read_visitor(request, page)) is not None
    except RatingRefused:
        return False


def rating_block(page: TreatmentPage, tally: RatedPage | None, request=None) -> dict:
    """Everything the "Rate this page" block shows; the same for every visitor but the one who has
    just rated without JavaScript (whose page is never cached), whose own vote it then names."""
    stars = just_rated(request, page) if request is not None else None
    thanks = ""
    if stars is not None:
        thanks = thanks_for_rating(stars)
    elif request is not None and just_commented(request) and visitor_has_rated(request, page):
        thanks = thanks_for_comment()
    return {
        **tally_summary(tally),
        "page_reference": page_reference(page),
        "just_rated": stars,
        "thanks": thanks,
    }
