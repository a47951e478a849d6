"""The patient's details for a booking: the request form's own fields, checks and messages
(appointments.forms), without what a booking already says (the treatment, the purpose)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..forms import HONEYPOT_FIELD, AppointmentRequestForm, issue_form_token, read_form_token, side_by_side

# What the booking form leaves out of the request form: the visit type says what it is for.
NOT_ASKED = ["purpose", "treatment"]


class BookingDetailsForm(AppointmentRequestForm):
    """The same details, validation and error summary as the request form."""

    submit_label = _("Book this time")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in NOT_ASKED:
            del self.fields[name]

    @cached_property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
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
            "comments",
            Div(Field(HONEYPOT_FIELD, autocomplete="off", tabindex="-1"), css_class="honeypot", aria_hidden="true"),
            "form_token",
            Submit("book", self.submit_label, css_class="button"),
        )
        return helper

    def clean_treatment(self):
        return None

    def details(self) -> dict:
        """The cleaned values as the booking service stores them on the request."""
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields if name not in NOT_ASKED}
        data["submission_token"] = self.cleaned_data["form_token"]
        data["sent_quickly"] = self.sent_quickly()
        data["language"] = get_language()  # the pages' language: what the site writes back in
        return data


class WaitingListForm(forms.Form):
    """Asking to be told when a time comes free: a first name and an e-mail address, no more."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": _("Enter your first name.")},
    )
    email = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address like name@example.com."),
        },
    )
    form_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", issue_form_token())

    def clean_form_token(self):
        token = read_form_token(self.cleaned_data["form_token"])
        if token is None:
            raise forms.ValidationError(_("This form could not be checked. Please send it again."))
        return token[0]

    @cached_property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = Layout(
            side_by_side("first_name", "email"), "form_token", Submit("join", _("Tell me when a time is free"))
        )
        return helper

    def error_links(self):
        return [(self[name].auto_id if name in self.fields else "", message)
                for name, messages in self.errors.items() for message in messages]  # fmt: skip
