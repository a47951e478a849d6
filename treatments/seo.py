"""How the pages travel: structured data for search engines (JSON-LD), the sitemap and robots.txt.

Structured data says only what the page itself says: a review appears (`lastReviewed`,
`reviewedBy`) only once staff have recorded one, and the clinic's opening hours only when
CLINIC_OPENING_HOURS is set.
"""

import json
import re

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from .models import Clinic, TreatmentPage

SCHEMA = "https://schema.org"
DAY_NAMES = {"mon": "Mo", "tue": "Tu", "wed": "We", "thu": "Th", "fri": "Fr", "sat": "Sa", "sun": "Su"}
# Kept out of search engines: staff pages, forms and what they lead to, rating endpoints.
ROBOTS_DISALLOW = ["/admin/", "/appointments/", "/ratings/"]


def ld_json(data: dict) -> str:
    """A non-executing <script type="application/ld+json"> block, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def opening_hours(spec: str) -> list[str]:
    """CLINIC_OPENING_HOURS ('mon-fri 09:00-17:00; sat 10:00-13:00') in schema.org's form
    (['Mo-Fr 09:00-17:00', 'Sa 10:00-13:00'])."""
    hours = []
    for part in filter(None, (part.strip().lower() for part in spec.split(";"))):
        days, _, times = part.partition(" ")
        days = re.sub(r"[a-z]{3}", lambda day: DAY_NAMES.get(day.group(), day.group()), days)
        hours.append(f"{days} {times.strip()}")
    return hours


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
    if settings.CLINIC_OPENING_HOURS:
        data["openingHours"] = opening_hours(settings.CLINIC_OPENING_HOURS)
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
        "dateModified": page.last_updated.isoformat(),
        "about": {"@type": "MedicalTherapy", "name": page.treatment.name},
    }
    review = page.latest_review
    if review is not None:
        web_page["lastReviewed"] = review.reviewed_on.isoformat()
        web_page["reviewedBy"] = {"@type": "Person", "name": review.reviewer.name, "jobTitle": review.reviewer.role}
    trail = [("Home", reverse("home")), *page.trail()]
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
    """Every published treatment page, with the date its content last truly changed: its
    "Last updated" date or its latest recorded review, whichever is later."""

    def items(self):
        pages = TreatmentPage.objects.published().select_related("treatment").prefetch_related("reviews")
        return pages.order_by("treatment__order", "order", "pk")  # reviews alone: the dates need no content

    def location(self, page):
        return page.get_absolute_url()

    def lastmod(self, page):
        review = page.latest_review
        return max(page.last_updated, review.reviewed_on) if review else page.last_updated


class ListPagesSitemap(Sitemap):
    """The home page and the treatments index."""

    def items(self):
        return ["home", "treatments:index"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"lists": ListPagesSitemap, "pages": TreatmentPageSitemap}


@require_GET
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={settings.TREATMENT_PAGE_MAX_AGE}"
    return response
