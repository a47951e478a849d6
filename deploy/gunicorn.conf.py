"""gunicorn's settings for `make serve` (read from the environment, like the site's own).

Neither log carries a query string or the referring page: a query string is whatever a browser
or a link put there (a patient's name, once), and the referrer would repeat it. The access log
has the path alone; gunicorn's own error lines (a request it could not parse, an error that
escaped the site) have their query strings and quoted request lines removed.
"""

import datetime
import json
import logging
import os
import re
import sys
import tempfile
from pathlib import Path

from gunicorn.glogging import Logger
from prometheus_client import multiprocess

# The project's own log format (standard library only), from the project's folder.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sitewide.logs import JsonLines

JSON_LOGS = os.environ.get("LOG_FORMAT", "text") == "json"

QUERY_STRING = re.compile(r"(?<=\S)\?[^\s'\"]+")
# Paths that carry a secret: a clinician's calendar feed, a patient's link to their booking or to
# a time offered to them. Logged with the secret replaced: whoever reads a log cannot use them.
SECRET_PATH = re.compile(
    r"(/(?:calendar|appointments/booking|appointments/offer|es/citas/reserva|es/citas/oferta)/)[^/\s?'\"]+"
)


def without_secrets(text: str) -> str:
    return SECRET_PATH.sub(r"\1[secret]", text)


QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


class WithoutQueryStrings(logging.Filter):
    """Rewrites each error-log line (and its traceback) without query strings; a request gunicorn
    could not parse is named by its problem alone, since its quoted request line may be cut
    anywhere (a space inside the query string)."""

    def filter(self, record):
        message = record.getMessage()
        if message.startswith("Invalid request from"):
            message = QUOTED.sub("'[removed]'", message)
        record.msg, record.args = without_secrets(QUERY_STRING.sub("?[removed]", message)), ()
        if record.exc_info:
            trace = logging.Formatter().formatException(record.exc_info)
            record.exc_text = without_secrets(QUERY_STRING.sub("?[removed]", trace))
        return True


class PathOnlyLogger(Logger):
    """The access line with the path alone and the request id nginx passed; with LOG_FORMAT=json,
    every line (access and error) one JSON object, as the site's own (sitewide/logs.py)."""

    def setup(self, cfg):
        super().setup(cfg)
        self.error_log.addFilter(WithoutQueryStrings())
        if JSON_LOGS:
            for handler in self.error_log.handlers:
                handler.setFormatter(JsonLines())

    def access(self, resp, req, environ, request_time):
        if not JSON_LOGS:
            return super().access(resp, req, environ, request_time)
        atoms = self.atoms(resp, req, environ, request_time)
        entry = {
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "remote": atoms["h"],
            "method": atoms["m"],
            "path": atoms["U"],
            "status": atoms["s"],
            "bytes": atoms["B"],
            "ms": atoms["M"],
            "request_id": environ.get("HTTP_X_REQUEST_ID", ""),
        }
        self.access_log.info(json.dumps(entry, ensure_ascii=False))
        return None

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("U", "r"):
            if isinstance(atoms.get(name), str):
                atoms[name] = without_secrets(atoms[name])
        return atoms


logger_class = PathOnlyLogger

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# One synchronous worker per core, and at least two, so that one slow request (a staff export)
# never holds the whole site. gunicorn's starting point is (2 x cores) + 1, so that while one
# waits on the database another uses the core; but with PostgreSQL and Redis on the same machine
# those waits are short, and every extra process adds context switches to each round trip. On
# 2 cores (make bench), 2 workers served 20-40% more than 5: cached pages, votes and appointment
# requests alike. With the database on another machine, raise WEB_CONCURRENCY (each worker ~60 MB).
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, os.cpu_count() or 1)))
wsgi_app = "mesoclinic.wsgi:application"
accesslog = "-"
errorlog = "-"
# remote address, time, method, path without query, protocol, status, bytes, duration, request id
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms id=%({x-request-id}i)s'
# Several servers on one machine (or two `make serve` side by side) each get their own: gunicorn
# 27's control socket is one per user, so it is off.
control_socket_disable = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Behind nginx on the same machine: trust its X-Forwarded-Proto (Django reads it, see settings).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Metrics (/metrics): each worker writes its counts into one folder, which /metrics adds up
# (prometheus_client's multiprocess mode). `make serve` gives the folder to the background worker
# too; run alone, gunicorn makes a fresh one. It is set before any worker loads the site.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="mesoclinic-metrics-")
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)  # the image's /tmp/metrics, on its tmpfs


def child_exit(server, worker):
    """A worker that stopped (a reload, a timeout): its live values leave the sums."""
    multiprocess.mark_process_dead(worker.pid)
