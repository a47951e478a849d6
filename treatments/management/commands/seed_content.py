from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from simple_history.utils import get_history_manager_for_model

from treatments.models import (
    Clinic,
    FAQEntry,
    PreventionStep,
    PreventionTip,
    Section,
    Source,
    Treatment,
    TreatmentPage,
)
from treatments.revisions import record_revision

FIXTURES = ["clinic", "mesotherapy", "mesotherapy_es"]
SEED_LOCK = 7_461_001  # any fixed number: the advisory lock that serializes loads
CONTENT_MODELS = [Clinic, Source, Treatment, TreatmentPage, Section, FAQEntry, PreventionStep, PreventionTip]


class Command(BaseCommand):
    """Loads the site's content (fixtures/) into a database that has none. It never touches a
    site that has content, so staff edits survive every `make run`; --overwrite puts the shipped
    content back on purpose, replacing edits to the same pages. Either way each page's history
    records the load, so later edits show what they changed. Each page's "Last updated" date is the
    one shipped with its words: when they last changed, not when they were loaded here."""

    help = "Load the shipped content into an empty site (or, with --overwrite, replace it)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Load the shipped content even if the site has content: edits to the same rows are lost.",
        )

    @transaction.atomic
    def handle(self, *args, overwrite, **options):
        if connection.vendor == "postgresql":
            # Two servers started together on an empty database: the second waits for the first's
            # load to commit, then finds the content and loads nothing.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEED_LOCK])
        if not overwrite and (Clinic.objects.exists() or Treatment.objects.exists()):
            self.stdout.write("The site already has content: nothing loaded (use --overwrite to replace it).")
            return
        call_command("loaddata", *FIXTURES, verbosity=0)
        # Each page keeps the date its shipped words last changed (fixtures/), never the day they
        # were loaded onto this server: "Last updated" is about the words, not the install.
        for model in CONTENT_MODELS:  # loaddata's raw saves make no history records of their own
            get_history_manager_for_model(model).bulk_history_create(
                list(model.objects.all()), default_change_reason="Loaded from fixtures/"
            )
        for page in TreatmentPage.objects.all():  # and each page's whole-page revision, as loaded
            record_revision(page)
        if overwrite:
            self.stdout.write("Loaded the shipped content, replacing any edits to the same pages.")
        else:
            self.stdout.write("Loaded the shipped content into the empty site.")
