"""Compiles the translations (locale/<language>/LC_MESSAGES/django.po) into the .mo files Django
reads, with Babel, in Python: a fresh machine needs no GNU gettext (`msgfmt`), which Django's own
`compilemessages` calls. Run by `make setup`, `make serve` and `make test`; the .mo files are
built, never kept in the repository. A catalogue with an entry whose placeholders do not match
its original is refused, with the entry named, so a translation can never break a page."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogue_problems(catalog) -> list[str]:
    """Each entry whose translation Babel's checks refuse (placeholders that differ, a missing plural)."""
    problems = []
    for message, errors in catalog.check():
        problems.extend(f"{message.id!r}: {error}" for error in errors)
    return problems


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/django.po into .mo files (Babel; no GNU gettext needed)."

    def handle(self, *args, **options):
        compiled = 0
        for locale_path in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/django.po")):
                language = po_path.parent.parent.name
                with po_path.open("rb") as source:
                    catalog = read_po(source, locale=language)
                problems = catalogue_problems(catalog)
                if problems:
                    raise CommandError(f"{po_path}: " + "; ".join(problems))
                with po_path.with_suffix(".mo").open("wb") as target:
                    write_mo(target, catalog, use_fuzzy=False)  # a fuzzy entry is shown in English
                compiled += 1
                if options["verbosity"] > 1:
                    self.stdout.write(f"Compiled {po_path}")
        if options["verbosity"]:
            self.stdout.write(f"Compiled the translations of {compiled} language(s).")
