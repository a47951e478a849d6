import contextlib

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from tests.processes import free_port

from .factories import form_data


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def run_worker(monkeypatch):
    """Runs the background worker (`manage.py db_worker`) until no task is ready, as the server's
    worker process would. Here it shares the test's database connection and transaction, so its
    between-task clean-up of old connections (which would close the test's own) is left out."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    return run


@pytest.fixture
def send(client, content, run_worker):
    """Posts the form as a patient would, then lets the worker do its queued work (the e-mail)."""

    def post(**overrides):
        response = client.post(reverse("appointments:request"), form_data(**overrides))
        run_worker()
        return response

    return post


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf8", errors="replace")))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, started and stopped by the test."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    yield controller, inbox
    with contextlib.suppress(AssertionError):  # never started by the test
        controller.stop()
