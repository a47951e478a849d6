from django import forms
from django.utils.translation import gettext_lazy as _

from .services import SIGN_UP_ONLY_HELP

HONEYPOT_FIELD = "website"


class SignUpForm(forms.Form):
    """The sign-up form on the home page and on its own page: an address, nothing more."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=SIGN_UP_ONLY_HELP,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address like name@example.com."),
        },
    )
    # Invisible to people and screen readers (see the template); bots that fill every field fill it.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def looks_automated(self) -> bool:
        return bool(str(self.data.get(HONEYPOT_FIELD, "")).strip())
