"""What patients send the clinic: appointment requests (and, later, page ratings)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from localflavor.us.models import USStateField
from phonenumber_field.modelfields import PhoneNumberField

COMMENTS_MAX_LENGTH = 1000


class AppointmentRequestQuerySet(models.QuerySet):
    def notification_pending(self):
        """Requests whose staff alert, or the patient's e-mail confirmation, has not gone out yet."""
        return self.filter(
            Q(staff_notified_at__isnull=True)
            | Q(contact_preference=AppointmentRequest.ContactPreference.EMAIL, patient_confirmed_at__isnull=True)
        )

    def past_retention(self, days: int):
        """Finished requests (closed or declined) received more than `days` days ago."""
        cutoff = timezone.now() - timezone.timedelta(days=days)
        finished = [AppointmentRequest.Status.CLOSED, AppointmentRequest.Status.DECLINED]
        return self.filter(status__in=finished, received_at__lt=cutoff)


class AppointmentRequest(models.Model):
    """A patient's request to be contacted about an appointment.

    What the patient typed is kept as sent (read-only for staff); the front desk moves the request
    through its status and keeps notes. Notification timestamps stay empty until the mail went out,
    so a request is never lost when the mail server is down.
    """

    class ContactPreference(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")

    class Purpose(models.TextChoices):
        CONSULTATION = "consultation", _("Schedule a consultation")
        QUESTION = "question", _("Ask a question")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        SCHEDULED = "scheduled", _("Scheduled")
        DECLINED = "declined", _("Declined")
        CLOSED = "closed", _("Closed")

    # What the patient sent.
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True, editable=False)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    city = models.CharField(_("city"), max_length=100)
    state = USStateField(_("state"))
    email = models.EmailField(_("e-mail"))
    phone = PhoneNumberField(_("phone"), region="US")
    contact_preference = models.CharField(_("please contact me by"), max_length=10, choices=ContactPreference)
    newsletter = models.BooleanField(_("receive the free newsletter"), default=False)
    purpose = models.CharField(
        _("I would like to"), max_length=20, choices=Purpose, default=Purpose.CONSULTATION, blank=True
    )
    treatment = models.ForeignKey(
        "treatments.Treatment",
        verbose_name=_("treatment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment_requests",
    )
    comments = models.TextField(
        _("comments"), blank=True, max_length=COMMENTS_MAX_LENGTH, validators=[MaxLengthValidator(COMMENTS_MAX_LENGTH)]
    )
    # One per rendering of the form: a second press of Send, or a resent POST, finds it taken.
    submission_token = models.UUIDField(unique=True, editable=False)

    # The front desk's work.
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.NEW, db_index=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True, editable=False)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("status changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    staff_notes = models.TextField(_("staff notes"), blank=True)

    # Notifications: empty until sent.
    staff_notified_at = models.DateTimeField(_("staff alerted"), null=True, blank=True, editable=False)
    patient_confirmed_at = models.DateTimeField(_("patient confirmation sent"), null=True, blank=True, editable=False)

    objects = AppointmentRequestQuerySet.as_manager()

    # What the patient sends on the form, in its order: read-only for staff, exported as sent.
    PATIENT_FIELDS = [
        "first_name",
        "last_name",
        "city",
        "state",
        "email",
        "phone",
        "contact_preference",
        "newsletter",
        "purpose",
        "treatment",
        "comments",
    ]

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("appointment request")
        verbose_name_plural = _("appointment requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(contact_preference__in=["email", "phone"]), name="appointment_contact_preference_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["new", "contacted", "scheduled", "declined", "closed"]),
                name="appointment_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.received_at:%Y-%m-%d})"

    def get_admin_url(self):
        return reverse("admin:appointments_appointmentrequest_change", args=[self.pk])

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def wants_email_confirmation(self):
        return self.contact_preference == self.ContactPreference.EMAIL

    @property
    def notification_is_pending(self):
        return self.staff_notified_at is None or (self.wants_email_confirmation and self.patient_confirmed_at is None)


# Page ratings -------------------------------------------------------------------------------
# A rating points at its page through a generic relation rather than the page's path: the database
# then knows the page exists (a path can be mistyped or moved), ratings follow a page whose address
# changes, and this app still needs to know nothing about the treatments' models. Which models may
# be rated is a setting (RATEABLE_MODELS).


class RatedPageQuerySet(models.QuerySet):
    def with_average(self):
        average = models.ExpressionWrapper(
            models.F("total") * 1.0 / NullIf(models.F("count"), 0), output_field=models.FloatField()
        )
        return self.annotate(average_stars=average)


class RatedPage(models.Model):
    """A page's ratings in aggregate, updated in the same transaction as each vote so that showing
    the average never scans the votes."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    page = GenericForeignKey("content_type", "object_id")
    count = models.PositiveIntegerField(_("ratings"), default=0)
    total = models.PositiveIntegerField(_("total stars"), default=0)
    one_star = models.PositiveIntegerField(_("1 star"), default=0)
    two_stars = models.PositiveIntegerField(_("2 stars"), default=0)
    three_stars = models.PositiveIntegerField(_("3 stars"), default=0)
    four_stars = models.PositiveIntegerField(_("4 stars"), default=0)
    five_stars = models.PositiveIntegerField(_("5 stars"), default=0)

    objects = RatedPageQuerySet.as_manager()

    STAR_FIELDS = ["one_star", "two_stars", "three_stars", "four_stars", "five_stars"]

    class Meta:
        verbose_name = _("rated page")
        verbose_name_plural = _("rated pages")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="rated_page_unique_page"),
            models.CheckConstraint(
                condition=Q(
                    count=models.F("one_star")
                    + models.F("two_stars")
                    + models.F("three_stars")
                    + models.F("four_stars")
                    + models.F("five_stars")
                ),
                name="rated_page_count_matches_distribution",
            ),
        ]

    def __str__(self):
        return str(self.page) if self.page is not None else f"{self.content_type} #{self.object_id}"

    @property
    def average(self) -> float | None:
        return self.total / self.count if self.count else None

    @property
    def distribution(self) -> list[int]:
        """Votes for 1 to 5 stars, in that order."""
        return [getattr(self, field) for field in self.STAR_FIELDS]


class PageRating(models.Model):
    """One visitor's vote on one page. Visitors are anonymous: a random id in a signed cookie."""

    rated_page = models.ForeignKey(RatedPage, on_delete=models.CASCADE, related_name="ratings")
    visitor = models.UUIDField(_("visitor"))
    stars = models.PositiveSmallIntegerField(_("stars"))
    created_at = models.DateTimeField(_("first rated"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)

    class Meta:
        verbose_name = _("page rating")
        verbose_name_plural = _("page ratings")
        constraints = [
            models.UniqueConstraint(fields=["rated_page", "visitor"], name="page_rating_one_per_visitor"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="page_rating_stars_1_to_5"),
        ]

    def __str__(self):
        return f"{self.stars}★"


class PageComment(models.Model):
    """A visitor's answer to "How could we improve this page?", given after rating it."""

    rated_page = models.ForeignKey(
        RatedPage, verbose_name=_("page"), on_delete=models.CASCADE, related_name="comments"
    )
    stars = models.PositiveSmallIntegerField(_("stars given"), null=True, blank=True)
    text = models.CharField(_("comment"), max_length=COMMENTS_MAX_LENGTH)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("page comment")
        verbose_name_plural = _("page comments")

    def __str__(self):
        return self.text[:60]
