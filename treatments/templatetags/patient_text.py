"""Renders the plain text staff type in the admin as paragraphs and lists, escaping everything."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

BULLET = "- "


@register.filter
def paragraphs(text: str):
    """Blocks separated by a blank line become <p>; a block of "- " lines becomes a <ul>.

    A block may start with a lead-in line followed by "- " lines ("It includes:\\n- a\\n- b").
    """
    blocks = [block.strip() for block in (text or "").replace("\r\n", "\n").split("\n\n")]
    html = []
    for block in filter(None, blocks):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        lead = [line for line in lines if not line.startswith(BULLET)]
        items = [line[len(BULLET) :] for line in lines if line.startswith(BULLET)]
        if lead:
            html.append(format_html("<p>{}</p>", " ".join(lead)))
        if items:
            html.append(format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((item,) for item in items))))
    return mark_safe("\n".join(html))
