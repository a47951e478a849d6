"""The newsletter: who asked for it and confirmed, the record of their consent, the addresses
never to mail again, and each issue with one delivery row per recipient.

Subscribers stand apart from appointment requests: a request's retention (purge_requests) never
touches consent records or the suppression list, and a subscriber needs no request."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treatments.models.languages import first_language, site_languages


class Source(models.TextChoices):
    REQUEST_FORM = "request_form", _("appointment request form")
    SIGN_UP_FORM = "sign_up_form", _("newsletter sign-up form")


class Subscriber(models.Model):
    """An address that asked for the newsletter: pending until its owner confirms from the
    e-mail, then confirmed. Unsubscribing, a bounce or a complaint deletes the row; its consent
    record and the suppression list keep what must be kept, without the address."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for confirmation")
        CONFIRMED = "confirmed", _("confirmed")

    email = models.EmailField(_("e-mail"))
    address_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    source = models.CharField(_("signed up on"), max_length=20, choices=Source)
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    # The language of the page the address was given on: its e-mails and issues are in it.
    language = models.CharField(_("language"), max_length=10, choices=site_languages, default=first_language)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # The confirmation e-mail: queued, then sent (a second sign-up within the cool-down sends none).
    confirmation_sent_at = models.DateTimeField(_("confirmation e-mail sent"), null=True, blank=True)
    confirmation_sending_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-asked_at"]
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "confirmed"]), name="subscriber_status_valid"),
        ]

    def __str__(self):
        # Never the address: this shows in titles, messages and the admin's history.
        return _("Subscriber #%(number)s") % {"number": self.pk}


class ConsentWording(models.Model):
    """A version of the words a person was shown when they asked for or confirmed the newsletter.
    A new version is stored the first time different words are used."""

    digest = models.CharField(max_length=64, unique=True, editable=False)
    text = models.TextField(_("words shown"), editable=False)
    first_used_at = models.DateTimeField(_("first used"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-first_used_at"]
        verbose_name = _("consent wording")
        verbose_name_plural = _("consent wordings")

    def __str__(self):
        return _("Wording #%(number)s") % {"number": self.pk}


class ConsentEvent(models.Model):
    """One event in a person's consent, never edited: asked, confirmed, unsubscribed, bounced,
    complained. The address is kept as its keyed hash (addresses.address_hash), so the record
    outlives the subscriber and proves what happened to whoever shows the address again. An
    erasure removes the client address it came from (the only thing here about the person)."""

    class Kind(models.TextChoices):
        ASKED = "asked", _("asked to subscribe")
        CONFIRMED = "confirmed", _("confirmed")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
        BOUNCED = "bounced", _("bounced")
        COMPLAINED = "complained", _("complained (marked as spam)")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True, editable=False)
    kind = models.CharField(_("what"), max_length=20, choices=Kind, editable=False)
    address_hash = models.CharField(_("address (keyed hash)"), max_length=64, db_index=True, editable=False)
    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.SET_NULL, related_name="consent_events", editable=False
    )
    wording = models.ForeignKey(
        ConsentWording, verbose_name=_("words shown"), null=True, blank=True, on_delete=models.PROTECT, editable=False
    )
    source = models.CharField(_("where"), max_length=40, blank=True, editable=False)
    client_address = models.GenericIPAddressField(_("from (network address)"), null=True, blank=True, editable=False)
    issue = models.ForeignKey(
        "NewsletterIssue", verbose_name=_("issue"), null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["asked", "confirmed", "unsubscribed", "bounced", "complained"]),
                name="consent_event_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({timezone.localtime(self.at):%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("consent records are never edited")
        super().save(*args, **kwargs)


class SuppressedAddress(models.Model):
    """An address never to send the newsletter to again (until its owner signs up and confirms
    anew), kept as its keyed hash. No purge deletes these."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
        BOUNCED = "bounced", _("bounced")
        COMPLAINED = "complained", _("complained")
        ERASED = "erased", _("data erased on request")

    address_hash = models.CharField(max_length=64, unique=True, editable=False)
    reason = models.CharField(_("why"), max_length=20, choices=Reason, editable=False)
    at = models.DateTimeField(_("since"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppression list")

    def __str__(self):
        return f"{self.get_reason_display()} ({timezone.localtime(self.at):%Y-%m-%d})"


class NewsletterIssue(models.Model):
    """One newsletter, written in the admin. Once sending starts its words are fixed, and each
    recipient has a delivery row."""

    language = models.CharField(
        _("language"),
        max_length=10,
        choices=site_languages,
        default=first_language,
        help_text=_("Written in this language, it goes to the subscribers who signed up in it."),
    )
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Plain text, or Markdown: a blank line between paragraphs, **bold**, *italic*, "
            "[a link](https://...), lines starting with - for a list, # for a heading."
        ),
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )  # fmt: skip
    version = models.PositiveIntegerField(default=1, editable=False)
    changed_at = models.DateTimeField(_("last changed"), default=timezone.now, editable=False)
    send_started_at = models.DateTimeField(_("sending started"), null=True, blank=True, editable=False)
    send_started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")

    def __str__(self):
        return self.subject

    @property
    def sending_started(self) -> bool:
        return self.send_started_at is not None


class NewsletterDelivery(models.Model):
    """One issue to one subscriber. `waiting` until a worker claims it (`sending`, with a lease);
    `handed_over` is written just before the mail server is told the message is complete, and
    `sent` when it accepts it. A worker that dies before `handed_over` leaves a message the
    server never accepted: it is sent again. One that dies after it leaves `in_doubt`, which is
    never sent again: a patient is never mailed twice."""

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting")
        SENDING = "sending", _("being sent")
        HANDED_OVER = "handed_over", _("handed to the mail server")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        IN_DOUBT = "in_doubt", _("not known (the sender stopped while the mail server answered)")
        SKIPPED = "skipped", _("not sent (unsubscribed or suppressed meanwhile)")

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    address_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=State, default=State.WAITING, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)  # the site's pace counts these
    problem = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("newsletter delivery")
        verbose_name_plural = _("newsletter deliveries")
        constraints = [
            models.UniqueConstraint(fields=["issue", "address_hash"], name="newsletter_delivery_once_per_address"),
        ]

    def __str__(self):
        return f"{self.issue_id}/{self.pk}: {self.get_state_display()}"
