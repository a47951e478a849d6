"""The front desk's forms on a request: its page's own (checked against the version the
receptionist opened), a queue row's, a contact attempt and an e-mail to the patient."""

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from ..models import AppointmentRequest, ContactAttempt, MessageTemplate, Status
from ..patient_email import appointment_words
from ..services import STAFF_FIELDS, StaleRequest, appointment_request_lock

OPENED_SALT = "appointments.opened"


def person(user) -> str:
    if user is None:
        return str(_("nobody"))
    return user.get_full_name() or user.get_username()


class StaffChoiceField(forms.ModelChoiceField):
    """Front-desk staff by their full name."""

    def label_from_instance(self, user):
        return person(user)


def snapshot(appointment: AppointmentRequest) -> str:
    """What the receptionist opened, signed (so the page cannot claim another version): the
    version, and each staff field as it stood, for saying what changed if her save is refused."""
    return signing.dumps(
        {
            "version": appointment.version,
            "status": appointment.status,
            "assigned_to": appointment.assigned_to_id,
            "notes": state_of("staff_notes", appointment.staff_notes),
            "appointment_at": state_of("appointment_at", appointment.appointment_at),
            "duplicate_of": appointment.duplicate_of_id,
        },
        salt=OPENED_SALT,
        compress=True,
    )


def what_changed(opened: dict, current: AppointmentRequest) -> list[str]:
    """Each staff field changed since `opened`, in words (plain strings, ready to join)."""
    lines = []
    if opened["status"] != current.status:
        before = Status(opened["status"]).label if opened["status"] in Status.values else opened["status"]
        lines.append(_("status: %(before)s → %(after)s") % {"before": before, "after": current.get_status_display()})
    if opened["assigned_to"] != current.assigned_to_id:
        lines.append(_("assigned to: now %s") % person(current.assigned_to))
    if opened["notes"] != state_of("staff_notes", current.staff_notes):
        lines.append(str(_("staff notes changed")))
    if opened["appointment_at"] != state_of("appointment_at", current.appointment_at):
        lines.append(_("appointment: now %s") % appointment_words(current.appointment_at))
    if opened["duplicate_of"] != current.duplicate_of_id:
        lines.append(str(_("closed as a duplicate") if current.duplicate_of_id else _("no longer a duplicate")))
    return lines


OPENED_KEYS = {"staff_notes": "notes"}


def state_of(name: str, value):
    """A field's value as the opened snapshot records it."""
    if name == "staff_notes":
        return signing.base64_hmac("notes", value or "", "appointments.notes")
    if name == "appointment_at":
        return value.isoformat() if value else None
    if name in ("assigned_to", "duplicate_of"):
        return value.pk if value is not None else None
    return value


class VersionChecked(forms.ModelForm):
    """A form whose save is refused when the request changed since it was opened. The refusal
    says what changed and by whom; the receptionist's own entries stay in the form, now checked
    against the current version, so saving again applies them on purpose."""

    opened = forms.CharField(widget=forms.HiddenInput, required=False)
    stale_error_field = None  # where a refusal is shown: the whole form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.also_changed = set()
        if self.instance.pk is not None:
            self.initial["opened"] = snapshot(self.instance)

    def opened_state(self) -> dict | None:
        try:
            return signing.loads(self.data.get(self.add_prefix("opened"), ""), salt=OPENED_SALT)
        except signing.BadSignature:
            return None

    def clean(self):
        cleaned = super().clean()
        opened = self.opened_state()
        if opened is None:
            raise forms.ValidationError(_("This page is too old to save from. Please open the request again."))
        # Locked until the save commits (the admin saves in one transaction): no save slips between.
        try:
            appointment_request_lock(appointment=self.instance, opened_version=opened["version"])
        except StaleRequest as stale:
            self.refuse_stale(opened, stale.current)
            return cleaned
        cleaned["opened_version"] = opened["version"]
        return cleaned

    def refuse_stale(self, opened: dict, current: AppointmentRequest) -> None:
        """Says who changed the request, when and what (every field), and keeps her entries."""
        self.keep_only_her_changes(opened, current)
        changes = "; ".join(str(line) for line in what_changed(opened, current))
        when = timezone.localtime(current.changed_at) if current.changed_at else None
        self.add_error(
            self.stale_error_field,
            forms.ValidationError(
                _(
                    "Not saved: %(who)s changed request #%(number)s at %(when)s, after you opened it "
                    "(%(changes)s). What you entered is still here: check it against the request as it is "
                    "now, then save again."
                ),
                code="stale",
                params={
                    "who": person(current.changed_by),
                    "number": current.pk,
                    "when": f"{when:%-I:%M %p}" if when else "?",
                    "changes": changes or str(_("its contact log or e-mail state")),
                },
            ),
        )

    def keep_only_her_changes(self, opened: dict, current: AppointmentRequest) -> None:
        """After a refused save the form shows, for each field she left alone, the request as it
        is now (a colleague's change is not undone by saving again), and her own entries where
        she changed something; it is then checked against the current version."""
        data = self.data.copy()
        data[self.add_prefix("opened")] = snapshot(current)
        for name in set(self.fields) & set(STAFF_FIELDS):
            if self.add_prefix(name) not in data and name != "appointment_at":
                continue
            field, bound = self.fields[name], self[name]
            try:
                posted = field.clean(field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name)))
            except forms.ValidationError:
                continue  # what she typed is kept, and its error shown
            if state_of(name, posted) != opened[OPENED_KEYS.get(name, name)]:
                continue  # hers: kept
            value = getattr(current, name)
            if name == "appointment_at":
                local = timezone.localtime(value) if value else None
                data[f"{bound.html_name}_0"] = f"{local:%Y-%m-%d}" if local else ""
                data[f"{bound.html_name}_1"] = f"{local:%H:%M:%S}" if local else ""
            else:
                data[bound.html_name] = "" if value is None else str(getattr(value, "pk", value))
        self.data = data

    def staff_changes(self) -> dict:
        changed = set(self.changed_data) | self.also_changed
        return {name: self.cleaned_data[name] for name in STAFF_FIELDS if name in changed}


