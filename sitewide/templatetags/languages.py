"""The page's language, and its addresses in the site's other languages (sitewide.languages)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from ..languages import page_alternates, path_alternates

register = template.Library()


@register.simple_tag(takes_context=True)
def page_languages(context):
    """Every language's address of this page: a treatment page's translations (`page`, or the
    page not yet translated: `untranslated`), or the same page's address in each language."""
    page = context.get("untranslated") or context.get("page")
    if page is not None and getattr(page, "pk", None) is not None:
        return page_alternates(page)
    return path_alternates(context["request"])


@register.filter
def absolute(alternate, request) -> str:
    """The alternate's address in full (hreflang links must be), on the host the page was asked on."""
    return alternate.absolute(request)


@register.filter
def lang_attr(language: str) -> str:
    """` lang="en"` on words in another language than the page's (a source's English title on a
    Spanish page), so a screen reader speaks them in theirs; nothing on words in the page's own."""
    if not language or language == get_language():
        return ""
    return format_html(' lang="{}"', language)
