import time
import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core import signing
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from localflavor.us.forms import USStateSelect
from phonenumber_field.formfields import PhoneNumberField
from phonenumbers import region_code_for_number

from treatments.models import Treatment
from treatments.selectors import published_treatments

from .models import COMMENTS_MAX_LENGTH, OTHER_LANGUAGE, AppointmentRequest
from .newsletter.services import SIGN_UP_HELP, SIGN_UP_LABEL

FORM_TOKEN_SALT = "appointments.request-form"
HONEYPOT_FIELD = "website"


def issue_form_token(issued_at: float | None = None) -> str:
    """A signed, one-time identity for one rendering of the form, stamped with when it was shown."""
    issued_at = time.time() if issued_at is None else issued_at
    return signing.dumps({"id": uuid.uuid4().hex, "at": int(issued_at)}, salt=FORM_TOKEN_SALT, compress=True)


def read_form_token(value: str) -> tuple[uuid.UUID, float] | None:
    """The token's id and age in seconds, or None when it was not issued by this site."""
    try:
        payload = signing.loads(value or "", salt=FORM_TOKEN_SALT)
        return uuid.UUID(payload["id"]), time.time() - float(payload["at"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def side_by_side(*fields):
    """Fields in one row on wide screens, stacked on phones (see .field-row in site.css)."""
    return Div(*fields, css_class="field-row")


class AppointmentRequestForm(forms.ModelForm):
    """The patient's appointment request, as in the clinic's paper form."""

    phone = PhoneNumberField(
        label=_("Phone"),
        region="US",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("A US number with its area code. We can only call US numbers."),
        error_messages={"invalid": _("Enter a US phone number with its area code, like (212) 679-9667.")},
    )
    # Offered from the published treatments kept in the shared cache (see __init__): no query.
    treatment = forms.ChoiceField(label=_("Treatment you are asking about"), required=False)
    form_token = forms.CharField(widget=forms.HiddenInput)
    # Invisible to people and screen readers (see the template); bots that fill every field fill it.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    class Meta:
        model = AppointmentRequest
        # The treatment is the declared field above, chosen from the published treatments; left
        # out here, the model's own check does not ask the database for it a second time.
        fields = [name for name in AppointmentRequest.PATIENT_FIELDS if name != "treatment"]
        labels = {
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "city": _("City"),
            "state": _("State"),
            "email": _("E-mail"),
            "contact_preference": _("Please contact me by"),
            "newsletter": SIGN_UP_LABEL,
            "purpose": _("I would like to"),
            "comments": _("Your comments"),
            "call_language": _("Language for the call"),
            "call_language_other": _("Which language?"),
        }
        help_texts = {
            "call_language_other": _("If you chose another language: we will find an interpreter if we can."),
            "newsletter": SIGN_UP_HELP,
            "comments": _(
                "For example, the days and times that suit you best. Please do not describe symptoms or "
                "medical details here."
            ),
        }
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "state": USStateSelect(attrs={"autocomplete": "address-level1"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_preference": forms.RadioSelect,
            "purpose": forms.RadioSelect,
            "call_language": forms.RadioSelect,
            "call_language_other": forms.TextInput(attrs={"autocomplete": "language"}),
            "comments": forms.Textarea(attrs={"rows": 4, "maxlength": COMMENTS_MAX_LENGTH}),
        }
        error_messages = {
            "first_name": {"required": _("Enter your first name.")},
            "last_name": {"required": _("Enter your last name.")},
            "city": {"required": _("Enter your city.")},
            "state": {"required": _("Choose your state."), "invalid_choice": _("Choose your state from the list.")},
            "email": {
                "required": _("Enter your e-mail address."),
                "invalid": _("Enter an e-mail address like name@example.com."),
            },
            "contact_preference": {"required": _("Choose how we should contact you: by e-mail or by phone.")},
            "call_language": {"required": _("Choose the language you would like us to call you in.")},
            "comments": {"max_length": _("Please keep your comments to %(limit_value)d characters or fewer.")},
        }

    def __init__(self, *args, treatments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].error_messages["required"] = _("Enter your phone number.")
        self.fields["state"].choices = [("", _("Choose a state")), *list(self.fields["state"].choices)[1:]]
        self.fields["contact_preference"].choices = AppointmentRequest.ContactPreference.choices
        self.fields["purpose"].choices = AppointmentRequest.Purpose.choices
        self.fields["purpose"].required = False
        # Each language by its own name, as patients look for it ("Español"); another one, typed.
        self.fields["call_language"].choices = [*settings.LANGUAGES, (OTHER_LANGUAGE, _("Another language"))]
        self.treatments = published_treatments() if treatments is None else treatments
        self.fields["treatment"].choices = [
            ("", _("Not sure, or something else")),
            *((slug, treatment.name) for slug, treatment in self.treatments.items()),
        ]
        if not self.is_bound:
            self.initial.setdefault("form_token", issue_form_token())
            self.initial.setdefault("call_language", get_language())

    @classmethod
    def while_database_is_down(cls, data=None) -> "AppointmentRequestForm":
        """The form as it was sent, to show again while the database cannot be reached: unbound
        (no error is claimed), filled with what the patient typed, and offering only the
        treatment they chose (the list of treatments lives in the database)."""
        initial = {name: data.get(name) for name in data} if data is not None else {}
        chosen = initial.get("treatment", "")
        offered = {chosen: Treatment(slug=chosen, name=chosen.replace("-", " ").capitalize())} if chosen else {}
        return cls(initial=initial, treatments=offered)

    @cached_property
    def helper(self) -> FormHelper:
        """How crispy-forms lays the form out: built when the form is shown, not for every post."""
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True  # the template's <form> carries the token
        helper.layout = Layout(
            HTML('<p class="required-note">{% load i18n %}{% translate "* Denotes a required field" %}</p>'),
            Fieldset(
                _("Your details"),
                side_by_side("first_name", "last_name"),
                side_by_side("city", "state"),
                side_by_side("email", "phone"),
            ),
            "contact_preference",
            "call_language",
            "call_language_other",
            "newsletter",
            "purpose",
            "treatment",
            "comments",
            Div(Field(HONEYPOT_FIELD, autocomplete="off", tabindex="-1"), css_class="honeypot", aria_hidden="true"),
            "form_token",
            Submit("send", _("Send request"), css_class="button"),
        )
        return helper

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary: each links to its field (a group's first option)."""
        links = []
        for field in self:
            for message in field.errors:
                if field.is_hidden:
                    links.append(("", message))
                elif isinstance(field.field.widget, forms.RadioSelect):
                    links.append((f"{field.auto_id}_0", message))
                else:
                    links.append((field.auto_id, message))
        links.extend(("", message) for message in self.non_field_errors())
        return links

    def clean_phone(self):
        """Only US numbers: the clinic calls from New York and the form asks for a US state. A
        number from elsewhere is refused with the reason and what to do instead."""
        phone = self.cleaned_data["phone"]
        if phone and region_code_for_number(phone) != "US":
            raise forms.ValidationError(
                _(
                    "We can only call US phone numbers, and this one is not. If you have no US number, "
                    "please e-mail us instead: our address is at the foot of this page."
                )
            )
        return phone

    def clean_treatment(self) -> Treatment | None:
        """The treatment chosen, as the front desk knows it: a translation stands for its original."""
        chosen = self.treatments.get(self.cleaned_data["treatment"])
        return chosen.translation_of if chosen is not None and chosen.translation_of_id else chosen

    def clean_form_token(self):
        token = read_form_token(self.cleaned_data["form_token"])
        if token is None:
            raise forms.ValidationError(_("This form could not be checked. Please send it again."))
        return token[0]

    def looks_automated(self) -> bool:
        """True for a bot: the hidden field filled in. Nothing else marks one: a person whose
        browser fills the form for them may send it within seconds (see `sent_quickly`)."""
        return bool(str(self.data.get(HONEYPOT_FIELD, "")).strip())

    def sent_quickly(self) -> bool:
        """Sent faster than a person types: stored all the same, and flagged for staff."""
        token = read_form_token(str(self.data.get("form_token", "")))
        return token is not None and token[1] < settings.APPOINTMENT_MIN_FILL_SECONDS

    def submission(self) -> dict:
        """The cleaned values as the keyword arguments of `appointment_request_create`."""
        data = {name: self.cleaned_data[name] for name in AppointmentRequest.PATIENT_FIELDS}
        data["purpose"] = data["purpose"] or ""
        data["submission_token"] = self.cleaned_data["form_token"]
        data["sent_quickly"] = self.sent_quickly()
        data["language"] = get_language()  # the pages' language: what the site writes back in
        return data
