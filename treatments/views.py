from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.generic import ListView

from appointments.ratings import thanks_the_visitor

from .models import Treatment, TreatmentPage


class HomeView(ListView):
    """The clinic's front page: what it offers and how to ask for an appointment."""

    template_name = "treatments/home.html"
    context_object_name = "treatments"

    def get_queryset(self):
        return Treatment.objects.published().with_published_pages()


class TreatmentIndexView(ListView):
    template_name = "treatments/treatment_list.html"
    context_object_name = "treatments"

    def get_queryset(self):
        return Treatment.objects.published().with_published_pages()


def treatment_page(request, treatment_slug, page_slug=""):
    """Any page of a treatment; the page's kind picks the template that lays out its content."""
    page = get_object_or_404(
        TreatmentPage.objects.published().with_content(), treatment__slug=treatment_slug, slug=page_slug
    )
    template_names = [f"treatments/page_{page.kind}.html", "treatments/page.html"]
    response = render(request, template_names, {"page": page, "treatment": page.treatment})
    if thanks_the_visitor(request):
        # Where a visitor lands after rating without JavaScript: their thanks and the new average,
        # which no cache may keep (a rating changed back to the same stars would show stale figures).
        add_never_cache_headers(response)
    else:
        # The same for every visitor (the rating block holds no token and no visitor's vote).
        patch_cache_control(response, public=True, max_age=settings.TREATMENT_PAGE_MAX_AGE)
    return response
