"""The languages of the site, and each page's address in the others.

The address decides a page's language (sitewide.middleware.language_from_address). Pages that are
templates (home, visiting, privacy...) have one address per language from the translated URL
patterns, so Django's `translate_url` finds the other. A treatment page is a row per language
(`TreatmentPage.translation_of`), so its other addresses are its translations' own; a page not
yet translated is offered at the address that says so in that language (the page's slugs under
the language's prefix: treatments.views.treatment_page).
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation


@dataclass(frozen=True)
class Alternate:
    code: str
    name: str  # in its own language: "Español"
    path: str
    translated: bool  # False: the address says the page is not yet in this language

    def absolute(self, request) -> str:
        return request.build_absolute_uri(self.path)


def page_alternates(page) -> list[Alternate]:
    """The page in every language of the site: its translation's address, or the one that says
    there is none yet."""
    written = page.versions()
    alternates = []
    for code, name in settings.LANGUAGES:
        if code in written:
            alternates.append(Alternate(code, name, written[code], True))
        else:
            # Where a reader of that language is told the page is not yet in it.
            alternates.append(Alternate(code, name, page.address_in(code), False))
    return alternates


def path_alternates(request) -> list[Alternate]:
    """A page that is a template has the same address pattern in every language."""
    path = request.path
    if request.resolver_match is None:  # an error page: the other language's home page
        alternates = []
        for code, name in settings.LANGUAGES:
            with translation.override(code):
                alternates.append(Alternate(code, name, reverse("home"), True))
        return alternates
    return [Alternate(code, name, translate_url(path, code), True) for code, name in settings.LANGUAGES]
