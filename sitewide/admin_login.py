"""The staff sign-in form: Django's, with the username's length checked before anyone tries it.

Django's admin sign-in form shows the username's maximum length to the browser but does not
check it, so an over-long one reached authentication, and django-axes then failed to record the
attempt (its column holds 255 characters): a 500. Here it is a plain form error."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class StaffSignInForm(AdminAuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
        field.error_messages["max_length"] = _("A username has at most %(limit_value)d characters.")
