from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("Appointment requests and page ratings")

    def ready(self):
        from . import audit, checks  # noqa: F401  (registers the system check)

        audit.register()
