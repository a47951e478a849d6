"""The systemd units in deploy/systemd/: every unit and timer passes `systemd-analyze verify`
(with the install paths pointed at this checkout), the worker is restarted whatever stops it,
and every scheduled job the operations guide names has a timer."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.machine import IN_CI

PROJECT = Path(__file__).resolve().parent.parent
UNITS = PROJECT / "deploy" / "systemd"


def test_every_unit_passes_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        message = "no systemd-analyze here (apt-get install systemd)"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    (tmp_path / "env").write_text("DJANGO_SECRET_KEY=x\n")
    for unit in UNITS.iterdir():
        text = (
            unit.read_text()
            .replace("/srv/mesoclinic", str(PROJECT))
            .replace("/etc/mesoclinic/env", str(tmp_path / "env"))
        )
        (tmp_path / unit.name).write_text(text)
    units = sorted(str(path) for path in tmp_path.iterdir() if path.suffix in {".service", ".timer"})
    assert len(units) == 12
    result = subprocess.run([analyze, "verify", *units], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_the_worker_is_always_restarted_and_requeues_what_it_left_running():
    worker = (UNITS / "mesoclinic-worker.service").read_text()
    assert "Restart=always" in worker
    assert "manage.py requeue_stalled_tasks" in worker
    assert "Restart=on-failure" in (UNITS / "mesoclinic-web.service").read_text()


@pytest.mark.parametrize(
    ("job", "command"),
    [
        ("purge-requests", "purge_requests"),
        ("review-reminders", "review_reminders"),
        ("prune-tasks", "prune_db_task_results"),
        ("backup", "backup_site"),
        ("process-bounces", "process_bounces"),
    ],
)
def test_each_scheduled_job_has_a_timer_and_a_service(job, command):
    assert f"manage.py {command}" in (UNITS / f"mesoclinic-{job}.service").read_text()
    assert "OnCalendar=" in (UNITS / f"mesoclinic-{job}.timer").read_text()
