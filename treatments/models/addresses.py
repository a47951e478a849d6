"""An address name a treatment or page had before (what is done with it: treatments/addresses.py)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FormerSlug(models.Model):
    """An address name a treatment (page empty) or one of its pages had before."""

    treatment = models.ForeignKey("treatments.Treatment", on_delete=models.CASCADE, related_name="former_slugs")
    page = models.ForeignKey(
        "treatments.TreatmentPage", null=True, blank=True, on_delete=models.CASCADE, related_name="former_slugs"
    )
    slug = models.SlugField(_("former address name"), allow_unicode=False)
    replaced_at = models.DateTimeField(_("replaced"), default=timezone.now)

    class Meta:
        verbose_name = _("former address")
        verbose_name_plural = _("former addresses")
        constraints = [
            models.UniqueConstraint(fields=["treatment", "page", "slug"], name="former_slug_once"),
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(page__isnull=True), name="former_treatment_slug_once"
            ),
        ]

    def __str__(self):
        return self.slug
