import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

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
