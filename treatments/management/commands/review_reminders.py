from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.urls import reverse

from treatments.models import TreatmentPage

EDITORS_GROUP = "Editors"


class Command(BaseCommand):
    """E-mails the editors the pages whose review is overdue, never recorded, or due within
    REVIEW_REMINDER_DAYS; sends nothing when there are none. Run it daily from cron."""

    help = "E-mail the Editors group the pages due for review."

    def handle(self, *args, **options):
        due = list(
            TreatmentPage.objects.published()
            .due_for_review(settings.REVIEW_REMINDER_DAYS)
            .select_related("treatment")
            .prefetch_related("reviews")
            .order_by("last_reviewed_on", "pk")
        )
        if not due:
            self.stdout.write("No page is due for review.")
            return
        recipients = sorted(
            get_user_model()
            .objects.filter(groups__name=EDITORS_GROUP, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
            .distinct()
        )
        if not recipients:
            self.stderr.write(f"{len(due)} pages are due for review, but no active editor has an e-mail address.")
            return
        site = settings.SITE_URL.rstrip("/")
        pages = [(page, site + reverse("admin:treatments_treatmentpage_change", args=[page.pk])) for page in due]
        context = {"pages": pages, "within_days": settings.REVIEW_REMINDER_DAYS}
        subject = render_to_string("treatments/email/review_reminder_subject.txt", context).strip()
        body = render_to_string("treatments/email/review_reminder_body.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        self.stdout.write(f"Reminded {len(recipients)} editors of {len(due)} pages due for review.")
