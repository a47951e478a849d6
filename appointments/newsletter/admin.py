"""The newsletter in the admin: write an issue, preview it, send a test to yourself, then send it
to every confirmed subscriber, and follow how many were sent, failed and unsubscribed.

Subscribers' addresses are not listed here: staff need none of them to send an issue. A person's
own records are found, exported and erased from "Privacy requests" (appointments.privacy)."""

from csp.decorators import csp_update
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from treatments.admin import framed_by_the_admin, frames_allowed_here

from . import services
from .addresses import address_hash
from .mail import issue_message
from .models import NewsletterIssue, Subscriber, SuppressedAddress
from .selectors import COUNTS, issue_counts, recipients, with_counts
from .tasks import send_test


class IssueForm(forms.ModelForm):
    """Refuses a save when someone else saved the issue after it was opened: nobody's words are
    lost without their knowing."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = NewsletterIssue
        fields = ["language", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 20, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["opened_version"] = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        current = NewsletterIssue.objects.select_for_update().get(pk=self.instance.pk)
        if current.sending_started:
            raise forms.ValidationError(_("Not saved: this newsletter is being sent, so its words are fixed."))
        if cleaned.get("opened_version") != current.version:
            when = timezone.localtime(current.changed_at)
            raise forms.ValidationError(
                _(
                    "Not saved: someone saved this newsletter at %(when)s, after you opened it. Your words "
                    "are still below: copy them, open the newsletter again, and make your change there."
                )
                % {"when": f"{when:%-I:%M %p}"}
            )
        return cleaned


@admin.register(NewsletterIssue)
class NewsletterIssueAdmin(admin.ModelAdmin):
    form = IssueForm
    list_display = ["subject", "language", "created_at", "sending"]
    list_filter = ["language"]
    fields = ["language", "subject", "body", "opened_version"]
    change_form_template = "admin/appointments/newsletterissue/change_form.html"
    change_list_template = "admin/appointments/newsletterissue/change_list.html"

    @admin.display(description=_("sending"))
    def sending(self, issue):
        if not issue.sending_started:
            return _("Not sent yet")
        return _(
            "%(sent)s of %(recipients)s sent, %(failed)s failed, %(in_doubt)s not known, %(waiting)s waiting; "
            "%(unsubscribed)s unsubscribed"
        ) % {name: getattr(issue, name) for name in COUNTS}

    def get_queryset(self, request):
        return with_counts(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        return ["language", "subject", "body"] if obj is not None and obj.sending_started else []

    def get_fields(self, request, obj=None):
        return ["language", "subject", "body"] if obj is not None and obj.sending_started else self.fields

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.sending_started)

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
            obj.changed_at = timezone.now()
        else:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with transaction.atomic():  # the version check's lock holds until the save commits
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["numbers"] = issue_counts(obj) if obj.sending_started else None
            context["confirmed"] = recipients(obj.language).count()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "confirmed": recipients().count(),
            "pending": Subscriber.objects.filter(status=Subscriber.Status.PENDING).count(),
            "suppressed": SuppressedAddress.objects.count(),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        own = [
            path("<int:object_id>/preview/", self.admin_site.admin_view(self.preview_view), name="newsletter_preview"),
            path(
                "<int:object_id>/preview/html/",
                self.admin_site.admin_view(self.preview_html_view),
                name="newsletter_preview_html",
            ),
            path("<int:object_id>/test/", self.admin_site.admin_view(self.test_view), name="newsletter_test"),
            path("<int:object_id>/send/", self.admin_site.admin_view(self.send_view), name="newsletter_send"),
        ]
        return own + super().get_urls()

    def _issue(self, request, object_id, *, change=False) -> NewsletterIssue:
        issue = get_object_or_404(NewsletterIssue, pk=object_id)
        allowed = self.has_change_permission(request, issue) if change else self.has_view_permission(request, issue)
        if not allowed:
            raise PermissionDenied
        return issue

    def _page(self, request, issue, template, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": issue,
            "change_url": reverse("admin:appointments_newsletterissue_change", args=[issue.pk]),
            **context,
        }
        return TemplateResponse(request, f"admin/appointments/newsletterissue/{template}.html", context)

    def _preview_message(self, request, issue):
        """The issue as one subscriber gets it; its unsubscribe link stands for no real address."""
        return issue_message(issue, request.user.email or "staff@example.invalid", address_hash("preview"))

    def preview_view(self, request, object_id):
        """The issue as subscribers get it: the HTML at a phone's width and a laptop's, and the text."""
        issue = self._issue(request, object_id)
        message = self._preview_message(request, issue)
        response = self._page(
            request,
            issue,
            "preview",
            title=_("Preview of %s") % issue.subject,
            html_url=reverse("admin:newsletter_preview_html", args=[issue.pk]),
            text=message.body,
            headers={name: message.extra_headers.get(name, "") for name in ["From", "List-Unsubscribe"]},
        )
        return frames_allowed_here(request, response)

    def preview_html_view(self, request, object_id):
        html = self._preview_message(request, self._issue(request, object_id)).alternatives[0][0]
        response = HttpResponse(html)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
        # The e-mail's styles are inline, as mail programs need: this one page may use them.
        response = framed_by_the_admin(request, response)
        return csp_update({"style-src": ["'unsafe-inline'"]})(lambda request: response)(request)

    def test_view(self, request, object_id):
        if request.method != "POST":
            return redirect("admin:appointments_newsletterissue_change", object_id)
        issue = self._issue(request, object_id)
        if not request.user.email:
            messages.error(request, _("Your account has no e-mail address: add one to receive a test."))
        else:
            send_test.enqueue(issue.pk, request.user.pk)
            messages.success(request, _("A test is on its way to %s.") % request.user.email)
        return redirect("admin:appointments_newsletterissue_change", issue.pk)

    def send_view(self, request, object_id):
        """How many will get it, then a POST sends it (once, however often it is pressed)."""
        issue = self._issue(request, object_id, change=True)
        if request.method == "POST":
            try:
                number = services.newsletter_issue_send(issue, by=request.user)
            except services.CannotSend as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(
                    request,
                    _("Sending to %(number)s subscribers: this page shows how far it has got.") % {"number": number},
                )
            return redirect("admin:appointments_newsletterissue_change", issue.pk)
        number = recipients(issue.language).count()
        return self._page(request, issue, "send", title=_("Send %s") % issue.subject, recipients=number)
