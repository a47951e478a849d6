"""The admin's "Privacy requests" page (appointments.privacy does the work). Everything goes by
POST: what staff type is never in an address, and each answer is `no-store`."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from treatments.context_processors import clinic_for_pages

from . import privacy
from .models import PrivacyRecord

PERMISSION = "appointments.handle_privacy_requests"


class PersonForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.CharField(label=_("Phone number"), required=False, max_length=40)
    confirm_erase = forms.BooleanField(
        label=_("I have checked that this is the person who asked, and that nothing here must be kept."),
        required=False,
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and privacy.phone_number(phone) is None:
            raise forms.ValidationError(
                _(
                    "Enter the whole phone number with its area code, like (212) 555-0181: a part of a number "
                    "could be someone else's, so nothing is searched, exported or erased by it. (To find a "
                    "request by part of a number, use the worklist's search.)"
                )
            )
        return phone

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("email") or cleaned.get("phone")):
            raise forms.ValidationError(_("Enter an e-mail address, a phone number, or both."))
        return cleaned


def privacy_requests(request, admin_site):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    form = PersonForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        found = privacy.find(email=form.cleaned_data["email"], phone=form.cleaned_data["phone"])
        action = request.POST.get("action", "search")
        if action in ("export", "erase") and not found.anything:
            form.add_error(None, _("Nothing matches this address or number, so nothing was exported or erased."))
            action = "search"
        if action == "export":
            privacy.record(request, PrivacyRecord.Action.EXPORT, found)
            response = HttpResponse(privacy.export_file(found, clinic_for_pages()), content_type="application/zip")
            name = f"personal-data-{timezone.localtime():%Y-%m-%d-%H%M}.zip"  # nothing of the person
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            add_never_cache_headers(response)
            return response
        if action == "erase":
            if not form.cleaned_data["confirm_erase"]:
                form.add_error("confirm_erase", _("Tick this box to erase: nothing was erased."))
            else:
                privacy.erase(found)
                privacy.record(request, PrivacyRecord.Action.ERASE, found)
                done = ", ".join(found.in_words(only_found=True)) or _("nothing")
                messages.success(request, _("Erased: %s. The address is on the suppression list.") % done)
                return redirect("privacy_requests")
        else:
            privacy.record(request, PrivacyRecord.Action.SEARCH, found)
    context = {
        **admin_site.each_context(request),
        "title": _("Privacy requests"),
        "form": form,
        "found": found,
        "data": privacy.as_data(found) if found is not None else None,
    }
    response = TemplateResponse(request, "admin/privacy/find.html", context)
    add_never_cache_headers(response)
    return response
