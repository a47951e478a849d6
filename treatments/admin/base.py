"""The page admin's shared parts: the picture's fields, and the helpers its views share."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from ..models import TreatmentPage

PICTURE_FIELDS = ["image", "image_alt", "image_is_decorative"]


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
