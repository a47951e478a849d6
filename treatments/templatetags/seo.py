"""Tags for how a page travels: its canonical address, share-card tags, structured data and the
printed handout's QR code."""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ..seo import clinic_data, ld_json, page_data
from ..share import card_url, qr_svg

register = template.Library()


def canonical(request) -> str:
    """The page's own address without any query string (which only ever holds a visitor's own
    state, such as a rating they just sent)."""
    return request.build_absolute_uri(request.path)


@register.simple_tag(takes_context=True)
def page_address(context) -> str:
    """`{% page_address as url %}`: the address to share or print, never a visitor's own query."""
    return canonical(context["request"])


@register.inclusion_tag("includes/share_tags.html", takes_context=True)
def share_tags(context, title, description):
    request, clinic = context["request"], context.get("clinic")
    return {
        "url": canonical(request),
        "title": title,
        "description": description,
        "site_name": clinic.name if clinic else "",
        "image": request.build_absolute_uri(card_url(title)),
        # Open Graph's language_TERRITORY: the clinic's patients are in the US.
        "locale": f"{get_language()}_US",
        "other_locales": [f"{code}_US" for code, _name in settings.LANGUAGES if code != get_language()],
    }


@register.simple_tag(takes_context=True)
def page_structured_data(context, page):
    return mark_safe("".join(ld_json(data) for data in page_data(page, context["request"])))


@register.simple_tag(takes_context=True)
def clinic_structured_data(context):
    clinic = context.get("clinic")
    return ld_json(clinic_data(clinic, canonical(context["request"]))) if clinic else ""


@register.simple_tag(takes_context=True)
def page_qr_code(context):
    return mark_safe(qr_svg(canonical(context["request"])))
