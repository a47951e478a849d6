"""What other parts of the site read of the content on every post: the published pages a rating
may name, and the published treatments the appointment form offers. Both are kept in the shared
cache with the pages themselves, and deleted with them when the content changes
(sitewide.page_cache), so a post asks the database nothing about them."""

from sitewide.page_cache import kept_content

from .models import Treatment, TreatmentPage


def _read_published_pages() -> dict[int, TreatmentPage]:
    pages = TreatmentPage.objects.published().select_related("treatment").only("slug", "treatment__slug")
    return {page.pk: page for page in pages.order_by()}


def published_pages() -> dict[int, TreatmentPage]:
    """Every published page by its key, with only its address (its slug and its treatment's)."""
    return kept_content("published-pages", _read_published_pages)


def _read_published_treatments() -> dict[str, Treatment]:
    return {treatment.slug: treatment for treatment in Treatment.objects.published().only("slug", "name")}


def published_treatments() -> dict[str, Treatment]:
    """Every published treatment by its slug, in the site's order, with its name."""
    return kept_content("published-treatments", _read_published_treatments)
