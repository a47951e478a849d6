"""Numbers to watch, for Prometheus at /metrics (docs/deploying.md, "Metrics and alerts").

django-prometheus's middleware counts requests by view, method and status and times them
(histograms). The site adds its own counters here, kept by prometheus_client: with
PROMETHEUS_MULTIPROC_DIR set (gunicorn's configuration sets it, `make serve` gives the worker the
same folder), every gunicorn worker and the background worker write their counts there and
/metrics adds them up; gunicorn's `child_exit` hook retires a dead worker's live values.

What is true of the whole site rather than of one process (mail waiting, the oldest unsent
mail, the worker's last heartbeat, tasks waiting) is read from the database at each scrape
(appointments/health.py), so every server reports the same figure.

The page that shows them: sitewide/metrics_page.py.
"""

import os

from prometheus_client import Counter, Gauge

# Each process writes its values into this folder from its first metric on: a command run before
# gunicorn has made it (the image's /tmp/metrics, on a fresh tmpfs) must not fail for want of it.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

PAGE_CACHE = Counter("mesoclinic_page_cache_total", "Public pages asked of the page cache, by result.", ["result"])
CACHE_FALLBACK_CALLS = Counter(
    "mesoclinic_cache_fallback_calls_total",
    "Cache calls answered from a process's own memory because Redis could not be reached.",
)
CACHE_FALLBACK_ACTIVE = Gauge(
    "mesoclinic_cache_fallback_active",
    "1 while a process uses its own memory in place of Redis.",
    multiprocess_mode="max",
)
REQUESTS_STORED = Counter("mesoclinic_appointment_requests_stored_total", "Patients' requests stored.")
MAILS_SENT = Counter("mesoclinic_mails_sent_total", "E-mails the mail server accepted.")
MAILS_FAILED = Counter("mesoclinic_mails_failed_total", "Attempts to hand e-mail to the mail server that failed.")
