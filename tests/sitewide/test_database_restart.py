"""The database blinks (a restart, a failover): a PostgreSQL cluster this test creates with initdb
on a free port, stops and starts again; never the machine's own server. While it is down the
request form says plainly that nothing was sent and keeps what was typed; when it is back, the
same server process serves pages and stores requests again, without a restart."""

import contextlib
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.appointments.factories import form_data
from tests.machine import IN_CI
from tests.processes import Inbox, free_port, production_environment

PROJECT = Path(__file__).resolve().parent.parent.parent


def postgres_program(name):
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(versions[-1]) if versions else None


class OwnPostgres:
    """A throwaway cluster. PostgreSQL will not run as root: as root, it runs as `postgres`."""

    def __init__(self):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="mesoclinic-pg-"))
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(self.folder, "postgres", "postgres")
            for log in ["commands.log", "server.log"]:
                (self.folder / log).touch()
                shutil.chown(self.folder / log, "postgres", "postgres")

    def run(self, *command):
        # Output to files, not pipes: the server pg_ctl starts would hold a pipe open for ever.
        with open(self.folder / "commands.log", "ab") as log:
            subprocess.run([*self.as_owner, *command], check=True, stdout=log, stderr=log, timeout=120)

    def create(self):
        self.run(postgres_program("initdb"), "-D", str(self.folder / "data"), "-U", "postgres", "-A", "trust")

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        log = str(self.folder / "server.log")
        self.run(postgres_program("pg_ctl"), "-D", str(self.folder / "data"), "-o", options, "-l", log, "-w", "start")

    def stop(self):
        self.run(postgres_program("pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def own_postgres():
    if postgres_program("initdb") is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        message = "no initdb here (apt-get install postgresql)"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    server = OwnPostgres()
    server.create()
    server.start()
    yield server
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        server.stop()
    shutil.rmtree(server.folder, ignore_errors=True)


class Patient:
    """A browser: cookies, the form's hidden fields, and what the site answered."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def send_request(self):
        _, form = self.get("/appointments/request/")
        hidden = dict(re.findall(r'name="(csrfmiddlewaretoken|form_token)" value="([^"]+)"', form))
        data = {**form_data(first_name="Quartermain"), **hidden}
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(
            self.base + "/appointments/request/", data=body, headers={"Origin": self.base}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def test_the_site_says_nothing_was_sent_while_the_database_is_down_and_recovers_without_a_restart(own_postgres):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="mesoclinic.settings.development",
        DATABASE_URL=own_postgres.url,
        DJANGO_CONN_MAX_AGE="60",  # as in production: a connection outlives its request
        PGCONNECT_TIMEOUT="3",
    )
    env.pop("REDIS_URL", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], cwd=PROJECT, env=env, check=True, capture_output=True)
    subprocess.run([*manage, "seed_content"], cwd=PROJECT, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=PROJECT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        patient = Patient(f"http://127.0.0.1:{port}")
        for _ in range(100):
            with contextlib.suppress(OSError):
                if patient.get("/healthz")[0] == 200:
                    break
            time.sleep(0.2)
        assert patient.get("/treatments/mesotherapy/faq/")[0] == 200

        own_postgres.stop()
        status, html = patient.send_request()
        assert status == 503
        assert "Your request has not been sent" in html
        assert 'value="Quartermain"' in html
        assert "Thank you" not in html

        own_postgres.start()  # the same server process, not restarted
        status, html = patient.send_request()
        assert (status, "Thank you: your request was sent" in html) == (200, True)
        assert patient.get("/treatments/mesotherapy/faq/")[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_worker_waits_out_a_database_restart_and_sends_what_came_meanwhile_once(own_postgres, tmp_path):
    inbox = Inbox()
    inbox.controller.start()
    env = production_environment(
        inbox=inbox,
        database_url=own_postgres.url,
        APPOINTMENT_STAFF_EMAIL="frontdesk@clinic.example",
        DJANGO_CONN_MAX_AGE="60",
        PGCONNECT_TIMEOUT="3",
        WORKER_RECONNECT_MAX_SECONDS="2",
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], cwd=PROJECT, env=env, check=True, capture_output=True)
    subprocess.run([*manage, "seed_content"], cwd=PROJECT, env=env, check=True, capture_output=True)

    def patient_sends(first_name):
        store = (
            "import uuid; from appointments.services import appointment_request_create as create; "
            f"create(first_name='{first_name}', last_name='Lee', city='Brooklyn', state='NY', "
            "email='patient@example.org', phone='+12125550142', contact_preference='phone', "
            "submission_token=uuid.uuid4())"
        )
        subprocess.run([*manage, "shell", "-c", store], cwd=PROJECT, env=env, check=True, capture_output=True)

    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(
            [*manage, "run_worker", "--interval", "0.2", "--no-startup-delay"], cwd=PROJECT, env=env,
            stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        patient_sends("Before")
        assert len(inbox.wait_for(1)) == 1, log.read_text()

        own_postgres.stop()
        deadline = time.monotonic() + 30
        while "The database cannot be reached" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # a few tries while it is down
        assert worker.poll() is None, log.read_text()

        own_postgres.start()
        patient_sends("After")
        messages = inbox.wait_for(2)
        time.sleep(2)  # room for a duplicate to arrive, if one were sent
        assert worker.poll() is None, "the worker exited instead of waiting for the database"
        assert len(inbox.messages) == 2, (messages, log.read_text())
        assert all(recipients == ("frontdesk@clinic.example",) for recipients, _ in inbox.messages)
        assert "The database answers again" in log.read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        inbox.controller.stop()
