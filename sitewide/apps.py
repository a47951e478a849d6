from django.apps import AppConfig
from django.core import signals
from django.utils.translation import gettext_lazy as _

from . import logs


class SitewideConfig(AppConfig):
    """What every request shares: the real client address behind proxies, security headers,
    staff session limits, the health check and the error pages."""

    name = "sitewide"
    verbose_name = _("Site-wide")

    def ready(self):
        from .page_cache import connect_invalidation

        connect_invalidation()
        signals.request_started.connect(logs.request_started, dispatch_uid="sitewide.logs.started")
        signals.request_finished.connect(logs.request_finished, dispatch_uid="sitewide.logs.finished")
