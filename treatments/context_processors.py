from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from .models import Clinic


def clinic_for_pages() -> Clinic | None:
    """The clinic's details for a page (or an e-mail) in the active language: kept in the shared
    cache, the shipped copy while the database is down (Clinic.for_pages)."""
    clinic = Clinic.for_pages()
    return clinic.in_language(get_language()) if clinic is not None else None


def clinic(request):
    """The clinic's contact details for every template, fetched only by templates that use them."""
    return {"clinic": SimpleLazyObject(clinic_for_pages)}
