"""The reading grade of one part of a page, beside its title in the page's form."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..readability import grade, measure_for

register = template.Library()

TEXTS = {"section": ["heading", "body"], "faqentry": ["question", "answer"], "preventionstep": ["title", "detail"]}


@register.simple_tag
def part_grade(part):
    fields = TEXTS.get(part._meta.model_name)
    if not fields:
        return ""
    measure = measure_for(part.page.language if hasattr(part, "page") else part.step.page.language)
    value = grade("\n".join(getattr(part, name) or "" for name in fields), measure.language)
    if measure.too_hard(value):
        return format_html(
            '<span class="part-grade part-grade--above">{}</span>', _("grade %s: above the target") % value
        )
    return format_html('<span class="part-grade">{}</span>', _("grade %s") % value)