class RequestForm(VersionChecked):
    """A request's own fields. Its appointment is not typed in here: it is booked into a free
    time through the clinic's calendar ("Book a time"), which checks the hours and never
    double-books, and e-mails the patient the confirmation."""

    class Meta:
        model = AppointmentRequest
        fields = ["status", "assigned_to", "staff_notes", "duplicate_of"]

    def clean(self):
        cleaned = super().clean()
        scheduling = cleaned.get("status") == Status.SCHEDULED and "status" in self.changed_data
        if scheduling and self.instance.appointment_at is None:
            self.add_error("status", _("Book a time first (“Book a time”, above): that marks the request scheduled."))
        return cleaned


class QueueRowForm(VersionChecked):
    """A row of the queue: status and assignment, labelled with the request they change."""

    stale_error_field = "status"  # a row shows its fields' errors only

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"status": _("Status of request #%s"), "assigned_to": _("Request #%s assigned to")}
        for name, label in labels.items():
            if name in self.fields:
                widget = self.fields[name].widget
                getattr(widget, "widget", widget).attrs["aria-label"] = label % self.instance.pk
        # The queue shows only the editable columns of each row; the version rides with the status.
        self.fields["status"].widget = WithOpenedVersion(
            choices=self.fields["status"].choices,
            attrs=self.fields["status"].widget.attrs,
            opened_name=self.add_prefix("opened"),
            opened_value=self.data.get(self.add_prefix("opened")) if self.is_bound else snapshot(self.instance),
        )

    def clean(self):
        cleaned = super().clean()
        scheduling = cleaned.get("status") == Status.SCHEDULED and "status" in self.changed_data
        if scheduling and self.instance.appointment_at is None:
            self.add_error("status", _("Open the request and book a time: that marks it scheduled."))
        return cleaned


class WithOpenedVersion(forms.Select):
    def __init__(self, *args, opened_name, opened_value, **kwargs):
        super().__init__(*args, **kwargs)
        self.opened_name, self.opened_value = opened_name, opened_value

    def render(self, name, value, attrs=None, renderer=None):
        hidden = forms.HiddenInput().render(self.opened_name, self.opened_value, renderer=renderer)
        return super().render(name, value, attrs, renderer) + hidden


class ContactAttemptForm(forms.ModelForm):
    call_back_at = forms.DateTimeField(
        label=_("Call back at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Optional. The request leaves the worklist until then."),
    )

    class Meta:
        model = ContactAttempt
        fields = ["method", "outcome", "note", "call_back_at"]

    def clean_call_back_at(self):
        when = self.cleaned_data["call_back_at"]
        if when is not None and when <= timezone.now():
            raise forms.ValidationError(_("That time has passed. Choose a time to come."))
        return when


def missing_version(template, language: str) -> str:
    return _(
        "“%(name)s” has no %(language)s version yet, and this patient wrote to us in %(language)s: add one "
        "(E-mails to patients, “translation of” %(name)s), or contact the patient another way."
    ) % {"name": template.name, "language": get_language_info(language)["name"]}


class PatientEmailForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("E-mail the patient"),
        queryset=MessageTemplate.objects.filter(translation_of__isnull=True),
        empty_label=None,
        help_text=_("The clinic's own texts (E-mails to patients, in the admin). Nothing medical is added."),
    )

    def __init__(self, *args, appointment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.appointment = appointment

    def clean_template(self):
        template = self.cleaned_data["template"]
        if template.confirms_appointment and (self.appointment is None or self.appointment.appointment_at is None):
            raise forms.ValidationError(_("Record the appointment's date and time first: this e-mail confirms it."))
        if self.appointment is None:
            return template
        version = template.version_in(self.appointment.language)
        if version is None:
            raise forms.ValidationError(missing_version(template, self.appointment.language))
        return version
