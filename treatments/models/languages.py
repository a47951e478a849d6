"""The choices of a content row's language: the site's languages, read from the settings when
asked, so that a third language needs no migration."""

from django.conf import settings


def site_languages():
    return settings.LANGUAGES


def first_language():
    return settings.LANGUAGE_CODE
