import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from appointments.models import AppointmentRequest

from .factories import make_request

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def requests_of_all_ages(content):
    return {
        "old_closed": make_request(status="closed", received_at=days_ago(400)),
        "old_declined": make_request(status="declined", received_at=days_ago(366)),
        "old_scheduled": make_request(status="scheduled", received_at=days_ago(500)),
        "old_new": make_request(status="new", received_at=days_ago(500)),
        "recent_closed": make_request(status="closed", received_at=days_ago(30)),
    }


def remaining():
    return set(AppointmentRequest.objects.values_list("pk", flat=True))


def test_purge_removes_only_finished_requests_past_retention(requests_of_all_ages, capsys):
    call_command("purge_requests")
    assert capsys.readouterr().out.splitlines()[0] == "Removed 2 closed or declined requests older than 365 days."
    kept = {requests_of_all_ages[name].pk for name in ["old_scheduled", "old_new", "recent_closed"]}
    assert remaining() == kept


def test_purge_age_is_configurable(requests_of_all_ages, capsys, settings):
    call_command("purge_requests", "--days", "10")
    assert "Removed 3 " in capsys.readouterr().out


def test_purge_default_comes_from_settings(requests_of_all_ages, capsys, settings):
    settings.APPOINTMENT_RETENTION_DAYS = 380
    call_command("purge_requests")
    assert "Removed 1 closed or declined requests older than 380 days." in capsys.readouterr().out


def test_purge_dry_run_removes_nothing(requests_of_all_ages, capsys):
    before = remaining()
    call_command("purge_requests", "--dry-run")
    assert "Would remove 2 " in capsys.readouterr().out
    assert remaining() == before


def test_purge_refuses_a_negative_age(requests_of_all_ages):
    with pytest.raises(CommandError, match="zero or more"):
        call_command("purge_requests", "--days", "-1")
