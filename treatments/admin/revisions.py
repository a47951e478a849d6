"""Revisions in the page admin: the list on a page's form, and restoring one as a draft."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ..drafts import DraftExists, restore_as_draft
from ..models import PageRevision, TreatmentPage
from ..revisions import changes, differences, snapshot
from .base import PageViews


class RevisionViews(PageViews):
    """The page's whole-page revisions on its form, and restoring one as a draft."""

    @admin.display(description=_("revisions"))
    def revision_list(self, page):
        if page.pk is None:
            return "-"
        revisions = list(page.revisions.select_related("created_by").order_by("-number"))
        rows = []
        for index, revision in enumerate(revisions):
            before = revisions[index + 1].content if index + 1 < len(revisions) else None
            restore = reverse("admin:treatments_treatmentpage_restore", args=[page.pk, revision.number])
            action = "" if index == 0 else format_html('<a href="{}">{}</a>', restore, _("Restore this revision"))
            rows.append(
                (
                    revision.number,
                    f"{timezone.localtime(revision.created_at):%-d %b %Y, %-I:%M %p}",
                    revision.who,
                    format_html_join("", "<li>{}</li>", ((line,) for line in differences(before, revision.content))),
                    action,
                )
            )
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td><ul>{}</ul></td><td>{}</td></tr>", rows)
        return format_html(
            "<table><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead><tbody>{}</tbody></table>",
            _("When"),
            _("Who"),
            _("What changed"),
            body,
        )

    def restore_view(self, request, object_id, number):
        """Shows what restoring a revision changes, and brings it back as a draft on a POST."""
        page = get_object_or_404(TreatmentPage.objects.live(), pk=object_id)
        if not self.has_change_permission(request, page):
            raise PermissionDenied
        revision = get_object_or_404(PageRevision, page=page, number=number)
        change_url = reverse("admin:treatments_treatmentpage_change", args=[page.pk])
        if request.method == "POST":
            try:
                draft, notes = restore_as_draft(revision, request.user)
            except DraftExists:
                self.message_user(
                    request, _("This page already has a draft: publish or discard it first."), messages.ERROR
                )
                return redirect(change_url)
            except ValidationError as refused:
                self.message_user(
                    request,
                    _("Revision %(number)s cannot come back as it was: %(why)s Nothing was changed.")
                    % {"number": revision.number, "why": " ".join(refused.messages)},
                    messages.ERROR,
                )
                return redirect(change_url)
            self.message_user(
                request,
                _("Revision %(number)s is back as a draft: check it, preview it, then publish it.")
                % {"number": revision.number},
                messages.SUCCESS,
            )
            for note in notes:
                self.message_user(request, note, messages.WARNING)
            return redirect(reverse("admin:treatments_treatmentpage_change", args=[draft.pk]))
        return self.admin_page(
            request,
            page,
            "admin/treatments/treatmentpage/restore.html",
            title=_("Restore revision %(number)s of %(page)s") % {"number": number, "page": page},
            revision=revision,
            changes=changes(snapshot(page), revision.content),
        )

    def revision_urls(self):
        return [
            path(
                "<path:object_id>/revisions/<int:number>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="treatments_treatmentpage_restore",
            )
        ]
