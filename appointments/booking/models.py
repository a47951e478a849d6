"""Online booking: who can be booked (clinicians or rooms), the visit types patients choose, the
hours each clinician works, and the bookings themselves, with the e-mails about them and the
waiting list.

A booking holds its clinician's time from the start of the buffer before the visit to the end
of the buffer after it (`held_from`, `held_until`). On PostgreSQL an exclusion constraint makes
two active bookings of one clinician that overlap impossible in the database; on SQLite the
booking transaction takes the database's write lock first (services.py), so bookings are made
one at a time. The patient's details live on the appointment request the booking belongs to,
so privacy exports, erasure and the purge of old requests cover bookings too."""

import datetime
import secrets

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Func, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treatments.models.clinic import OpeningTime
from treatments.models.languages import first_language, site_languages


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class Clinician(models.Model):
    """Someone (or a room) patients can book. Their calendar feed's address holds a secret
    token: staff make a new one in the admin to revoke the old address."""

    name = models.CharField(_("name, as patients see it"), max_length=100)
    active = models.BooleanField(_("takes bookings"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("clinician (or room)")
        verbose_name_plural = _("clinicians (and rooms)")

    def __str__(self):
        return self.name


class VisitType(models.Model):
    """What a patient books: how long it lasts, the clinician's time kept free around it, how
    often a time is offered, how soon and how far ahead it can be booked, and who offers it.
    Changing any of this never touches bookings already made: each keeps its own times."""

    name = models.CharField(_("name"), max_length=100, help_text=_('For example "First consultation".'))
    treatment = models.ForeignKey(
        "treatments.Treatment",
        verbose_name=_("treatment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit_types",
        limit_choices_to={"translation_of__isnull": True},
    )
    minutes = models.PositiveSmallIntegerField(
        _("lasts (minutes)"), default=30, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    buffer_before = models.PositiveSmallIntegerField(
        _("kept free before (minutes)"), default=0, validators=[MaxValueValidator(120)]
    )
    buffer_after = models.PositiveSmallIntegerField(
        _("kept free after (minutes)"), default=0, validators=[MaxValueValidator(120)]
    )
    step_minutes = models.PositiveSmallIntegerField(
        _("a time every (minutes)"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=_("Times offered from the start of each working period: every 15 minutes, for example."),
    )
    notice_hours = models.PositiveSmallIntegerField(
        _("booked at least (hours) ahead"), default=24, validators=[MaxValueValidator(24 * 30)]
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("booked at most (days) ahead"), default=56, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    what_to_bring = models.TextField(
        _("what to bring"), blank=True, help_text=_("Said in the confirmation and the reminder. Empty: not said.")
    )
    clinicians = models.ManyToManyField(Clinician, verbose_name=_("offered by"), related_name="visit_types")
    active = models.BooleanField(_("patients can book it online"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("visit type")
        verbose_name_plural = _("visit types")

    def __str__(self):
        return f"{self.name}, {self.minutes} min"

    def in_language(self, language: str) -> "VisitType | None":
        """This visit type with its name and what to bring in `language`, or None while nobody
        wrote them in it: a patient never reads English words as if they were theirs."""
        if language == settings.LANGUAGE_CODE:
            return self
        words = next((words for words in self.words.all() if words.language == language), None)
        if words is None:
            return None
        translated = VisitType(**{field.attname: getattr(self, field.attname) for field in self._meta.concrete_fields})
        translated.name, translated.what_to_bring = words.name, words.what_to_bring
        return translated

    @property
    def held_before(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.buffer_before)

    @property
    def held_after(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.buffer_after)

    @property
    def duration(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.minutes)


class VisitTypeWords(models.Model):
    """A visit type's name and what to bring, in another language than the site's first."""

    visit_type = models.ForeignKey(VisitType, on_delete=models.CASCADE, related_name="words")
    language = models.CharField(_("language"), max_length=10, choices=site_languages)
    name = models.CharField(_("name"), max_length=100)
    what_to_bring = models.TextField(_("what to bring"), blank=True)

    class Meta:
        verbose_name = _("the visit type in another language")
        verbose_name_plural = _("the visit type in other languages")
        constraints = [models.UniqueConstraint(fields=["visit_type", "language"], name="visit_type_words_once")]

    def __str__(self):
        return self.get_language_display()

    def clean(self):
        super().clean()
        if self.language == settings.LANGUAGE_CODE:
            raise ValidationError({"language": _("The visit type's own name is in this language.")})


class WorkingHours(models.Model):
    """A clinician's working period on one day of every week, in the clinic's time zone. A day may
    have several (a morning and an afternoon)."""

    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=OpeningTime.Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "starts"]
        verbose_name = _("weekly working hours")
        verbose_name_plural = _("weekly working hours")
        constraints = [models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="working_hours_order")]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"

    def clean(self):
        if self.starts is not None and self.ends is not None and self.ends <= self.starts:
            raise ValidationError({"ends": _("The end must come after the start.")})


class ExtraHours(models.Model):
    """One-off working hours on one day (a Saturday clinic), beside the weekly ones."""

    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="extra_hours")
    day = models.DateField(_("day"))
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        ordering = ["day", "starts"]
        verbose_name = _("extra working hours")
        verbose_name_plural = _("extra working hours (one day)")
        constraints = [models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="extra_hours_order")]

    def __str__(self):
        return f"{self.day} {self.starts:%H:%M}-{self.ends:%H:%M}"

    def clean(self):
        if self.starts is not None and self.ends is not None and self.ends <= self.starts:
            raise ValidationError({"ends": _("The end must come after the start.")})


class TimeOff(models.Model):
    """A time a clinician cannot be booked (leave, a course), from one moment to another."""

    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="time_off")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason (staff only)"), max_length=100, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="time_off_order")]

    def __str__(self):
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{start:%Y-%m-%d %H:%M} - {end:%Y-%m-%d %H:%M}"

    def clean(self):
        if self.starts_at is not None and self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must come after the start.")})


class TsTzRange(Func):
    """PostgreSQL's tstzrange(from, until, '[)'): the time a booking holds, for the constraint."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """Django's ExclusionConstraint, created on PostgreSQL only: SQLite has no such constraint,
    and there the booking transaction serialises instead (services.booking_lock)."""

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, *args, **kwargs):
        # The booking service checks overlaps itself, with the lock or the constraint behind it.
        return


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    HELD = "held", _("Held for a patient waiting")
    ARRIVED = "arrived", _("Arrived")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", _("Cancelled")


# Bookings that hold their clinician's time: only these may not overlap.
ACTIVE_STATUSES = [BookingStatus.BOOKED, BookingStatus.HELD, BookingStatus.ARRIVED]


class BookingSource(models.TextChoices):
    ONLINE = "online", _("Booked online by the patient")
    PHONE = "phone", _("Booked by the front desk")
    WAITING_LIST = "waiting_list", _("Offered from the waiting list")


class BookingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def overlapping(self, starts_at, ends_at):
        """Bookings whose held time meets [starts_at, ends_at)."""
        return self.filter(held_from__lt=ends_at, held_until__gt=starts_at)


class Booking(models.Model):
    """A clinician's time booked for a visit. The patient's details are on its request."""

    Status = BookingStatus
    Source = BookingSource

    request = models.ForeignKey(
        "appointments.AppointmentRequest",
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="bookings",
        null=True,  # only while a freed time is held for a patient on the waiting list
        blank=True,
    )
    clinician = models.ForeignKey(Clinician, verbose_name=_("with"), on_delete=models.PROTECT, related_name="bookings")
    visit_type = models.ForeignKey(
        VisitType, verbose_name=_("visit type"), on_delete=models.PROTECT, related_name="bookings"
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    # The visit with the visit type's buffers as they were when it was booked.
    held_from = models.DateTimeField(editable=False)
    held_until = models.DateTimeField(editable=False)
    status = models.CharField(_("status"), max_length=12, choices=BookingStatus, default=BookingStatus.BOOKED)
    source = models.CharField(_("made"), max_length=12, choices=BookingSource, default=BookingSource.ONLINE)
    made_at = models.DateTimeField(_("made"), default=timezone.now, editable=False)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )  # fmt: skip
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True, editable=False)
    # Raised by every move or cancellation: the patient's links name the version they were sent
    # for, so an older link says it was replaced, and a staff page opened earlier cannot overwrite.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Until when a time freed by a cancellation is held for the patient offered it (HELD).
    held_for_offer_until = models.DateTimeField(null=True, blank=True, editable=False)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"),
            models.CheckConstraint(
                condition=Q(held_from__lte=models.F("starts_at"), held_until__gte=models.F("ends_at")),
                name="booking_holds_its_visit",
            ),
            models.CheckConstraint(condition=Q(status__in=BookingStatus.values), name="booking_status_valid"),
            PostgresExclusionConstraint(
                name="booking_no_overlap_per_clinician",
                expressions=[
                    ("clinician", RangeOperators.EQUAL),
                    (TsTzRange("held_from", "held_until", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=ACTIVE_STATUSES),
                violation_error_message=_("This time was just taken."),
            ),
        ]

    def __str__(self):
        # By number and time only, as requests: titles, logs and the audit trail never name the patient.
        if self.pk is None:
            return str(_("New booking"))
        return _("Booking #%(number)s, %(when)s") % {
            "number": self.pk,
            "when": f"{timezone.localtime(self.starts_at):%-d %b %Y %H:%M}",
        }

    def get_admin_url(self):
        return reverse("admin:appointments_booking_change", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def can_be_changed_by_patient(self) -> bool:
        return self.status == BookingStatus.BOOKED and self.starts_at > timezone.now()


class BookingMessage(models.Model):
    """One e-mail to the patient about a booking (confirmation, moved, cancelled, reminder,
    a freed time offered), written once per booking, kind and visit time (`key`), and sent once
    by the worker: `sent_at` is set the moment the mail server accepts it."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation")
        MOVED = "moved", _("Moved")
        CANCELLED = "cancelled", _("Cancelled")
        REMINDER = "reminder", _("Reminder")
        OFFER = "offer", _("A freed time offered")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="messages", null=True, blank=True)
    waiting = models.ForeignKey(
        "appointments.WaitingListEntry", on_delete=models.CASCADE, related_name="messages", null=True, blank=True
    )
    kind = models.CharField(_("what"), max_length=12, choices=Kind)
    key = models.CharField(max_length=80, unique=True, editable=False)  # the same e-mail is written once
    to = models.EmailField(_("to"))
    language = models.CharField(max_length=10, choices=site_languages, default=first_language)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    calendar = models.TextField(blank=True)  # the .ics it carries, if any
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sending_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    problem = models.CharField(_("last sending problem"), max_length=200, blank=True)

    class Meta:
        ordering = ["queued_at", "pk"]
        verbose_name = _("e-mail about a booking")
        verbose_name_plural = _("e-mails about bookings")

    def __str__(self):
        return self.get_kind_display()


class WaitingListEntry(models.Model):
    """A patient who found no free time for a visit type and asked to be told of one. When a
    booking of that type is cancelled, the first waiting is offered its time, held for them for
    WAITING_LIST_HOLD_MINUTES; then it goes to the next."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered a time")
        BOOKED = "booked", _("Booked")
        LEFT = "left", _("Left the list")

    visit_type = models.ForeignKey(VisitType, verbose_name=_("visit type"), on_delete=models.CASCADE, related_name="+")
    first_name = models.CharField(_("first name"), max_length=100)
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=10, choices=site_languages, default=first_language)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.WAITING)
    # The held booking offered to this patient, while it is offered.
    offer = models.ForeignKey(
        Booking, verbose_name=_("offered"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submission_token = models.UUIDField(unique=True, editable=False)

    class Meta:
        ordering = ["joined_at", "pk"]
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list")

    def __str__(self):
        return _("Waiting #%(number)s") % {"number": self.pk}
