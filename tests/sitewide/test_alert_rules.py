"""The shipped Prometheus alert rules: valid for promtool, each alert firing when it should
(promtool's own rule tests, deploy/prometheus/alerts_test.yml), and every metric they name is one
the site really shows at /metrics."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.machine import IN_CI
from tests.sitewide.test_metrics import samples

PROMETHEUS = Path(__file__).resolve().parent.parent.parent / "deploy" / "prometheus"


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        message = "promtool not found: apt-get install prometheus (Debian's package has it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_promtool_finds_the_rules_valid_and_each_alert_fires_when_it_should():
    checked = subprocess.run([promtool(), "check", "rules", "alerts.yml"], cwd=PROMETHEUS, capture_output=True,
                             text=True)  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 5 rules found" in checked.stdout
    tested = subprocess.run([promtool(), "test", "rules", "alerts_test.yml"], cwd=PROMETHEUS, capture_output=True,
                            text=True)  # fmt: skip
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_metric_the_alerts_name_is_one_the_site_shows(client, db):
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"][0]["rules"]
    assert {rule["alert"] for rule in rules} == {
        "MesoclinicWorkerSilent", "MesoclinicMailStuck", "MesoclinicServerErrors", "MesoclinicCacheFallback",
        "MesoclinicDown",
    }  # fmt: skip
    named = {name for rule in rules for name in re.findall(r"\b(?:mesoclinic|django)_\w+", rule["expr"])}
    client.get("/no-such-page/")  # so that a response is counted
    shown = {name for name, _labels in samples(client.get("/metrics").content.decode())}
    shown |= {name.removesuffix("_total") for name in shown}
    assert named - shown == set()
    assert "mesoclinic_worker_heartbeat_timestamp_seconds" in named
