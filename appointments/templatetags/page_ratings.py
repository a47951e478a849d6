"""`{% page_rating page %}`: the "Rate this page" block, cacheable for every visitor (no CSRF token,
no session, no visitor's own vote in it)."""

from django import template

from ..ratings import selectors

register = template.Library()


@register.inclusion_tag("appointments/ratings/page_rating.html", takes_context=True)
def page_rating(context, page):
    return selectors.rating_block(page, context.get("request"))
