"""Two `make serve` processes on different ports, sharing one PostgreSQL database and one Redis,
are one site: a rate limit counts across both, and a staff session opened on one works on the
other. Real gunicorn servers, as a clinic's IT contractor would run them behind a load balancer."""

import os
import re
import secrets
import signal
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
import redis
from django_otp.oath import totp

from tests.machine import IN_CI
from tests.processes import Browser, free_port

PROJECT = Path(__file__).resolve().parent.parent.parent
ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def unavailable(message):
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def shared_services():
    """A new PostgreSQL database and an emptied Redis database, removed afterwards."""
    name = f"mesoclinic_two_servers_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
    except (psycopg.OperationalError, redis.ConnectionError) as error:
        unavailable(f"two-server test needs PostgreSQL and Redis on this machine: {error}")
    admin.execute(f'CREATE DATABASE "{name}"')
    database_url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield database_url
    redis.Redis.from_url(REDIS_URL).flushdb()
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="module")
def running_servers(shared_services, tmp_path_factory):
    """Two `make serve` processes, started once for this module's tests (each start migrates,
    seeds, collects static files and starts gunicorn and a worker: the slow part)."""
    tmp_path = tmp_path_factory.mktemp("two-servers")
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": shared_services,
        "REDIS_URL": REDIS_URL,
        "DJANGO_SITE_URL": "https://clinic.example",
        "DJANGO_DEFAULT_FROM_EMAIL": "website@clinic.example",
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_PORT": "9",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_TRUSTED_PROXY_COUNT": "1",
        "RATING_RATE_LIMIT": "3/10m",
        "WEB_CONCURRENCY": "1",
        "DJANGO_SUPERUSER_PASSWORD": "a-long-administrator-password",
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    SERVER_ENVIRONMENT[:] = [environment]
    processes = []

    def start(port):
        log = (tmp_path / f"serve-{port}.log").open("w")
        process = subprocess.Popen(
            ["make", "--no-print-directory", "serve", f"PORT={port}"],
            cwd=PROJECT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(process)
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / f"serve-{port}.log").read_text()
            try:
                status, _, _ = Browser().request(port, "GET", "/healthz")
                if status == 200:
                    return port
            except OSError:
                pass
            time.sleep(0.5)
        pytest.fail((tmp_path / f"serve-{port}.log").read_text())

    def manage(*arguments):
        env = {**environment, "DJANGO_SETTINGS_MODULE": "mesoclinic.settings.production"}
        subprocess.run([".venv/bin/python", "manage.py", *arguments], cwd=PROJECT, env=env, check=True)

    try:
        first = start(free_port())  # migrates the new database and loads the shipped content into it
        manage("createsuperuser", "--noinput", "--username", "boss", "--email", "boss@clinic.example")
        manage(  # boss's authenticator app, with a key the test knows
            "shell", "-c",
            "from django.contrib.auth.models import User; from django_otp.plugins.otp_totp.models import TOTPDevice; "
            f"TOTPDevice.objects.create(user=User.objects.get(username='boss'), key='{BOSS_KEY}', confirmed=True)",
        )  # fmt: skip
        second = start(free_port())
        servers[:] = processes
        yield first, second, lambda: "".join(log.read_text() for log in tmp_path.glob("serve-*.log")), manage
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)


