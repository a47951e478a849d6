"""Brings each language's catalogue (locale/<language>/LC_MESSAGES/django.po) up to date with
the words patients read: Django's `makemessages` over the templates and code patients see, not
the staff's pages (the admin stays in English), keeping every translation already made. New or
changed words then show in English until translated: the test suite names them
(tests/sitewide/test_languages.py). Needs GNU gettext (`apt-get install gettext`), for
translators only; the site and the tests need only Python (compile_translations)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# What only staff read: left out of the patients' catalogue (paths as makemessages sees them).
STAFF_ONLY = [
    ".venv",
    "node_modules",
    "staticfiles",
    "*/migrations/*",
    "*/management/*",
    "*/admin/*",
    "*/admin.py",
    "templates/admin/*",
    "templates/appointments/dashboard*",
    "templates/appointments/email/staff_*",
    "templates/treatments/email/*",
    "tests/*",
    "bench/*",
    "deploy/*",
    "treatments/models/clinic.py",
    "treatments/models/reviews.py",
    "treatments/models/revisions.py",
    "treatments/models/sources.py",
    "treatments/models/addresses.py",
    "treatments/models/pictures.py",
    "treatments/images.py",
    "treatments/reviews.py",
    "treatments/revisions.py",
    "treatments/drafts.py",
    "treatments/scheduling.py",
    "treatments/history.py",
    "treatments/claims.py",
    "treatments/readability.py",
    "treatments/templatetags/editorial.py",
    "treatments/templatetags/reading.py",
    "appointments/dashboard.py",
    "appointments/worklist.py",
    "appointments/privacy_views.py",
    "appointments/exports.py",
    "appointments/audit.py",
    "appointments/checks.py",
    "appointments/health.py",
    "appointments/response_time.py",
    "appointments/notifications.py",
    "sitewide/admin_login.py",
    "sitewide/staff_admin.py",
    "sitewide/staff_idle.py",
    "sitewide/backups.py",
    "sitewide/templatetags/staff_session.py",
]


class Command(BaseCommand):
    help = "Update locale/*/LC_MESSAGES/django.po with the words patients read (needs GNU gettext)."

    def handle(self, *args, **options):
        others = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        call_command(
            "makemessages",
            locale=others,
            ignore_patterns=STAFF_ONLY,
            no_obsolete=True,
            add_location="file",
            verbosity=options["verbosity"],
        )
