"""The page admin's shared parts: the picture's fields, and the helpers its views share."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from sitewide.storage import StoreUnavailable

from ..images import STORE_DOWN
from ..models import TreatmentPage

PICTURE_FIELDS = ["image", "image_alt", "image_is_decorative"]


class PictureStoreOutage:
    """The picture's field says so when the store does not answer (treatments.images); should it
    stop answering between that check and the save, the whole save is undone (the admin's form
    is one transaction) and the editor is told, in place of an error page."""

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except StoreUnavailable:
            messages.error(request, STORE_DOWN)
            return HttpResponseRedirect(request.get_full_path())


class PageViews:
    """What the page admin's own views share: an admin page about one page, and the page (or
    draft) a member of staff may change."""

    def admin_page(self, request, page, template, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": page,
                "change_url": reverse("admin:treatments_treatmentpage_change", args=[page.pk]),
                **context,
            },
        )

    def editable_page(self, request, object_id, drafts):
        page = get_object_or_404(TreatmentPage.objects.filter(draft_of__isnull=not drafts), pk=object_id)
        if not self.has_change_permission(request, page):
            raise PermissionDenied
        return page
