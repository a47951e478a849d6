"""The rolling deploy of docs/deploying.md, under load: while wrk sends patients' requests
through the shipped nginx to two gunicorn servers, the first server is reloaded (gunicorn's
graceful reload: new workers with the new code, the old ones finishing what they hold), then the
second: not one request fails and none is a 5xx."""

import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from tests.machine import IN_CI
from tests.sitewide.gunicorn_servers import two_gunicorn_servers
from tests.sitewide.test_nginx import shipped_nginx, written_logs

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
SECONDS = 16


def workers_of(process) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    return {int(pid) for pid in found}


def reload_gracefully(process, timeout=30) -> None:
    """SIGHUP, as `systemctl reload` does: returns once every old worker has been replaced."""
    old = workers_of(process)
    process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + timeout
    while (workers := workers_of(process)) & old or len(workers) < len(old):
        assert time.monotonic() < deadline, "gunicorn did not replace its workers"
        time.sleep(0.1)


def test_reloading_one_server_and_then_the_other_under_load_fails_no_request(tmp_path, settings, db):
    wrk = shutil.which("wrk")
    if wrk is None:
        message = "wrk not found (apt-get install wrk)"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    with two_gunicorn_servers(tmp_path / "servers", REDIS_URL, DJANGO_TRUSTED_PROXY_COUNT="1") as servers:
        upstreams = [f"127.0.0.1:{servers.port(name)}" for name in ("first", "second")]
        nginx_folder = tmp_path / "nginx"
        nginx_folder.mkdir()
        with shipped_nginx(nginx_folder, settings, upstream=upstreams) as port:
            # A page nginx never keeps (a query string), so each request reaches a server. A
            # request slowed while a server's new workers start (both cores are busy here) is
            # not a failure: wrk waits up to 20 s, as a patient's browser would wait far longer.
            load = subprocess.Popen(
                [wrk, "-t", "2", "-c", "4", "-d", f"{SECONDS}s", "--timeout", "20s", "--latency",
                 f"https://127.0.0.1:{port}/treatments/mesotherapy/faq/?from=a-link"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )  # fmt: skip
            time.sleep(3)
            for name in ("first", "second"):  # one at a time, as the deploy guide says
                started = time.monotonic()
                reload_gracefully(servers.processes[name])
                reloaded = time.monotonic() - started
                time.sleep(2)
            report = load.communicate(timeout=SECONDS + 30)[0]
            log = written_logs(nginx_folder)["mesoclinic.access.log"]
    answered = int(re.search(r"(\d+) requests in", report).group(1))
    assert answered > 100, report
    assert "Non-2xx or 3xx responses" not in report, report
    assert "Socket errors" not in report, report
    statuses = re.findall(r'HTTP/1\.1" (\d{3}) ', log)
    assert len(statuses) >= answered
    assert set(statuses) == {"200"}, sorted(set(statuses))
    # Both servers answered, and each was reloaded (gunicorn says so in its log).
    assert all(upstream in log for upstream in upstreams)
    assert servers.logs().count("Handling signal: hup") == 2
    slowest = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", report).group(1)
    print(
        f"{answered} requests while both servers were reloaded (the last in {reloaded:.1f} s): 0 failed, "
        f"the slowest {slowest}"
    )
