"""What patients send the clinic: appointment requests. Page ratings live in `appointments.ratings`."""

import datetime
import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _
from localflavor.us.models import USStateField
from localflavor.us.us_states import STATE_CHOICES
from phonenumber_field.modelfields import PhoneNumberField

from treatments.models.languages import first_language, site_languages

COMMENTS_MAX_LENGTH = 1000
DUPLICATE_WINDOW = timezone.timedelta(days=30)  # requests this close with the same e-mail or phone


@functools.cache
def _state_choices(language: str) -> tuple:
    return tuple(STATE_CHOICES)


class StateField(USStateField):
    """localflavor's state field, with its list of states read once per language. The list it
    ships is a lazy object that translates and sorts all 59 names each time it is read, which a
    form post did 34 times: a third of the post's time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = lambda: _state_choices(get_language())

    def deconstruct(self):  # the same column as localflavor's field: migrations need not know
        name, _path, args, kwargs = super().deconstruct()
        return name, "localflavor.us.models.USStateField", args, kwargs


class ContactPreference(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


OTHER_LANGUAGE = "other"


def call_language_choices():
    """The site's languages, each by its name in English (what the front desk reads), and another
    the patient types: read when asked, so a third language of the site needs no migration."""
    return [
        *((code, get_language_info(code)["name"]) for code, _name in settings.LANGUAGES),
        (OTHER_LANGUAGE, _("Another language")),
    ]


class Status(models.TextChoices):
    """Where a request stands at the front desk: new -> contacted -> scheduled / declined -> closed."""

    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    SCHEDULED = "scheduled", _("Scheduled")
    DECLINED = "declined", _("Declined")
    CLOSED = "closed", _("Closed")


def clinic_day(now) -> tuple[datetime.datetime, datetime.datetime]:
    """The start and end of `now`'s day in the clinic's time zone."""
    start = timezone.make_aware(datetime.datetime.combine(timezone.localtime(now).date(), datetime.time()))
    return start, start + datetime.timedelta(days=1)


# A patient nobody has tried to reach yet: the clinic's response promise runs for them.
FIRST_CALL = Q(status=Status.NEW, first_contacted_at__isnull=True)


def to_do_condition(now) -> Q:
    """Patients the front desk must reach now: new and contacted requests, except those waiting
    for a call-back time still to come."""
    return Q(status__in=[Status.NEW, Status.CONTACTED]) & (Q(call_back_at__isnull=True) | Q(call_back_at__lte=now))


def to_close_condition(now) -> Q:
    """Scheduled requests whose appointment has passed (or was never recorded): to close, a
    smaller task of its own."""
    return Q(status=Status.SCHEDULED) & (Q(appointment_at__lte=now) | Q(appointment_at__isnull=True))


def overdue_condition(now) -> Q:
    """A patient waiting past the clinic's promise for a first call."""
    return FIRST_CALL & Q(answer_due_at__lte=now)


NEXT_STEP_AT = models.Case(
    models.When(status=Status.SCHEDULED, then=models.F("appointment_at")),
    models.When(call_back_at__isnull=False, then=models.F("call_back_at")),
    models.When(FIRST_CALL, then=models.F("answer_due_at")),
    default=None,
    output_field=models.DateTimeField(),
)
# The worklist's order before the time: patients waiting for a first call, then call-backs, then
# contacted patients to book; appointments (to close, or to come) last.
NEXT_STEP_RANK = models.Case(
    models.When(FIRST_CALL, then=models.Value(0)),
    models.When(call_back_at__isnull=False, status__in=[Status.NEW, Status.CONTACTED], then=models.Value(1)),
    models.When(status=Status.SCHEDULED, then=models.Value(3)),
    default=models.Value(2),
    output_field=models.IntegerField(),
)
WORKLIST_ORDER = [NEXT_STEP_RANK.asc(), NEXT_STEP_AT.asc(nulls_last=True), "received_at", "pk"]


