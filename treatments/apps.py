from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = _("Treatments and patient information")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .context_processors import forget_clinic
        from .models import Clinic

        post_save.connect(forget_clinic, sender=Clinic, dispatch_uid="treatments:clinic:save")
        post_delete.connect(forget_clinic, sender=Clinic, dispatch_uid="treatments:clinic:delete")
