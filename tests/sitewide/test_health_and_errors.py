"""/healthz, and error pages that still help a patient when the database is down."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import OperationalError

from conftest import sign_in

PROJECT = Path(__file__).resolve().parent.parent.parent
CLINIC_PHONE = "1-212-679-9667"


@pytest.mark.django_db
def test_healthz_says_ok_when_the_database_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "worker": "ok", "notifications": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_names_the_cache_when_it_does_not_answer(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(caches["default"], "set", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "unavailable", "worker": "ok", "notifications": "ok"}


def without_database(paths, post_form_to=None):
    """Requests the paths in a fresh process whose database cannot be reached (a closed port);
    `post_form_to` also sends a patient's appointment request there."""
    code = textwrap.dedent(
        f"""
        import json, django
        django.setup()
        from django.test import Client
        from tests.appointments.factories import form_data
        client = Client(raise_request_exception=False, SERVER_NAME="localhost")
        answers = {{}}
        for path in {paths!r}:
            response = client.get(path)
            answers[path] = [response.status_code, response.content.decode()]
        if {post_form_to!r}:
            response = client.post({post_form_to!r}, form_data(first_name="Quartermain", newsletter="on"))
            answers["POST " + {post_form_to!r}] = [response.status_code, response.content.decode()]
        print(json.dumps(answers))
        """
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="mesoclinic.settings.test",
        DATABASE_URL="postgres://nobody@127.0.0.1:9/nothing",
        PGCONNECT_TIMEOUT="2",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_database_pages_are_the_sites_503_page_with_the_phone_number():
    answers = without_database(["/no-such-page/", "/", "/treatments/mesotherapy/", "/healthz"])
    status, html = answers["/no-such-page/"]
    assert status == 404
    assert "Page not found" in html
    assert CLINIC_PHONE in html
    for path in ["/", "/treatments/mesotherapy/"]:
        status, html = answers[path]
        assert status == 503, path  # a short outage, not a fault: nginx may answer with its kept copy
        assert "The website is not available just now" in html
        assert CLINIC_PHONE in html
        assert 'href="tel:+12126799667"' in html
    status, body = answers["/healthz"]
    assert status == 503
    assert json.loads(body) == {
        "database": "unavailable",
        "cache": "ok",
        "worker": "unknown",
        "notifications": "unknown",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status", "title"),
    [
        ("/no-such-page/", 404, "Page not found"),
        ("/treatments/mesotherapy/unknown/", 404, "Page not found"),
    ],
)
def test_error_pages_are_in_the_sites_look_with_the_phone_number(client, content, path, status, title):
    response = client.get(path)
    assert response.status_code == status
    html = response.content.decode()
    assert title in html
    assert 'class="site-header"' in html
    assert CLINIC_PHONE in html


@pytest.mark.django_db
def test_a_hostile_host_header_gets_the_400_page_not_a_server_error(client, content):
    response = client.get("/", HTTP_HOST="evil.example\r\nX-Injected: 1")
    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()
    assert CLINIC_PHONE in response.content.decode()


@pytest.mark.django_db
def test_a_server_error_renders_the_500_page_with_the_phone_number(client, content, monkeypatch):
    from treatments import views

    def broken(*args, **kwargs):
        raise ValueError("a fault in the page's code")

    monkeypatch.setattr(views, "published_page", broken)
    client.raise_request_exception = False
    response = client.get("/treatments/mesotherapy/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the site" in response.content.decode()
    assert CLINIC_PHONE in response.content.decode()

    def database_gone(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(views, "published_page", database_gone)
    response = client.get("/treatments/mesotherapy/")
    assert response.status_code == 503  # an outage: the site's 503 page, and nginx's kept copy
    assert response["Retry-After"] == "60"
    assert "The website is not available just now" in response.content.decode()


@pytest.mark.django_db
def test_staff_without_permission_get_the_403_page(client, content, django_user_model):
    user = django_user_model.objects.create_user("someone", password="a-long-enough-password", is_staff=True)
    sign_in(client, user)
    response = client.get("/admin/appointments/appointmentrequest/")
    assert response.status_code == 403


def test_without_a_database_the_form_comes_back_with_what_was_typed_and_says_nothing_was_sent():
    form = "/appointments/request/"
    answers = without_database([form, "/appointments/request/thanks/"], post_form_to=form)
    status, html = answers["POST " + form]
    assert status == 503
    assert "Your request has not been sent" in html
    assert "nothing was sent" in html
    assert CLINIC_PHONE in html
    assert "<title>Not sent: Request an appointment" in html
    assert 'value="Quartermain"' in html  # what the patient typed is still there
    assert 'value="ana.rivera@example.org"' in html
    assert 'value="mesotherapy" selected' in html
    assert "Thank you" not in html
    status, html = answers[form]
    assert status == 503
    assert "Requests cannot be sent just now" in html  # said before anything is typed
    assert "has not been sent" not in html
    status, html = answers["/appointments/request/thanks/"]
    assert status == 200
    assert "No request to confirm" in html


@pytest.mark.django_db
def test_healthz_says_when_no_worker_takes_the_tasks_and_mail_waits_too_long(client, content, settings):
    import datetime

    from django.utils import timezone

    from appointments.tasks import deliver_request_notifications
    from tests.appointments.factories import make_request

    settings.NOTIFICATION_ALERT_MINUTES = 30
    long_ago = timezone.now() - datetime.timedelta(minutes=45)
    appointment = make_request(received_at=long_ago)  # its staff alert was never sent
    deliver_request_notifications.using(run_after=long_ago).enqueue(appointment.pk)  # and no worker took it
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "cache": "ok",
        "worker": "silent",
        "notifications": "oldest unsent 45 min",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("noticed_by", ["a worker starting", "a running worker's heartbeat"])
def test_a_task_whose_worker_died_is_queued_again_after_the_lease(content, settings, noticed_by):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from appointments.tasks import deliver_request_notifications
    from tests.appointments.factories import make_request

    result = deliver_request_notifications.enqueue(make_request().pk)
    started = timezone.now() - datetime.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS + 60)
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", started_at=started)  # its worker was killed
    fresh = deliver_request_notifications.enqueue(make_request(email="b@example.org", phone="+12125550111").pk)
    DBTaskResult.objects.filter(pk=fresh.id).update(status="RUNNING", started_at=timezone.now())  # still running
    if noticed_by == "a worker starting":
        call_command("requeue_stalled_tasks", verbosity=0)
    else:
        from appointments.tasks import worker_heartbeat

        worker_heartbeat.call()
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
    assert DBTaskResult.objects.get(pk=fresh.id).status == "RUNNING"


@pytest.mark.django_db
def test_a_running_worker_keeps_a_heartbeat_and_healthz_says_silent_when_it_stops(client, content, monkeypatch):
    import datetime
    import io

    from django.core.management import call_command
    from django.utils import timezone
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    from appointments.models import WorkerHeartbeat

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)  # the test's own connection
    call_command("requeue_stalled_tasks", stdout=io.StringIO())  # as before every start of the worker
    call_command("requeue_stalled_tasks", stdout=io.StringIO())  # twice: still one heartbeat waiting
    assert DBTaskResult.objects.filter(task_path="appointments.tasks.worker_heartbeat", status="READY").count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # the worker takes it
    beat = WorkerHeartbeat.objects.get()
    assert timezone.now() - beat.beat_at < datetime.timedelta(seconds=30)
    assert client.get("/healthz").json()["worker"] == "ok"
    next_beat = DBTaskResult.objects.get(task_path="appointments.tasks.worker_heartbeat", status="READY")
    assert next_beat.run_after > timezone.now()  # queued again for later

    WorkerHeartbeat.objects.update(beat_at=timezone.now() - datetime.timedelta(minutes=6))  # the worker died
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "silent"


@pytest.mark.django_db
def test_healthz_names_a_task_running_past_its_lease(client, content, settings):
    import datetime

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from appointments.models import WorkerHeartbeat
    from appointments.tasks import deliver_request_notifications
    from tests.appointments.factories import make_request

    WorkerHeartbeat.objects.create(pk=1, beat_at=timezone.now())  # a worker is alive...
    result = deliver_request_notifications.enqueue(make_request().pk)
    started = timezone.now() - datetime.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS + 5)
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", started_at=started)  # ...another died
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "1 task(s) running past their lease"