class AppointmentRequestQuerySet(models.QuerySet):
    def notification_pending(self):
        """Requests whose staff alert, or the patient's e-mail confirmation, has not gone out yet."""
        return self.filter(
            Q(staff_notified_at__isnull=True)
            | Q(contact_preference=ContactPreference.EMAIL, patient_confirmed_at__isnull=True, origin="form")
        )

    def open(self):
        """Requests the front desk still has to work: new, contacted or scheduled."""
        return self.filter(status__in=[Status.NEW, Status.CONTACTED, Status.SCHEDULED])

    def to_do(self, now=None):
        """The front desk's worklist: new and contacted requests, except those waiting for a
        call-back time still to come. Passed appointments are not here: see to_close."""
        return self.filter(to_do_condition(now or timezone.now()))

    def to_close(self, now=None):
        """Scheduled requests whose appointment has passed: close them, or book again."""
        return self.filter(to_close_condition(now or timezone.now()))

    def overdue(self, now=None):
        """Patients waiting past the clinic's promise for a first call."""
        return self.filter(overdue_condition(now or timezone.now()))

    def waiting(self, now=None):
        """Open requests off the worklist for now: a call-back time or an appointment to come."""
        now = now or timezone.now()
        return self.filter(
            Q(status__in=[Status.NEW, Status.CONTACTED], call_back_at__gt=now)
            | Q(status=Status.SCHEDULED, appointment_at__gt=now)
        )

    def with_next_step(self):
        """Annotates `next_step_at`: when the request next needs the front desk (its appointment,
        its call-back time, or the clinic's promise while nobody has tried to reach the patient);
        empty for a request with none of these. The worklist is in WORKLIST_ORDER: patients
        waiting for a first call first, soonest due first."""
        return self.annotate(next_step_at=NEXT_STEP_AT)

    def worklist_counts(self, now=None) -> dict:
        """Overdue now (patients waiting past the promise), due later today, received today (the
        clinic's day) and appointments to close: one query."""
        now = now or timezone.now()
        start, end = clinic_day(now)
        return self.aggregate(
            overdue=models.Count("pk", filter=overdue_condition(now)),
            due_today=models.Count("pk", filter=FIRST_CALL & Q(answer_due_at__gt=now, answer_due_at__lt=end)),
            new_today=models.Count("pk", filter=Q(received_at__gte=start, received_at__lt=end)),
            to_close=models.Count("pk", filter=to_close_condition(now)),
        )

    def possible_duplicates_of(self, appointment):
        """Other requests with the same e-mail (any case) or phone, received within 30 days."""
        window = DUPLICATE_WINDOW
        return self.filter(
            Q(email__iexact=appointment.email) | Q(phone=appointment.phone),
            received_at__gte=appointment.received_at - window,
            received_at__lte=appointment.received_at + window,
        ).exclude(pk=appointment.pk)

    def with_duplicate_flag(self):
        """Annotates `has_possible_duplicate` in the same query (no query per row). A request
        merged into another (closed as its duplicate) is flagged no more, nor counted against
        the one it was merged into."""
        window = DUPLICATE_WINDOW
        others = AppointmentRequest.objects.filter(
            Q(email__iexact=models.OuterRef("email")) | Q(phone=models.OuterRef("phone")),
            received_at__gte=models.OuterRef("received_at") - window,
            received_at__lte=models.OuterRef("received_at") + window,
            duplicate_of__isnull=True,
        ).exclude(pk=models.OuterRef("pk"))
        merged = Q(duplicate_of__isnull=False)
        return self.annotate(
            has_possible_duplicate=models.Case(
                models.When(merged, then=models.Value(False)),
                default=models.Exists(others),
                output_field=models.BooleanField(),
            )
        )

    def past_retention(self, days: int):
        """Finished requests (closed or declined) received more than `days` days ago, and those
        whose appointment was more than `days` days ago (their bookings go with them)."""
        cutoff = timezone.now() - timezone.timedelta(days=days)
        finished = [Status.CLOSED, Status.DECLINED]
        visited = Q(status=Status.SCHEDULED, appointment_at__lt=cutoff, received_at__lt=cutoff)
        return self.filter(Q(status__in=finished, received_at__lt=cutoff) | visited)


