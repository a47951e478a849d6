"""Drafts in the page admin: the draft panel on a page's form and the draft's own pages."""

from csp.constants import SELF
from csp.decorators import csp_replace, csp_update
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django_tasks import task_backends

from ..drafts import (
    claims_sign_off,
    discard,
    draft_of,
    open_draft,
    publish,
    refuse_unbacked_claims,
    unpublishable_claims,
)
from ..page_content import attach_parts
from ..reviews import can_record_own_review
from ..revisions import changes, snapshot
from ..scheduling import schedule
from ..tasks import publish_scheduled_draft
from .base import PageViews


def frames_allowed_here(request, response):
    """The preview's own admin page may show this site's pages in frames (django-csp's decorator,
    applied to this one response)."""
    return csp_update({"frame-src": [SELF]})(lambda request: response)(request)


def framed_by_the_admin(request, response):
    """A draft's page, which only the admin's preview (this site) may show in a frame."""
    response = xframe_options_sameorigin(lambda request: response)(request)
    return csp_replace({"frame-ancestors": [SELF]})(lambda request: response)(request)


class PublishForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish at (leave empty to publish now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    sign_off_claims = forms.BooleanField(
        label=_("I am the reviewing clinician: I have read each sentence listed above and stand behind it"),
        required=False,
    )

    def __init__(self, *args, may_sign_off=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_sign_off:  # only a clinical reviewer sees the control
            del self.fields["sign_off_claims"]

    def clean_publish_at(self):
        when = self.cleaned_data["publish_at"]
        if when is not None and when <= timezone.now():
            raise ValidationError(_("That time has passed. Leave it empty to publish now."))
        if when is not None and not task_backends[publish_scheduled_draft.backend].supports_defer:
            raise ValidationError(
                _(
                    "Publishing at a time needs the background worker, which this server does not run "
                    "(`make run` runs none: `make serve` does). Leave it empty to publish now."
                )
            )
        return when


class DraftViews(PageViews):
    """Edit as a draft, preview, compare and publish (now or at a time), discard: each a small view
    over treatments/drafts.py and treatments/scheduling.py."""

    def open_draft_view(self, request, object_id):
        """Edit as a draft: the page's draft, made on a POST if it has none."""
        page = self.editable_page(request, object_id, drafts=False)
        if request.method == "POST":
            draft = open_draft(page, request.user)
            return redirect(reverse("admin:treatments_treatmentpage_change", args=[draft.pk]))
        return self.admin_page(
            request,
            page,
            "admin/treatments/treatmentpage/open_draft.html",
            title=_("Edit %s as a draft") % page,
            draft=draft_of(page),
        )

    def preview_view(self, request, object_id):
        """The draft as patients would read it, in two frames: a phone's width and a laptop's."""
        draft = self.editable_page(request, object_id, drafts=True)
        response = self.admin_page(
            request,
            draft,
            "admin/treatments/treatmentpage/preview.html",
            title=_("Preview of the draft of %s") % draft.draft_of,
            page_url=reverse("admin:treatments_treatmentpage_preview_page", args=[draft.pk]),
        )
        return frames_allowed_here(request, response)

    def preview_page_view(self, request, object_id):
        """The draft exactly as patients would read it, from the admin only (never cached)."""
        draft = attach_parts(self.editable_page(request, object_id, drafts=True))
        live = draft.draft_of
        siblings = live.treatment.pages.live().order_by("order", "pk")
        draft.treatment.sibling_pages = [draft if page.pk == live.pk else page for page in siblings]
        template_names = [f"treatments/page_{draft.kind}.html", "treatments/page.html"]
        response = render(request, template_names, {"page": draft, "treatment": draft.treatment})
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
        return framed_by_the_admin(request, response)

    def publish_view(self, request, object_id):
        """The draft beside its page, difference by difference; publish now or at a time."""
        draft = self.editable_page(request, object_id, drafts=True)
        live = draft.draft_of
        unbacked = unpublishable_claims(draft)
        may_sign_off = bool(unbacked) and can_record_own_review(request.user)
        form = PublishForm(request.POST or None, may_sign_off=may_sign_off)
        if request.method == "POST" and form.is_valid():
            when = form.cleaned_data["publish_at"]
            try:
                if form.cleaned_data.get("sign_off_claims"):
                    claims_sign_off(page=draft, sentences=unbacked, user=request.user)
                refuse_unbacked_claims(draft)  # before scheduling too: never a publish that will fail
                if when is None:
                    publish(draft, request.user)
                    done = _("Published: patients now read the new page.")
                else:
                    schedule(draft, when)
                    done = _("It will be published on %s.") % f"{timezone.localtime(when):%-d %b %Y, %-I:%M %p}"
            except ValidationError as error:  # e.g. an address another page has taken meanwhile
                form.add_error(None, error)
            else:
                self.message_user(request, done, messages.SUCCESS)
                return redirect(reverse("admin:treatments_treatmentpage_change", args=[live.pk]))
        return self.admin_page(
            request,
            draft,
            "admin/treatments/treatmentpage/publish.html",
            title=_("Publish the draft of %s") % live,
            live=live,
            changes=changes(snapshot(live), snapshot(draft)),
            form=form,
            unbacked=unbacked,
        )

    def discard_view(self, request, object_id):
        draft = self.editable_page(request, object_id, drafts=True)
        live = draft.draft_of
        if request.method == "POST":
            discard(draft)
            self.message_user(request, _("The draft is discarded; the page is as it was."), messages.SUCCESS)
            return redirect(reverse("admin:treatments_treatmentpage_change", args=[live.pk]))
        return self.admin_page(
            request, draft, "admin/treatments/treatmentpage/discard.html", title=_("Discard the draft"), live=live
        )

    @admin.display(description=_("draft"))
    def draft_panel(self, page):
        if page.pk is None:
            return "-"

        def link(name, text, target=page, query=""):
            url = reverse(f"admin:treatments_treatmentpage_{name}", args=[target.pk])
            return format_html('<a href="{}{}">{}</a>', url, query, text)

        if page.draft_of_id is None:
            draft = draft_of(page)
            if draft is None:
                return format_html(
                    "{} {}", _("Changes saved here are published at once."), link("open_draft", _("Edit as a draft"))
                )
            return format_html(
                "{} {}", _("This page has a draft waiting."), link("change", _("Open the draft"), draft)
            )
        scheduled = ""
        if page.publish_at:
            scheduled = _("To be published on %s.") % f"{timezone.localtime(page.publish_at):%-d %b %Y, %-I:%M %p}"
        links = format_html_join(
            " · ",
            "{}",
            (
                (link("preview", _("Preview at phone width"), query="?width=phone"),),
                (link("preview", _("Preview at laptop width")),),
                (link("publish", _("Compare and publish")),),
                (link("discard", _("Discard the draft")),),
                (link("change", _("The published page"), page.draft_of),),
            ),
        )
        return format_html("<strong>{}</strong> {} {}", _("A draft: patients do not see it."), scheduled, links)

    def draft_urls(self):
        urls = [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(getattr(self, f"{name}_view")),
                name=f"treatments_treatmentpage_{name}",
            )
            for name in ["open_draft", "preview", "publish", "discard"]
        ]
        urls.append(
            path(
                "<path:object_id>/preview/page/",
                self.admin_site.admin_view(self.preview_page_view),
                name="treatments_treatmentpage_preview_page",
            )
        )
        return urls
