"""Writes the pages nginx shows for its own errors (the site not answering, a request it cannot
read) as files in STATIC_ROOT/errors/, in the site's look with the clinic's phone number: the
default language's there, every other language's in a folder of its code (errors/es/), which
nginx picks by the address's language prefix (deploy/nginx.conf)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from treatments.context_processors import clinic_for_pages

PAGES = {"unavailable.html": "unavailable.html", "bad-request.html": "400.html", "too-large.html": "413.html"}


class Command(BaseCommand):
    help = "Write nginx's error pages (see deploy/nginx.conf) into STATIC_ROOT/errors/."

    def handle(self, *args, **options):
        root = Path(settings.STATIC_ROOT) / "errors"
        for code, _name in settings.LANGUAGES:
            default = code == settings.LANGUAGE_CODE
            folder = root if default else root / code
            folder.mkdir(parents=True, exist_ok=True)
            with translation.override(code):
                # A request only for the templates' sake: nothing of a visitor is in these pages.
                request = RequestFactory().get(
                    "/" if default else f"/{code}/",
                    SERVER_NAME=settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost",
                )
                for name, template in PAGES.items():
                    context = {"clinic": clinic_for_pages(), "limit": filesizeformat(settings.IMAGE_MAX_BYTES)}
                    html = render_to_string(template, context, request=request)
                    (folder / name).write_text(html, encoding="utf-8")
        self.stdout.write(f"Wrote nginx's error pages into {root}.")