class AppointmentRequest(models.Model):
    """A patient's request to be contacted about an appointment.

    What the patient typed is kept as sent (read-only for staff); the front desk moves the request
    through its status and keeps notes. Notification timestamps stay empty until the mail went out,
    so a request is never lost when the mail server is down.
    """

    # The choices live at module level so that Meta's constraints can name their values.
    ContactPreference = ContactPreference
    Status = Status

    class Origin(models.TextChoices):
        FORM = "form", _("The request form")
        BOOKING = "booking", _("Booked online")
        PHONE = "phone", _("Booked by the front desk")

    class Purpose(models.TextChoices):
        CONSULTATION = "consultation", _("Schedule a consultation")
        QUESTION = "question", _("Ask a question")
        OTHER = "other", _("Other")

    # What the patient sent.
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True, editable=False)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    city = models.CharField(_("city"), max_length=100)
    state = StateField(_("state"))
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
    call_language = models.CharField(
        _("language for the call"), max_length=10, choices=call_language_choices, default=first_language
    )
    call_language_other = models.CharField(_("which language"), max_length=60, blank=True)
    # The language of the pages the request was sent from: everything the site sends the patient
    # is written in it (the confirmation, the staff's e-mails, the newsletter).
    language = models.CharField(
        _("language of the site"), max_length=10, choices=site_languages, default=first_language, editable=False
    )
    # A request from the form asks to be contacted; one that came with a booking (online, or a
    # caller booked by phone) has its time already, and its e-mails are the booking's.
    origin = models.CharField(_("came from"), max_length=10, choices=Origin, default=Origin.FORM, editable=False)
    # One per rendering of the form: a second press of Send, or a resent POST, finds it taken.
    submission_token = models.UUIDField(unique=True, editable=False)
    sent_quickly = models.BooleanField(
        _("sent very quickly"),
        default=False,
        editable=False,
        help_text=_(
            "Sent within seconds of the form appearing: a browser's autofill does that, and so do some "
            "automated senders. Check it before calling."
        ),
    )

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
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        limit_choices_to={"is_staff": True, "is_active": True},
    )
    first_contacted_at = models.DateTimeField(_("first contact attempt"), null=True, blank=True, editable=False)
    # The clinic's promise when the request arrived (response_time.py): kept, so the worklist can
    # sort by it and the dashboard count against it in the database. Empty: no hours were known.
    answer_due_at = models.DateTimeField(_("answer due"), null=True, blank=True, editable=False, db_index=True)
    appointment_at = models.DateTimeField(
        _("appointment"),
        null=True,
        blank=True,
        help_text=_("The date and time booked. Required to mark the request scheduled."),
    )
    # From the latest contact attempt that set one: the request leaves the worklist until then.
    call_back_at = models.DateTimeField(_("call back at"), null=True, blank=True, editable=False)
    # Raised by every change staff make (services.py): a save made on an older page is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    changed_at = models.DateTimeField(_("last changed"), null=True, blank=True, editable=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        help_text=_("Choose the request this one repeats: it is then closed, and the other kept."),
    )

    # Notifications: empty until sent. Attempts and the last problem say why one is still pending.
    staff_notified_at = models.DateTimeField(_("staff alerted"), null=True, blank=True, editable=False)
    patient_confirmed_at = models.DateTimeField(_("patient confirmation sent"), null=True, blank=True, editable=False)
    notification_attempts = models.PositiveSmallIntegerField(_("sending attempts"), default=0, editable=False)
    notification_problem = models.CharField(_("last sending problem"), max_length=200, blank=True, editable=False)
    # While set and in the future, one worker is sending this request's mail (notifications.py):
    # others leave it alone; a worker that died leaves a lease that simply runs out.
    notification_lease_until = models.DateTimeField(null=True, blank=True, editable=False)

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
        "call_language",
        "call_language_other",
    ]

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("appointment request")
        verbose_name_plural = _("appointment requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(contact_preference__in=ContactPreference.values),
                name="appointment_contact_preference_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="appointment_status_valid",
            ),
        ]

    def __str__(self):
        # By number and date only: this is what titles, messages, logs and the audit trail show, and
        # none of them may carry the patient's name.
        if self.pk is None:
            return str(_("New appointment request"))
        received = timezone.localtime(self.received_at)
        return _("Request #%(number)s, %(date)s") % {"number": self.pk, "date": f"{received:%-d %b %Y}"}

    def get_constraints(self):
        # What full_clean checks in Python. The check constraints only repeat the choices of
        # contact_preference and status, which clean_fields has already checked; for each,
        # Django would build a query and ask the database again. The database still enforces them.
        repeats_choices = {"appointment_contact_preference_valid", "appointment_status_valid"}
        return [
            (model, [constraint for constraint in constraints if constraint.name not in repeats_choices])
            for model, constraints in super().get_constraints()
        ]

    def get_admin_url(self):
        return reverse("admin:appointments_appointmentrequest_change", args=[self.pk])

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    def clean(self):
        super().clean()
        self.call_language_other = self.call_language_other.strip() if self.call_language == OTHER_LANGUAGE else ""
        if self.call_language == OTHER_LANGUAGE and not self.call_language_other:
            raise ValidationError({"call_language_other": _("Type the language you would like us to call you in.")})

    @property
    def call_language_name(self) -> str:
        """The language for the call as the front desk reads it: "Spanish", or what the patient typed."""
        if self.call_language == OTHER_LANGUAGE:
            return self.call_language_other
        return self.get_call_language_display()

    @property
    def interpreter_note(self) -> str:
        """For the front desk: empty when the patient asked for the site's first language."""
        if self.call_language == settings.LANGUAGE_CODE:
            return ""
        return _("Prefers %(language)s: call with an interpreter if needed.") % {"language": self.call_language_name}

    @property
    def wants_email_confirmation(self):
        """The request form's "we will contact you" e-mail: a booking sends its own confirmation."""
        return self.contact_preference == self.ContactPreference.EMAIL and self.origin == self.Origin.FORM

    @property
    def notification_is_pending(self):
        return self.staff_notified_at is None or (self.wants_email_confirmation and self.patient_confirmed_at is None)

    def patient_fields_failing_today(self) -> list[tuple[str, str]]:
        """(field's name, the rule it fails) for each thing the patient sent that today's checks
        refuse: the request stays workable, and staff see what to confirm with the patient."""
        names = {field.name for field in self._meta.concrete_fields}
        try:
            self.clean_fields(exclude=sorted(names - set(self.PATIENT_FIELDS)))
        except ValidationError as refused:
            return [
                (str(self._meta.get_field(name).verbose_name), " ".join(str(message) for message in messages))
                for name, messages in refused.message_dict.items()
            ]
        return []


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    TEXT = "text", _("Text message")
    ONLINE = "online", _("Online, by the patient")


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    VOICEMAIL = "voicemail", _("Left a voicemail")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    SENT = "sent", _("Message sent")
    BOOKED = "booked", _("Booked a time")
    MOVED = "moved", _("Moved the booking")
    CANCELLED = "cancelled", _("Cancelled the booking")


