"""`{% page_rating page %}`: the "Rate this page" block, cacheable for every visitor (no CSRF token,
no session, no visitor's own vote in it)."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..ratings import just_commented, just_rated, page_reference, rated_page_for

register = template.Library()


def star_pictures(average: float | None) -> list[str]:
    """Five decorative stars for an average, to the nearest half: "full", "half" or "empty"."""
    halves = round((average or 0) * 2)
    return ["full" if halves >= 2 * n else "half" if halves == 2 * n - 1 else "empty" for n in range(1, 6)]


def rating_summary_context(summary) -> dict:
    """The average as text and pictures, shared by the page and the script's JSON."""
    count = summary.count if summary else 0
    if not count:
        return {
            "count": 0,
            "average": None,
            "summary": _("Not Rated Yet (0 out of 5)"),
            "prompt": _("Be the first one to rate this page."),
            "stars": star_pictures(None),
        }
    average = round(summary.average, 1)
    return {
        "count": count,
        "average": average,
        "summary": ngettext(
            "%(average).1f out of 5 (%(count)d rating)", "%(average).1f out of 5 (%(count)d ratings)", count
        )
        % {"average": average, "count": count},
        "prompt": "",
        "stars": star_pictures(summary.average),
    }


@register.inclusion_tag("ratings/page_rating.html", takes_context=True)
def page_rating(context, page):
    request = context.get("request")
    return {
        **rating_summary_context(rated_page_for(page)),
        "page_reference": page_reference(page),
        "just_rated": just_rated(request) if request else None,
        "just_commented": request is not None and just_commented(request),
    }
