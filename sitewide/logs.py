"""The site's logs: plain text by default, or with LOG_FORMAT=json one JSON object a line (for a
log collector), each line of a request naming its request id: the `X-Request-ID` nginx passes
(deploy/nginx-proxy.conf), or a new one when none or a malformed one came. The same id is on the
response's `X-Request-ID` header and in gunicorn's access line, so one request's lines can be
found in every log. Standard library only: gunicorn's configuration imports it too.

No line carries a patient's detail: the site logs request numbers, never names, addresses or
phone numbers (tests/appointments/test_notifications.py and test_views.py read every line, in
both forms)."""

import contextlib
import contextvars
import datetime
import json
import logging
import re
import uuid

REQUEST_ID = contextvars.ContextVar("request_id", default="")
WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id_from(header: str | None) -> str:
    """The id nginx gave the request, when it looks like one; else a new one."""
    return header if header and WELL_FORMED.fullmatch(header) else uuid.uuid4().hex


class RequestId(logging.Filter):
    """Puts the current request's id on each line (empty outside a request)."""

    def filter(self, record):
        if not getattr(record, "request_id", ""):
            record.request_id = REQUEST_ID.get()
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request id, and the exception
    with its traceback when there is one."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or REQUEST_ID.get(),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def logging_config(log_format: str, level: str) -> dict:
    """Django's LOGGING for LOG_FORMAT ("text" or "json")."""
    formatter = {"()": JsonLines} if log_format == "json" else {"format": "%(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestId}},
        "formatters": {"site": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "site", "filters": ["request_id"]}},
        "root": {"handlers": ["console"], "level": level},
        # django-axes logs each failed sign-in (username and address, never the password) at
        # WARNING; its INFO lines (successful sign-ins, housekeeping) are noise.
        "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
    }


def current_request_id() -> str:
    """The id of the request being answered ("" outside one): a task queued now carries it."""
    return REQUEST_ID.get()


@contextlib.contextmanager
def queued_by(request_id: str):
    """In a background task: every line it writes names the request that queued it."""
    token = REQUEST_ID.set(request_id if WELL_FORMED.fullmatch(request_id or "") else "")
    try:
        yield
    finally:
        REQUEST_ID.reset(token)


def request_started(sender, environ=None, **kwargs) -> None:
    """Django's request_started signal, before any middleware: the id holds for every line of
    the request, Django's own "Not Found" and error lines included (written after the middleware)."""
    REQUEST_ID.set(request_id_from((environ or {}).get("HTTP_X_REQUEST_ID")))


def request_finished(sender, **kwargs) -> None:
    REQUEST_ID.set("")


def request_id(get_response):
    """Puts the request's id on its response (X-Request-ID)."""

    def middleware(request):
        response = get_response(request)
        response["X-Request-ID"] = REQUEST_ID.get() or request_id_from(None)
        return response

    return middleware
