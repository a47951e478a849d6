"""What other parts of the site read of the content on every post: the published pages a rating
may name, and the published treatments the appointment form offers. Both are kept in the shared
cache with the pages themselves, and deleted with them when the content changes
(sitewide.page_cache), so a post asks the database nothing about them."""

from django.utils.translation import get_language

from sitewide.page_cache import kept_content

from .models import Treatment, TreatmentPage


def _read_published_pages() -> dict[int, TreatmentPage]:
    pages = TreatmentPage.objects.published().select_related("treatment").only("slug", "treatment__slug")
    return {page.pk: page for page in pages.order_by()}


def published_pages() -> dict[int, TreatmentPage]:
    """Every published page by its key, with only its address (its slug and its treatment's)."""
    return kept_content("published-pages", _read_published_pages)


def _read_published_treatments(language: str) -> dict[str, Treatment]:
    treatments = (
        Treatment.objects.published()
        .filter(language=language)
        .select_related("translation_of")
        .only("slug", "name", "translation_of__slug", "translation_of__name")
    )
    return {treatment.slug: treatment for treatment in treatments}


def published_treatments(language: str | None = None) -> dict[str, Treatment]:
    """Every published treatment in the language (the current one unless named) by its slug, in
    the site's order, with its name and the treatment it translates."""
    language = language or get_language()
    return kept_content(f"published-treatments:{language}", lambda: _read_published_treatments(language))
