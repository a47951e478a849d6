from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template import engines
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from sitewide.page_cache import kept_content

from .addresses import current_address
from .models import Treatment, TreatmentPage
from .page_content import published_page
from .templatetags.seo import canonical


def public(response):
    """The same for every visitor: the page cache and nginx may keep it; browsers keep it too but
    ask again each time (a 304 while it has not changed), so a new rating tally shows at once."""
    patch_cache_control(response, public=True, no_cache=True)
    return response


class TreatmentListView(ListView):
    """The published treatments with their pages: the home page and the treatments index."""

    context_object_name = "treatments"

    def get_queryset(self):
        return Treatment.objects.published().filter(language=get_language()).with_published_pages()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if request.GET:  # see treatment_page
            add_never_cache_headers(response)
            return response
        return public(response)


home = TreatmentListView.as_view(template_name="treatments/home.html")
treatment_index = TreatmentListView.as_view(
    template_name="treatments/treatment_list.html",
    extra_context={"trail": [(_("Treatments"), reverse_lazy("treatments:index"))]},
)


# Where the page's words leave room for its rating block, which is drawn on every request: the
# words change only with the content, the tally with every vote (and the thanks with the visitor).
RATING_SLOT = "<!--rating-block-->"
RATING_BLOCK = engines["django"].from_string("{% load page_ratings %}{% page_rating page path %}")


@dataclass(frozen=True)
class PageWords:
    """A treatment page drawn whole but for its rating block, for one address in one language."""

    page_pk: int
    path: str  # the page's own address, whose token a vote on it retires
    html: str


def draw_page_words(request, treatment_slug: str, page_slug: str, language: str) -> PageWords:
    page = published_page(treatment_slug, page_slug, language)  # or Http404
    template_names = [f"treatments/page_{page.kind}.html", "treatments/page.html"]
    context = {"page": page, "treatment": page.treatment, "rating_slot": RATING_SLOT}
    html = render_to_string(template_names, context, request)
    return PageWords(page_pk=page.pk, path=page.get_absolute_url(), html=html)


def treatment_page(request, treatment_slug, page_slug=""):
    """Any page of a treatment; the page's kind picks the template that lays out its content.

    The page's words are kept in the shared cache under the content's token (sitewide.page_cache:
    any content edit retires them), and its rating tally under its own page's token too (a vote
    retires it): a page drawn afresh after a vote, or asked for with a query string, reads them
    from the cache and draws only its rating block."""
    language = get_language()
    try:
        words = kept_content(
            f"treatment-page:{language}:{canonical(request)}",
            lambda: draw_page_words(request, treatment_slug, page_slug, language),
        )
    except Http404:
        moved_to = current_address(treatment_slug, page_slug, language)
        if moved_to is not None:
            return public(HttpResponsePermanentRedirect(moved_to))  # an old link or bookmark
        if language == settings.LANGUAGE_CODE:
            raise
        return not_yet_translated(request, treatment_slug, page_slug)
    # The request as a variable only: the block needs none of the context processors' readings.
    rating = RATING_BLOCK.render({"page": TreatmentPage(pk=words.page_pk), "path": words.path, "request": request})
    response = HttpResponse(words.html.replace(RATING_SLOT, rating, 1))
    if request.GET:
        # An address with a query string may carry something for one visitor alone (the thanks
        # after rating without JavaScript, with the average it changed): no cache may keep it.
        add_never_cache_headers(response)
        return response
    return public(response)  # nothing on the page depends on who asks


def not_yet_translated(request, treatment_slug, page_slug):
    """A page in the site's first language, asked for under another language's prefix with its own
    address names (where the language link of a page not yet translated leads): the page says so
    in the reader's language and links to the page as it is written; it never passes the first
    language's words off as the reader's. Kept out of search engines (noindex)."""
    original = published_page(treatment_slug, page_slug, settings.LANGUAGE_CODE)  # or Http404
    context = {"untranslated": original, "treatment": None}
    return public(render(request, "treatments/not_translated.html", context))
