"""`{% page_rating page %}`: the "Rate this page" block, cacheable for every visitor (no CSRF token,
no session, no visitor's own vote in it)."""

import functools

from django import template
from django.template.loader import render_to_string
from django.utils.translation import get_language

from ..ratings import selectors

register = template.Library()


@functools.lru_cache(maxsize=512)
def drawn_block(language: str, shown: tuple) -> str:
    """The block drawn from everything it shows (and the language of its words and addresses):
    the same tally shows the same block, so each process draws it once per tally."""
    block = {name: list(value) if isinstance(value, tuple) else value for name, value in shown}
    return render_to_string("appointments/ratings/page_rating.html", block)


@register.simple_tag(takes_context=True)
def page_rating(context, page, path=None):
    """The block for `page`, shown at `path` (its own address unless named)."""
    tally = selectors.kept_rating_tally(page, path or page.get_absolute_url())
    block = selectors.rating_block(page, tally, context.get("request"))
    shown = tuple(sorted((name, tuple(value) if isinstance(value, list) else value) for name, value in block.items()))
    return drawn_block(get_language(), shown)
