"""Staff sign-in with a second factor (django-otp): a password, then a six-digit code from an
authenticator app (TOTP), or one of the recovery codes given at enrolment.

- Every staff account needs the second factor: the admin site lets in only a verified session.
- A member of staff without a device yet signs in with the password alone, and is taken straight
  to enrolment (a QR code for their app, then one code to confirm it, then their recovery codes);
  nothing else of the admin opens until that is done.
- `manage.py reset_two_factor <username>` removes a lost device; the next sign-in enrols again.
- Because a password alone no longer opens the admin, django-axes locks on the username and the
  address together: wrong passwords from one address lock that address for that account, and the
  real user still signs in from elsewhere.
"""

import base64

import segno
from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxLengthValidator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10


class StaffSignInForm(AdminAuthenticationForm):
    """Username, password and, for an account with a device, its code (or a recovery code).

    Django's admin form shows the username's maximum length but does not check it; an over-long
    one reached authentication and django-axes failed to record it (a 500). Here it is an error."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=16,
        help_text=_(
            "Six digits, or one of your recovery codes. Leave empty only when you sign in for the first time."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "aria-describedby": "id_otp_token_helptext",
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
        field.error_messages["max_length"] = _("A username has at most %(limit_value)d characters.")

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and user_has_device(user):
            token = (cleaned.get("otp_token") or "").replace(" ", "")
            if not token:
                raise forms.ValidationError(_("Enter the code from your authenticator app, or a recovery code."))
            # Each of the user's devices in turn (the app, then the recovery codes); each device
            # slows down guessing by itself (django-otp's throttling).
            device = match_token(user, token)
            if device is None:
                raise forms.ValidationError(
                    _("That code is not right. Codes change every 30 seconds: please try the current one.")
                )
            user.otp_device = device
        return cleaned


class StaffAdminSite(admin.AdminSite):
    """The admin site, open only to a session verified by a second factor."""

    login_form = StaffSignInForm
    login_template = "admin/staff_login.html"

    def has_permission(self, request):
        return super().has_permission(request) and request.user.is_verified()

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        user = request.user  # after a sign-in, the user the form checked (with the device it used)
        if not (user.is_authenticated and user.is_staff):
            return response
        if getattr(user, "otp_device", None) is not None:
            otp_login(request, user.otp_device)  # the code was checked: this session is verified
        elif not user_has_device(user):
            return redirect("admin:two_factor_setup")  # first sign-in: enrol before anything else
        return response

    def get_urls(self):
        setup = path("two-factor/", login_required(never_cache(two_factor_setup), login_url="admin:login"),
                     name="two_factor_setup")  # fmt: skip
        return [setup, *super().get_urls()]


class ConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown by your app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _qr(device: TOTPDevice) -> str:
    return mark_safe(
        segno.make(device.config_url, error="m").svg_inline(scale=4, title=str(_("QR code for your app")))
    )


def two_factor_setup(request):
    """Enrolment: an authenticator app for this member of staff, confirmed by one code, then the
    recovery codes, shown once."""
    user = request.user
    if not user.is_staff:
        return redirect("admin:login")
    if user_has_device(user):  # already enrolled: a lost device is reset with manage.py reset_two_factor
        return redirect("admin:index")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=False
    )
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            device.confirmed = True
            device.save()
            recovery = StaticDevice.objects.create(user=user, name="Recovery codes")
            codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
            recovery.token_set.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
            otp_login(request, device)
            return render(
                request, "admin/two_factor_done.html", {"codes": codes, "title": _("Save your recovery codes")}
            )
        form.add_error("code", _("That code is not right. Codes change every 30 seconds: please try the current one."))
    key = base64.b32encode(device.bin_key).decode()
    context = {
        **admin.site.each_context(request),
        "form": form,
        "qr": _qr(device),
        "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        "title": _("Set up your second sign-in step"),
    }
    return render(request, "admin/two_factor_setup.html", context)
