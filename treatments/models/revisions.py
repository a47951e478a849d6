"""A whole-page revision: the page and everything on it as one JSON document (how they are
made, compared and restored: treatments/revisions.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PageRevision(models.Model):
    page = models.ForeignKey("treatments.TreatmentPage", on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    content = models.JSONField()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("page revision")
        verbose_name_plural = _("page revisions")
        constraints = [models.UniqueConstraint(fields=["page", "number"], name="page_revision_number_once")]

    def __str__(self):
        return _("Revision %(number)s of %(page)s") % {"number": self.number, "page": self.page}

    @property
    def who(self) -> str:
        if self.created_by is None:
            return str(_("the site (content loaded)"))
        return self.created_by.get_full_name() or self.created_by.get_username()
