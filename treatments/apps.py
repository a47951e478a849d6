from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = _("Treatments and patient information")

    def ready(self):
        from . import addresses, opening_hours, words

        addresses.connect()
        words.connect()
        opening_hours.connect()