class ContactAttempt(models.Model):
    """One attempt by the front desk to reach the patient about a request. Attempts are added,
    never edited: the log shows every call, who made it, when, and what happened."""

    Method = ContactMethod
    Outcome = ContactOutcome

    request = models.ForeignKey(
        AppointmentRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="contact_attempts"
    )
    made_at = models.DateTimeField(_("when"), default=timezone.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    method = models.CharField(_("how"), max_length=10, choices=ContactMethod, default=ContactMethod.PHONE)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ContactOutcome)
    note = models.CharField(_("note"), max_length=300, blank=True)
    call_back_at = models.DateTimeField(
        _("call back at"),
        null=True,
        blank=True,
        help_text=_("When to try again: the request leaves the worklist until then."),
    )

    class Meta:
        ordering = ["made_at", "pk"]
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact log")
        constraints = [
            models.CheckConstraint(condition=Q(method__in=ContactMethod.values), name="contact_attempt_method_valid"),
            models.CheckConstraint(
                condition=Q(outcome__in=ContactOutcome.values), name="contact_attempt_outcome_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_method_display()}: {self.get_outcome_display()}"


# Django finds an app's models in its models module; page ratings keep theirs in their own package.
from .ratings.models import PageComment, PageRating, RatedPage  # noqa: E402, F401


class QueueView(models.Model):
    """A member of staff looked at the request queue (or searched it): part of the audit trail.
    The requests shown are kept by number; the words of a search never are."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    searched = models.BooleanField(_("a search"), default=False)
    exported = models.CharField(
        _("export"), max_length=40, blank=True, help_text=_("Which file, when the requests were exported.")
    )
    shown = models.JSONField(_("requests shown (numbers)"), default=list)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("view of the request queue")
        verbose_name_plural = _("views of the request queue")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user}"


class WorkerHeartbeat(models.Model):
    """When a background worker last ran its heartbeat task (appointments.tasks.worker_heartbeat):
    one row, read by /healthz on every server."""

    beat_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        verbose_name = _("worker heartbeat")

    def __str__(self):
        return f"{self.beat_at:%Y-%m-%d %H:%M:%S}"


class MessageTemplate(models.Model):
    """An e-mail the front desk sends a patient from a request's page. The clinic writes them in
    the admin; the site fills in the patient's first name, the appointment and the clinic's
    details, and never adds anything medical."""

    PLACEHOLDERS = {
        "first_name": _("the patient's first name"),
        "appointment": _("the appointment's day and time"),
        "clinic_name": _("the clinic's name"),
        "clinic_phone": _("the clinic's phone number"),
        "clinic_address": _("the clinic's address"),
    }

    name = models.CharField(_("name"), max_length=100, help_text=_("What staff choose from."))
    # Staff choose a template in the site's first language; the patient gets its version in the
    # language of their request (translation_of names the template a version translates).
    language = models.CharField(_("language"), max_length=10, choices=site_languages, default=first_language)
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="translations",
        limit_choices_to={"translation_of__isnull": True},
        help_text=_("The e-mail in the site's first language that this one translates. Empty for that one."),
    )
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("text"))
    confirms_appointment = models.BooleanField(
        _("confirms an appointment"),
        default=False,
        help_text=_(
            "Sent with a calendar file (.ics) when staff record an appointment; it can only be sent once one is."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("e-mail to patients")
        verbose_name_plural = _("e-mails to patients")
        constraints = [
            models.UniqueConstraint(fields=["language", "name"], name="message_template_name_per_language"),
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                name="message_template_one_translation_per_language",
                violation_error_message=_("This e-mail already has a version in this language."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if (self.translation_of_id is None) != (self.language == settings.LANGUAGE_CODE):
            raise ValidationError(
                {"translation_of": _("A version in another language names the e-mail it translates; only those do.")}
            )

    def version_in(self, language: str) -> "MessageTemplate | None":
        """This e-mail as a patient who wrote in `language` reads it, or None while nobody wrote it."""
        if self.language == language:
            return self
        return self.translations.filter(language=language).first()


class PatientMessage(models.Model):
    """One e-mail to a patient, written when staff send it (with its contact-log entry, in one
    transaction) and sent once by the worker: `sent_at` is set the moment the mail server
    accepts it, so a retry or a second worker never sends it again."""

    request = models.ForeignKey(AppointmentRequest, on_delete=models.CASCADE, related_name="messages")
    template = models.ForeignKey(MessageTemplate, null=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)  # with a calendar file
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sending_until = models.DateTimeField(null=True, blank=True)  # a worker's lease, as for notifications
    attempts = models.PositiveSmallIntegerField(default=0)
    problem = models.CharField(_("last sending problem"), max_length=200, blank=True)

    class Meta:
        ordering = ["queued_at", "pk"]
        verbose_name = _("e-mail sent to the patient")
        verbose_name_plural = _("e-mails sent to the patient")

    def __str__(self):
        return self.subject


# Online booking keeps its models in its own package, as page ratings and the newsletter do.
from .booking.models import (  # noqa: E402, F401
    Booking,
    BookingMessage,
    Clinician,
    ExtraHours,
    TimeOff,
    VisitType,
    VisitTypeWords,
    WaitingListEntry,
    WorkingHours,
)

# The newsletter keeps its models in its own package, as page ratings do.
from .newsletter.models import (  # noqa: E402, F401
    ConsentEvent,
    ConsentWording,
    NewsletterDelivery,
    NewsletterIssue,
    Subscriber,
    SuppressedAddress,
)


class PrivacyRecord(models.Model):
    """The audit trail of privacy requests: a member of staff searched for a person's data,
    exported it, or erased it. What was searched for is never kept, nor anything of the person:
    only who, when, from where, and how many rows of each kind."""

    class Action(models.TextChoices):
        SEARCH = "search", _("searched")
        EXPORT = "export", _("exported")
        ERASE = "erase", _("erased")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )  # fmt: skip
    address = models.GenericIPAddressField(_("from"), null=True, blank=True, editable=False)
    action = models.CharField(_("what"), max_length=10, choices=Action, editable=False)
    rows = models.JSONField(_("rows (how many of each kind)"), default=dict, editable=False)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("privacy request record")
        verbose_name_plural = _("privacy request records")
        permissions = [("handle_privacy_requests", "Can find, export and erase a person's data")]

    def __str__(self):
        return f"{self.get_action_display()} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"
