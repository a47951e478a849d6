"""Local development: debug on and a fixed, clearly insecure key, so no variables are needed."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", "django-insecure-development-only-key-not-for-production")
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# `make run` starts no worker: background work runs at once, and its mail prints to the console.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