@pytest.fixture
def two_servers(running_servers):
    """The two servers as each test finds them: the shared cache emptied (no rate-limit count
    or kept page from the test before), the content as shipped."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    yield running_servers
    _first, _second, _logs, manage = running_servers
    manage("seed_content", "--overwrite", "--verbosity", "0")
    redis.Redis.from_url(REDIS_URL).flushdb()


BOSS_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, as hex

# The `make serve` processes of the running fixture, and their environment, for tests that act on them.
servers = []
SERVER_ENVIRONMENT = []


def worker_pids(serve_process) -> set[str]:
    pattern = r"^\S*python\S* manage\.py run_worker"  # the worker itself, not the shell that restarts it
    found = subprocess.run(["pgrep", "-g", str(serve_process.pid), "-f", pattern], capture_output=True, text=True)
    return set(found.stdout.split())


def test_two_servers_share_the_rate_limit_and_the_staff_session(two_servers):
    # `make serve` loaded the shipped content into the empty database, once for both servers.
    status, _, body = Browser().request(two_servers[1], "GET", "/treatments/mesotherapy/faq/")
    assert (status, "Does it hurt?" in body) == (200, True)
    first, second, server_logs, _manage = two_servers
    browser = Browser()
    status, _, html = browser.request(first, "GET", "/treatments/mesotherapy/faq/")
    assert status == 200
    page = re.search(r'data-page="(\d+)"', html).group(1)
    rate = {"Sec-Fetch-Site": "same-origin"}
    statuses = [browser.request(port, "POST", "/ratings/", f"page={page}&stars=4", rate)[0] for port in [first, first]]
    statuses += [
        browser.request(port, "POST", "/ratings/", f"page={page}&stars=5", rate)[0] for port in [second, second]
    ]
    assert statuses == [302, 302, 302, 429]  # the limit of 3 counted across both servers
    other_patient = {**rate, "X-Forwarded-For": "198.51.100.77"}
    assert Browser().request(second, "POST", "/ratings/", f"page={page}&stars=5", other_patient)[0] == 302

    staff = Browser()
    _, _, login = staff.request(first, "GET", "/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
    code = f"{totp(bytes.fromhex(BOSS_KEY)):06d}"  # what boss's authenticator app shows now
    password = "a-long-administrator-password"
    form = f"csrfmiddlewaretoken={token}&username=boss&password={password}&otp_token={code}&next=/admin/"
    status, headers, _ = staff.request(first, "POST", "/admin/login/", form)
    assert (status, headers["Location"]) == (302, "/admin/")
    status, _, admin_index = staff.request(second, "GET", "/admin/")
    assert status == 200
    assert "Clinic website administration" in admin_index

    # A patient's name typed into the queue's address leaves it at once, and reaches no access log.
    status, headers, _ = staff.request(second, "GET", "/admin/appointments/appointmentrequest/?q=Quartermain")
    assert status == 302
    assert "Quartermain" not in headers["Location"]
    status, _, _ = staff.request(second, "GET", headers["Location"])
    assert status == 200
    assert "GET /admin/appointments/appointmentrequest/ HTTP/1.1" in server_logs()
    assert "Quartermain" not in server_logs()


def test_an_edit_shows_on_every_server_at_once_though_pages_are_cached(two_servers):
    first, second, _logs, manage = two_servers
    browser = Browser()
    for port in [first, second, first, second]:  # cached on both
        status, _, html = browser.request(port, "GET", "/treatments/mesotherapy/faq/")
        assert status == 200
        assert "Mesotherapy: questions and answers" in html
    manage(
        "shell",
        "-c",
        "from treatments.models import TreatmentPage as P; p = P.objects.get(slug='faq'); "
        "p.title = 'Your questions about mesotherapy'; p.save()",
    )
    for port in [second, first]:
        _, _, html = browser.request(port, "GET", "/treatments/mesotherapy/faq/")
        assert "Your questions about mesotherapy" in html


def test_make_serve_starts_its_worker_again_when_it_dies(two_servers):
    first_server = servers[0]
    (killed,) = worker_pids(first_server)
    os.kill(int(killed), signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        started = worker_pids(first_server) - {killed}
        if started:
            break
        time.sleep(0.5)
    assert started, "make serve did not start its worker again"
    assert "The worker stopped" in two_servers[2]()


TEN_TIMES = """
import datetime
from django.utils import timezone
from appointments.booking.availability import free_times_of
from appointments.booking.models import Clinician, ExtraHours, VisitType, VisitTypeWords
from treatments.models import ClinicClosure
day = timezone.localdate() + datetime.timedelta(days=10)
while ClinicClosure.objects.filter(day=day).exists():
    day += datetime.timedelta(days=1)
person = Clinician.objects.create(name="Race clinician")
ExtraHours.objects.create(clinician=person, day=day, starts=datetime.time(9), ends=datetime.time(14))
visit = VisitType.objects.create(name="Race visit", minutes=30, step_minutes=30, notice_hours=0, horizon_days=20)
visit.clinicians.set([person])
times = [slot.starts_at.isoformat() for slot in free_times_of(visit)]
assert len(times) == 10, times
print("VISIT", visit.pk, " ".join(times))
"""


def test_fifty_patients_booking_ten_free_times_at_once_through_two_servers_get_ten_bookings(two_servers):
    """50 patients, each on one of the two servers, press "Book this time" at the same instant
    for one of 10 free times (5 for each): exactly 10 are booked, the other 40 are told in words
    that the time was just taken, and no answer is a server error."""
    first, second, _logs, _manage = two_servers
    printed = subprocess.run(
        [".venv/bin/python", "manage.py", "shell", "-c", TEN_TIMES],
        cwd=PROJECT,
        env={**SERVER_ENVIRONMENT[0], "DJANGO_SETTINGS_MODULE": "mesoclinic.settings.production"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    visit, *times = re.search(r"^VISIT (.*)$", printed, re.M).group(1).split()
    patients = []
    for number in range(50):
        port = (first, second)[number % 2]
        browser = Browser()
        at = times[number % 10]
        path = f"/appointments/book/{visit}/details/"
        status, _, page = browser.request(
            port, "GET", f"{path}?{urlencode({'at': at})}", headers={"X-Forwarded-For": f"198.51.100.{100 + number}"}
        )
        assert status == 200, page[:500]
        fields = {
            "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1),
            "form_token": re.search(r'name="form_token" value="([^"]+)"', page).group(1),
            "at": at, "first_name": f"Patient{number}", "last_name": "Rivera", "city": "Brooklyn", "state": "NY",
            "email": f"patient{number}@example.org", "phone": "(718) 555-0142", "contact_preference": "phone",
            "call_language": "en",
        }  # fmt: skip
        patients.append((browser, port, path, urlencode(fields), f"198.51.100.{100 + number}"))
    barrier = threading.Barrier(len(patients))

    def book(patient):
        browser, port, path, body, address = patient
        barrier.wait()
        status, _, page = browser.request(port, "POST", path, body, {"X-Forwarded-For": address})
        return status, page

    with ThreadPoolExecutor(max_workers=len(patients)) as pool:
        answers = list(pool.map(book, patients))
    statuses = [status for status, _page in answers]
    assert statuses.count(302) == 10, statuses
    assert statuses.count(409) == 40, statuses
    assert all("That time was just taken" in page for status, page in answers if status == 409)
    with psycopg.connect(SERVER_ENVIRONMENT[0]["DATABASE_URL"]) as database:
        booked = database.execute(
            "SELECT starts_at, count(*) FROM appointments_booking WHERE visit_type_id = %s AND status = 'booked' "
            "GROUP BY starts_at",
            [int(visit)],
        ).fetchall()
    assert len(booked) == 10
    assert all(count == 1 for _starts_at, count in booked)
