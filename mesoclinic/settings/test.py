"""The test suite's settings: fast hashing, in-memory mail, the database from DATABASE_URL."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key-that-is-long-enough-to-look-like-a-real-one-0123456789"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", "django_ratelimit.E003"]
# Tests serve static files through Django's finders (the live server does); WhiteNoise would only
# warn that `collectstatic` has not been run.
MIDDLEWARE = [entry for entry in MIDDLEWARE if not entry.startswith("whitenoise.")]  # noqa: F405
# Most tests render pages afresh; the page cache's own tests switch it on.
PAGE_CACHE = False
# `make migrations-check`: django-migration-linter's `lintmigrations` (a development package).
INSTALLED_APPS = [*INSTALLED_APPS, "django_migration_linter"]  # noqa: F405
