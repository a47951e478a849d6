"""The floor: a Django app that answers each path with bytes saved from the real site, under the
same gunicorn settings as `make serve`. What the site costs above it is ours."""

import os
from pathlib import Path

import django
from django.conf import settings

SAVED = Path(os.environ["BENCH_SAVED_PAGES"])

if not settings.configured:
    settings.configure(DEBUG=False, SECRET_KEY="bench-only", ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__, MIDDLEWARE=[])
    django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import re_path  # noqa: E402


def page(request, path=""):
    body = (SAVED / (path.strip("/").replace("/", "__") or "home")).with_suffix(".html").read_bytes()
    return HttpResponse(body, content_type="text/html; charset=utf-8")


urlpatterns = [re_path(r"^(?P<path>.*)$", page)]
application = get_wsgi_application()
