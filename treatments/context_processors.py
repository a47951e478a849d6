from django.utils.functional import SimpleLazyObject

from .models import Clinic


def clinic(request):
    """The clinic's contact details for every template, fetched only by templates that use them."""
    return {"clinic": SimpleLazyObject(Clinic.current)}
