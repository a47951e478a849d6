"""Writes the pages nginx shows for its own errors (the site not answering, a request it cannot
read) as files in STATIC_ROOT/errors/, in the site's look with the clinic's phone number."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.test import RequestFactory

from treatments.context_processors import clinic_for_pages

PAGES = {"unavailable.html": "unavailable.html", "bad-request.html": "400.html", "too-large.html": "413.html"}


class Command(BaseCommand):
    help = "Write nginx's error pages (see deploy/nginx.conf) into STATIC_ROOT/errors/."

    def handle(self, *args, **options):
        folder = Path(settings.STATIC_ROOT) / "errors"
        folder.mkdir(parents=True, exist_ok=True)
        # A request only for the templates' sake: nothing of a visitor is in these pages.
        request = RequestFactory().get(
            "/", SERVER_NAME=settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost"
        )
        for name, template in PAGES.items():
            context = {"clinic": clinic_for_pages(), "limit": filesizeformat(settings.IMAGE_MAX_BYTES)}
            html = render_to_string(template, context, request=request)
            (folder / name).write_text(html, encoding="utf-8")
        self.stdout.write(f"Wrote nginx's error pages into {folder}.")
