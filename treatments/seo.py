"""How the pages travel: structured data for search engines (JSON-LD), the sitemap and robots.txt.

Structured data says only what the page itself says: a review appears (`lastReviewed`,
`reviewedBy`) only once staff have recorded one, and the clinic's opening hours only once staff
have recorded them.
"""

import json

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .models import Clinic, TreatmentPage
from .opening_hours import clinic_hours

SCHEMA = "https://schema.org"
DAY_NAMES = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]


# Kept out of search engines: staff pages, forms and what they lead to, rating endpoints (in every
# language: the addresses' words are translated).
def robots_disallow() -> list[str]:
    """Each private prefix, as its address starts in each language."""
    paths = ["/admin/"]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            paths.append(reverse("appointments:request").rsplit("/", 2)[0] + "/")
            paths.append(reverse("ratings:rate"))
            paths.append(reverse("newsletter:check_email"))
            for name in ("newsletter:confirm", "newsletter:unsubscribe"):
                paths.append(reverse(name, kwargs={"token": "x"}).removesuffix("x/"))
    return list(dict.fromkeys(paths))


def ld_json(data: dict) -> str:
    """A non-executing <script type="application/ld+json"> block, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def opening_hours(days: dict) -> list[str]:
    """The clinic's hours ({0: (opens, closes), ...}) in schema.org's form (['Mo 09:00-17:00', ...])."""
    return [f"{DAY_NAMES[weekday]} {opens:%H:%M}-{closes:%H:%M}" for weekday, (opens, closes) in sorted(days.items())]


def clinic_data(clinic: Clinic, url: str) -> dict:
    data = {
        "@context": SCHEMA,
        "@type": "MedicalClinic",
        "name": clinic.name,
        "url": url,
        "telephone": clinic.phone,
        "email": clinic.email,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": clinic.street_address,
            "addressLocality": clinic.city,
            "addressRegion": clinic.region,
            "postalCode": clinic.postal_code,
        },
    }
    hours = clinic_hours()
    if hours is not None:
        data["openingHours"] = opening_hours(hours.days)
    return data


def source_data(source) -> dict:
    """A cited source as schema.org's CreativeWork: only what is known of it."""
    data = {
        "@type": "CreativeWork",
        "name": source.title,
        "publisher": {"@type": "Organization", "name": source.publisher},
    }
    if source.date_iso:
        data["datePublished"] = source.date_iso
    if source.url:
        data["url"] = source.url
    return data


def page_data(page: TreatmentPage, request) -> list[dict]:
    """MedicalWebPage (with its review only when one is recorded) and its BreadcrumbList."""
    absolute = request.build_absolute_uri
    web_page = {
        "@context": SCHEMA,
        "@type": "MedicalWebPage",
        "name": page.title,
        "description": page.meta_description,
        "url": absolute(page.get_absolute_url()),
        "inLanguage": page.language,
        "about": {"@type": "MedicalTherapy", "name": page.treatment.name},
    }
    if page.last_updated:
        web_page["dateModified"] = page.last_updated.isoformat()
    citations = [source_data(source) for source in page.source_list]
    if citations:
        web_page["citation"] = citations
    review = page.latest_review
    if review is not None:
        web_page["lastReviewed"] = review.reviewed_on.isoformat()
        web_page["reviewedBy"] = {"@type": "Person", "name": review.reviewer.name, "jobTitle": review.reviewer.role}
    trail = [(_("Home"), reverse("home")), *page.trail()]
    breadcrumbs = {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": number, "name": str(name), "item": absolute(str(url))}
            for number, (name, url) in enumerate(trail, start=1)
        ],
    }
    return [web_page, breadcrumbs]


class TreatmentPageSitemap(Sitemap):
    """Every published treatment page in every language, with the day its words last changed (the
    same "Last updated" date the page and its structured data show), and its translations as
    alternates, the first language's as x-default."""

    def items(self):
        pages = (
            TreatmentPage.objects.published()
            .select_related("treatment")
            .only("slug", "treatment__slug", "treatment__language", "translation_of_id", "words_changed_at")
            .with_versions()
        )
        return pages.order_by("treatment__language", "treatment__order", "order", "pk")

    def location(self, page):
        with translation.override(page.treatment.language):
            return page.get_absolute_url()

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        for url in urls:
            written = url["item"].versions()
            if len(written) < 2:
                continue
            url["alternates"] = [{"location": base + path, "lang_code": code} for code, path in written.items()]
            if settings.LANGUAGE_CODE in written:
                url["alternates"].append(
                    {"location": base + written[settings.LANGUAGE_CODE], "lang_code": "x-default"}
                )
        return urls

    def lastmod(self, page):
        return page.last_updated


class ListPagesSitemap(Sitemap):
    """The home page, the treatments index, the visiting, privacy and accessibility pages, and the
    newsletter's sign-up: every public page that is not a treatment page (forms that store a
    patient's details, and the pages after them, are kept out of search: robots_disallow), in
    every language, each with the others as alternates."""

    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return ["home", "treatments:index", "visiting", "privacy", "accessibility", "newsletter:sign_up"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"lists": ListPagesSitemap, "pages": TreatmentPageSitemap}


@require_GET
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in robots_disallow())]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, no-cache"
    return response
