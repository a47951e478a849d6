"""/metrics: Prometheus's numbers, for Prometheus alone; several gunicorn workers added up."""

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from appointments.models import WorkerHeartbeat
from sitewide.mail import CountedSMTPBackend
from tests.appointments.factories import form_data, make_request
from tests.processes import Browser, Inbox, free_port, production_environment

PROJECT = Path(__file__).resolve().parent.parent.parent


def samples(text: str) -> dict:
    """{(name, frozenset of labels): value} of every sample."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: dict, name: str, **labels) -> float:
    return sum(number for (sample, have), number in found.items() if sample == name and set(labels.items()) <= have)


def test_metrics_answer_only_the_addresses_allowed_and_never_through_a_proxy(client, db, settings):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    # nginx on the same machine connects from 127.0.0.1, but says for whom: a visitor.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    settings.METRICS_ALLOWED_ADDRESSES = ["10.20.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.4.5").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="not an address").status_code == 404
    assert client.post("/metrics", REMOTE_ADDR="10.20.4.5").status_code == 404


def test_metrics_count_requests_by_view_and_status_the_page_cache_and_the_mail_waiting(client, content, settings):
    settings.PAGE_CACHE = True
    before = samples(client.get("/metrics").content.decode())
    for _ in range(3):
        assert client.get("/treatments/mesotherapy/faq/").status_code == 200
    client.get("/no-such-page/")
    make_request(contact_preference="email")  # its staff alert and its confirmation wait
    WorkerHeartbeat.objects.update_or_create(pk=1, defaults={"beat_at": "2026-12-04T10:00:00Z"})
    response = client.get("/metrics")
    assert response["Cache-Control"].startswith("max-age=0")
    found = samples(response.content.decode())
    assert value(found, "mesoclinic_page_cache_total", result="miss") - value(
        before, "mesoclinic_page_cache_total", result="miss"
    ) == 1  # fmt: skip
    assert value(found, "mesoclinic_page_cache_total", result="hit") - value(
        before, "mesoclinic_page_cache_total", result="hit"
    ) == 2  # fmt: skip
    responses = "django_http_responses_total_by_status_view_method_total"
    assert value(found, responses, status="404") - value(before, responses, status="404") == 1
    assert value(found, "django_http_requests_latency_seconds_by_view_method_count") > 0
    assert value(found, "mesoclinic_mails_waiting") == 2
    assert value(found, "mesoclinic_oldest_unsent_mail_seconds") >= 0
    assert value(found, "mesoclinic_worker_heartbeat_timestamp_seconds") == 1796378400.0
    assert value(found, "mesoclinic_appointment_requests_stored_total") >= 0


def test_a_request_stored_through_the_form_is_counted(client, content):
    before = value(samples(client.get("/metrics").content.decode()), "mesoclinic_appointment_requests_stored_total")
    assert client.post(reverse("appointments:request"), form_data()).status_code == 302
    assert client.post(reverse("appointments:request"), form_data(first_name="")).status_code == 200  # not stored
    after = value(samples(client.get("/metrics").content.decode()), "mesoclinic_appointment_requests_stored_total")
    assert after - before == 1


def test_the_mail_servers_answers_are_counted_sent_and_failed(db):
    inbox = Inbox()
    inbox.controller.start()
    try:
        before = samples_now()
        with override_settings(EMAIL_HOST="127.0.0.1", EMAIL_PORT=inbox.port):
            sent = CountedSMTPBackend().send_messages([mail.EmailMessage("Hello", "Text", to=["a@example.org"])])
        with override_settings(EMAIL_HOST="127.0.0.1", EMAIL_PORT=free_port()), pytest.raises(ConnectionRefusedError):
            CountedSMTPBackend().send_messages([mail.EmailMessage("Hello", "Text", to=["a@example.org"])])
    finally:
        inbox.controller.stop()
    after = samples_now()
    assert sent == 1
    assert value(after, "mesoclinic_mails_sent_total") - value(before, "mesoclinic_mails_sent_total") == 1
    assert value(after, "mesoclinic_mails_failed_total") - value(before, "mesoclinic_mails_failed_total") == 1


def samples_now() -> dict:
    return samples(Client().get("/metrics").content.decode())


def test_several_gunicorn_workers_add_up_and_a_restarted_worker_keeps_the_count(tmp_path, database_url):
    """gunicorn as `make serve` runs it, with 2 workers: 60 requests answered by both are 60 in
    /metrics whichever worker answers the scrape, and still 60 after one worker is killed and
    replaced (its counts stay in the shared folder; child_exit retires its live values)."""
    inbox = Inbox()
    env = production_environment(inbox=inbox, database_url=database_url, WEB_CONCURRENCY="2",
                                 PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))  # fmt: skip
    (tmp_path / "metrics").mkdir()
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py"],
        cwd=PROJECT, env={**env, "HOST": "127.0.0.1", "PORT": str(port)}, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                Browser().request(port, "GET", "/healthz", headers={"Host": "clinic.example"})
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
                assert time.monotonic() < deadline
                time.sleep(0.2)
        for _ in range(59):
            Browser().request(port, "GET", "/healthz", headers={"Host": "clinic.example"})
        healthz = "django_http_requests_total_by_view_transport_method_total"
        counts = set()
        for _ in range(6):  # answered by either worker
            text = direct_scrape(port)
            counts.add(value(samples(text), healthz, view="healthz"))
        assert counts == {60.0}
        workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        assert len(workers) == 2
        os.kill(int(workers[0]), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while len(subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert {value(samples(direct_scrape(port)), healthz, view="healthz") for _ in range(6)} == {60.0}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert re.search(r"Worker \(pid:\d+\) was sent SIGKILL|Worker .* exited", (tmp_path / "gunicorn.log").read_text())


def direct_scrape(port: int) -> str:
    """As Prometheus asks: straight to the server, no proxy's headers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/metrics", headers={"Host": f"127.0.0.1:{port}"})  # not one of ALLOWED_HOSTS
    response = connection.getresponse()
    text = response.read().decode()
    assert response.status == 200, text[:300]
    return text
