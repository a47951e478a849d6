import functools
import json
import logging

from django.conf import settings
from django.db import DatabaseError
from django.utils.functional import SimpleLazyObject

from sitewide.page_cache import kept_content

from .models import Clinic

logger = logging.getLogger(__name__)


@functools.cache
def clinic_from_fixture() -> Clinic:
    """The clinic's details as shipped in fixtures/clinic.json, for pages shown while the database
    is unreachable (error pages still give the phone number)."""
    for entry in json.loads((settings.BASE_DIR / "fixtures" / "clinic.json").read_text()):
        if entry["model"] == "treatments.clinic":
            return Clinic(**entry["fields"])
    return Clinic()


def clinic_for_pages() -> Clinic | None:
    """The clinic's details, read once and kept in the shared cache until the content changes
    (sitewide.page_cache): a page that is drawn afresh asks the database only for itself."""
    try:
        return kept_content("clinic", Clinic.current)
    except DatabaseError:
        logger.warning("Database unavailable: showing the clinic's details from fixtures/clinic.json")
        return clinic_from_fixture()


def clinic(request):
    """The clinic's contact details for every template, fetched only by templates that use them."""
    return {"clinic": SimpleLazyObject(clinic_for_pages)}
