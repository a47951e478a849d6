"""The site keeps working when Redis stops: a Redis server this test starts on a free port, stops
and starts again (never the machine's own)."""

import contextlib
import shutil
import socket
import subprocess
import threading
import time

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from appointments.models import AppointmentRequest
from tests.appointments.factories import form_data
from tests.machine import IN_CI
from tests.processes import free_port
from treatments.models import TreatmentPage

pytestmark = pytest.mark.django_db

FAQ = "/treatments/mesotherapy/faq/"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class OwnRedis:
    def __init__(self, folder):
        self.port, self.folder, self.process = free_port(), folder, None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class CuttableLink:
    """A TCP relay between the site and Redis that the test can cut and mend: Redis keeps its data
    while the site cannot reach it (a network failure, a failover), and what the site sent during
    the cut never arrives."""

    def __init__(self, target_port):
        self.target_port, self.port = target_port, free_port()
        self.listener, self.connections, self.open = None, [], False

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def mend(self):
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self):
        self.open = False
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(): the port stops listening
        self.listener.close()
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
                connection.close()
        self.connections = []

    def _accept(self):
        listener = self.listener
        while self.open:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.connections += [client, upstream]
            for source, target in [(client, upstream), (upstream, client)]:
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source, target):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def redis_that_stops(settings, tmp_path, content):
    if not shutil.which("redis-server") and not IN_CI:
        pytest.skip("no redis-server here (apt-get install redis-server)")
    server = OwnRedis(tmp_path)
    server.start()
    settings.PAGE_CACHE = True
    settings.CACHES = {
        "default": {
            "BACKEND": "sitewide.cache.RedisWithFallback",
            "LOCATION": server.url,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "RETRY_SECONDS": 0,  # ask Redis again on every call: the test moves fast
                "ON_RECOVERY": "sitewide.page_cache.retire_after_outage",
            },
        }
    }  # changing CACHES gives Django a new cache handler: the test's cache is this one
    yield server
    caches["default"].close()
    if server.process.poll() is None:
        server.stop()


def test_without_redis_pages_the_form_ratings_and_sign_in_still_work(redis_that_stops):
    client = Client()
    assert client.get(FAQ).status_code == 200
    redis_that_stops.stop()

    for path in ["/", "/treatments/", FAQ, "/visiting/", reverse("appointments:request"), "/admin/login/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Content-Security-Policy" in response, path

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json() == {"database": "ok", "cache": "unavailable", "worker": "ok", "notifications": "ok"}

    sent = client.post(reverse("appointments:request"), form_data())
    assert sent.status_code == 302
    assert AppointmentRequest.objects.count() == 1  # stored, then thanked
    assert "Thank you: your request was sent" in client.get(sent["Location"]).content.decode()

    voter = Client(headers={"Origin": "http://testserver"})
    page = TreatmentPage.objects.get(slug="faq")
    assert voter.post(reverse("ratings:rate"), {"page": page.pk, "stars": 5}).status_code == 302
    assert "5.0 out of 5 (1 rating)" in client.get(FAQ).content.decode()


@pytest.fixture
def redis_behind_a_link(redis_that_stops, settings):
    """The same Redis, reached through a link the test can cut: Redis keeps what it held."""
    link = CuttableLink(redis_that_stops.port)
    link.mend()
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": link.url}}
    yield link
    caches["default"].close()
    if link.open:
        link.cut()


@pytest.mark.parametrize("outage", ["redis restarted", "network cut"])
def test_when_redis_is_back_everything_recovers_without_a_restart_and_nothing_stale_is_served(
    redis_that_stops, redis_behind_a_link, outage
):
    client = Client()
    assert "Does it hurt?" in client.get(FAQ).content.decode()  # kept in Redis
    redis_behind_a_link.cut()
    if outage == "redis restarted":
        redis_that_stops.stop()
    question = TreatmentPage.objects.get(slug="faq").faq_entries.get(anchor="pain")
    question.question = "Is it painful?"  # an edit while Redis is down: its token cannot be retired
    question.save()
    assert "Is it painful?" in client.get(FAQ).content.decode()
    if outage == "redis restarted":
        redis_that_stops.start()
    redis_behind_a_link.mend()

    assert client.get("/healthz").status_code == 200
    html = client.get(FAQ).content.decode()
    assert "Is it painful?" in html  # not the copy Redis kept from before the outage
    assert "Does it hurt?" not in html


def test_rate_limits_hold_per_process_while_redis_is_down(redis_that_stops, settings):
    settings.APPOINTMENT_RATE_LIMIT = "2/10m"
    redis_that_stops.stop()
    client = Client()
    statuses = [
        client.post(
            reverse("appointments:request"), form_data(email=f"p{n}@example.org", phone=f"+121255501{n:02d}")
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert AppointmentRequest.objects.count() == 2
