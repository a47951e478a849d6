"""Production: read only from the environment; refuses to start, naming every missing or unsafe
variable at once, and passes `manage.py check --deploy --fail-level WARNING`."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import MEDIA_STORAGE, SECRET_KEY, SITE_URL, env

REQUIRED = {
    "DJANGO_SECRET_KEY": "a random value of at least 50 characters",
    "DJANGO_ALLOWED_HOSTS": "the site's host names, comma separated",
    "DATABASE_URL": "the PostgreSQL database, e.g. postgres://mesoclinic@127.0.0.1:5432/mesoclinic",
    "REDIS_URL": "the shared cache, e.g. redis://127.0.0.1:6379/0",
    "DJANGO_SITE_URL": "the site's address, starting with https://",
    "DJANGO_DEFAULT_FROM_EMAIL": "the address the site's e-mail comes from",
    "DJANGO_EMAIL_HOST": "the mail server that sends it",
}
problems = [f"{name} ({meaning})" for name, meaning in REQUIRED.items() if not env.str(name, "")]
if "DJANGO_SECRET_KEY" in env and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    problems.append("DJANGO_SECRET_KEY must be a random value of at least 50 characters")
if "DJANGO_SITE_URL" in env and not SITE_URL.startswith("https://"):
    problems.append("DJANGO_SITE_URL must start with https://")
if problems:
    raise ImproperlyConfigured("Production settings need: " + "; ".join(problems) + ". See README.md.")

DEBUG = False
# Limits must hold across server processes: django-ratelimit's E003 (no shared cache) stays an error.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
# HSTS preloading commits the domain and every subdomain to HTTPS in browsers' own lists, for
# good: a decision for the domain's owner, so it is off unless asked for (and W021 answered).
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")

STORAGES = {
    **MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers check over plain HTTP
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = [SITE_URL]
EMAIL_BACKEND = "sitewide.mail.CountedSMTPBackend"  # Django's SMTP backend, counted for /metrics
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.bool("DJANGO_EMAIL_USE_SSL", False)
