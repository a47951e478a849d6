"""/metrics: the site's numbers in Prometheus's text format (what they are: sitewide/metrics.py).

It answers only a direct connection (no proxy's X-Forwarded-For) from an address in
METRICS_ALLOWED_ADDRESSES; anyone else gets a plain 404, as if there were nothing there. nginx
answers 404 for it too (deploy/nginx.conf): Prometheus scrapes each server directly, by its own
address, over plain HTTP, so this is answered by a middleware near the top, before the host name
is checked against ALLOWED_HOSTS or the request is redirected to HTTPS.
"""

import ipaddress
import os

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from appointments.health import background_work


class SiteWide:
    """Figures read from the database at each scrape: the same whichever server is asked."""

    def collect(self):
        work = background_work(timezone.now())
        yield GaugeMetricFamily("mesoclinic_mails_waiting", "E-mails queued and not yet sent.", value=work.waiting)
        yield GaugeMetricFamily(
            "mesoclinic_oldest_unsent_mail_seconds",
            "How long the oldest unsent e-mail has waited (0: none waits).",
            value=work.oldest_unsent_seconds,
        )
        yield GaugeMetricFamily(
            "mesoclinic_worker_heartbeat_timestamp_seconds",
            "When the background worker last said it was alive (Unix time; 0: never).",
            value=work.heartbeat_timestamp,
        )
        yield GaugeMetricFamily(
            "mesoclinic_tasks_waiting", "Background tasks due and not yet taken.", value=work.tasks_due
        )


def _allowed(request) -> bool:
    if "HTTP_X_FORWARDED_FOR" in request.META:  # came through a proxy: a visitor, whatever the peer
        return False
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(allowed, strict=False) for allowed in settings.METRICS_ALLOWED_ADDRESSES)


def metrics_page(get_response):
    def middleware(request):
        if request.path_info != "/metrics":
            return get_response(request)
        if request.method not in ("GET", "HEAD") or not _allowed(request):
            return HttpResponseNotFound("Not Found", content_type="text/plain")
        return metrics(request)

    return middleware


@never_cache
def metrics(request):
    registry = CollectorRegistry()
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        multiprocess.MultiProcessCollector(registry)  # every worker's files, added up
    else:
        registry.register(_ThisProcess())
    registry.register(SiteWide())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class _ThisProcess:
    """The default registry's metrics (one process: development, tests), for a registry of our own."""

    def collect(self):
        yield from REGISTRY.collect()
