from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from .addresses import current_address
from .models import Treatment
from .page_content import published_page


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


def treatment_page(request, treatment_slug, page_slug=""):
    """Any page of a treatment; the page's kind picks the template that lays out its content."""
    language = get_language()
    try:
        page = published_page(treatment_slug, page_slug, language)
    except Http404:
        moved_to = current_address(treatment_slug, page_slug, language)
        if moved_to is not None:
            return public(HttpResponsePermanentRedirect(moved_to))  # an old link or bookmark
        if language == settings.LANGUAGE_CODE:
            raise
        return not_yet_translated(request, treatment_slug, page_slug)
    template_names = [f"treatments/page_{page.kind}.html", "treatments/page.html"]
    response = render(request, template_names, {"page": page, "treatment": page.treatment})
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
