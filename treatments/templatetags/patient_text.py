"""Renders the plain text staff type in the admin as paragraphs and lists, escaping everything."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..citations import CITATION

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
            html.append(format_html("<p>{}</p>", with_citations(" ".join(lead))))
        if items:
            listed = "".join(f"<li>{with_citations(item)}</li>" for item in items)
            html.append(format_html("<ul>{}</ul>", mark_safe(listed)))  # each item escaped by with_citations
    return mark_safe("\n".join(html))


def with_citations(text: str):
    """The text escaped, each "[2]" a link to the second of the page's Sources (its list item
    carries the id cite-2, see treatments/includes/source_list.html)."""

    def link(match):
        number = match.group(1)
        words = conditional_escape(_("source"))  # read aloud as "source [2]", shown as "[2]"
        hidden = f'<span class="visually-hidden">{words} </span>'
        return f'<sup class="cite"><a href="#cite-{number}">{hidden}[{number}]</a></sup>'

    return mark_safe(CITATION.sub(link, str(conditional_escape(text))))
