from django.utils.functional import SimpleLazyObject

from .models import Clinic


def clinic_for_pages() -> Clinic | None:
    """The clinic's details for a page: kept in the shared cache, the shipped copy while the
    database is down (Clinic.for_pages)."""
    return Clinic.for_pages()


def clinic(request):
    """The clinic's contact details for every template, fetched only by templates that use them."""
    return {"clinic": SimpleLazyObject(clinic_for_pages)}
