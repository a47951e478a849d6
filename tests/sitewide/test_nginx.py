"""The shipped nginx configuration, run for real with Debian's nginx in front of the site: TLS,
the proxy cache for public pages only, the client address Django sees, and an access log without
query strings."""

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.machine import IN_CI
from tests.processes import free_port

PROJECT = Path(__file__).resolve().parent.parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture
def nginx_in_front(live_server, tmp_path, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    call_command("seed_content", verbosity=0)
    with shipped_nginx(tmp_path, settings, upstream=live_server.url.removeprefix("http://")) as port:
        yield port, tmp_path


@pytest.fixture
def nginx_without_its_site(tmp_path, settings):
    """The shipped nginx while gunicorn is not answering (its port is closed)."""
    call_command("seed_content", verbosity=0)
    with shipped_nginx(tmp_path, settings, upstream=f"127.0.0.1:{free_port()}") as port:
        yield port, tmp_path


@contextlib.contextmanager
def shipped_nginx(tmp_path, settings, upstream):
    """The shipped configuration on free ports, in front of `upstream` (one address, or a list)."""
    if not Path(NGINX).exists():
        message = "no nginx here (apt-get install nginx)"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    call_command("write_error_pages", verbosity=0)  # as make serve does
    port, http_port = free_port(), free_port()
    (tmp_path / "http_port").write_text(str(http_port))
    for folder in ["cache", "logs", "static", "media"]:
        (tmp_path / folder).mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(tmp_path / "cache", 0o777)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (PROJECT / "deploy" / "nginx.conf").read_text()
    replacements = {
        "/etc/letsencrypt/live/clinic.example/fullchain.pem": str(tmp_path / "cert.pem"),
        "/etc/letsencrypt/live/clinic.example/privkey.pem": str(tmp_path / "key.pem"),
        "/var/cache/nginx/mesoclinic": str(tmp_path / "cache"),
        "/var/log/nginx": str(tmp_path / "logs"),
        "/srv/mesoclinic": str(tmp_path),
        "/etc/nginx/snippets/mesoclinic-proxy.conf": str(PROJECT / "deploy" / "nginx-proxy.conf"),
        "server 127.0.0.1:8000;": " ".join(
            f"server {one};" for one in ([upstream] if isinstance(upstream, str) else upstream)
        ),
        "server_name clinic.example;": "server_name localhost 127.0.0.1;",
        "listen 80;": f"listen {http_port};",
        "listen 443 ssl http2;": f"listen {port} ssl http2;",
    }
    for old, new in replacements.items():
        assert old in site, old
        site = site.replace(old, new)
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    (tmp_path / "site.conf").write_text(site)
    # Run as root here, nginx's workers would be "nobody", who cannot enter pytest's private folder.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\n"
        f"events {{ worker_connections 64; }}\n"
        f"http {{ include /etc/nginx/mime.types; include {tmp_path}/site.conf; }}\n"
    )
    check = subprocess.run([NGINX, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [NGINX, "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"], start_new_session=True
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def written_logs(folder):
    """Both logs as they stand: the access log is written in 32 KB blocks, and reopening the logs
    (what logrotate does) writes out the rest."""
    os.kill(int((folder / "nginx.pid").read_text()), signal.SIGUSR1)
    time.sleep(0.5)
    return {log.name: log.read_text() for log in (folder / "logs").iterdir()}


def fetch(port, path, headers=None):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=20)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read().decode(errors="replace")
    connection.close()
    return response.status, response.headers, body


@pytest.mark.django_db(transaction=True)
def test_nginx_caches_public_pages_only_and_logs_no_query_strings(nginx_in_front):
    port, folder = nginx_in_front
    statuses = [fetch(port, "/treatments/mesotherapy/faq/")[1]["X-Cache-Status"] for _ in range(2)]
    assert statuses == ["MISS", "HIT"]
    never = ["/appointments/request/", "/admin/login/", "/newsletter/", "/newsletter/check-your-email/", "/healthz"]
    for path in [*never, "/treatments/mesotherapy/faq/?rated=4"]:
        for _ in range(2):
            _, headers, _ = fetch(port, path)
        assert headers.get("X-Cache-Status") != "HIT", path
    _, headers, _ = fetch(port, "/admin/appointments/appointmentrequest/?q=Quartermain")
    # a clinician's feed and a patient's booking links carry secrets: logged without them
    for path in ["/calendar/feed-secret-4711.ics", "/appointments/booking/link-secret-0815/move/"]:
        fetch(port, path)
    log = written_logs(folder)["mesoclinic.access.log"]
    assert "GET /admin/appointments/appointmentrequest/ HTTP/1.1" in log
    assert "Quartermain" not in log
    assert "GET /calendar/[secret] HTTP/1.1" in log
    assert "GET /appointments/booking/[secret]/move/ HTTP/1.1" in log
    assert "secret-4711" not in log
    assert "secret-0815" not in log


@pytest.mark.django_db(transaction=True)
def test_behind_nginx_django_sees_the_patients_address_not_the_proxy(nginx_in_front, settings):
    from django.core.cache import cache

    port, _ = nginx_in_front
    settings.APPOINTMENT_RATE_LIMIT = "1/10m"
    settings.RATING_RATE_LIMIT = "1/10m"
    cache.clear()
    from treatments.models import TreatmentPage

    page = TreatmentPage.objects.get(slug="faq").pk
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    def rate(claimed):
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=20)
        connection.request(
            "POST",
            "/ratings/",
            body=f"page={page}&stars=5",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin",
                     "X-Forwarded-For": claimed},  # what a client may send: nginx appends the real one
        )  # fmt: skip
        status = connection.getresponse().status
        connection.close()
        return status

    # Both posts come from 127.0.0.1 and claim different addresses: nginx appends the one it saw,
    # Django (trusting one proxy) counts that, so the second post is refused.
    assert [rate("198.51.100.1"), rate("198.51.100.2")] == [302, 429]


@pytest.mark.django_db(transaction=True)
def test_nginx_serves_uploaded_pictures_from_media_root(nginx_in_front):
    import io

    from PIL import Image

    port, folder = nginx_in_front
    rendition = folder / "media" / "pictures" / "renditions" / "room-480.webp"
    rendition.parent.mkdir(parents=True)
    out = io.BytesIO()
    Image.new("RGB", (480, 270), "#0b5e69").save(out, "WEBP")
    rendition.write_bytes(out.getvalue())
    status, headers, _ = fetch(port, "/media/pictures/renditions/room-480.webp")
    assert status == 200
    assert headers["Content-Type"] == "image/webp"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    assert headers["Content-Disposition"] is None  # a picture is shown
    (folder / "media" / "pictures" / "page.html").write_text("<script>alert(1)</script>")
    status, headers, _ = fetch(port, "/media/pictures/page.html")  # anything else: downloaded, never run
    assert status == 200
    assert headers["Content-Disposition"] == "attachment"
    assert "sandbox" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    # nginx never hands out a file outside media (the path goes on to the site, which has no such page).
    assert "proxy_cache_path" not in fetch(port, "/media/pictures/../../site.conf")[2]


@pytest.mark.django_db(transaction=True)
def test_nginx_shows_a_new_tally_once_its_short_keep_is_over(nginx_in_front, settings):
    from appointments.ratings.services import page_rating_submit
    from treatments.models import TreatmentPage

    port, _ = nginx_in_front
    settings.PROXY_CACHE_SECONDS = 2
    assert "Not Rated Yet" in fetch(port, "/treatments/mesotherapy/faq/")[2]
    page_rating_submit(page=TreatmentPage.objects.get(slug="faq"), visitor=uuid.uuid4(), stars=4)
    _, headers, body = fetch(port, "/treatments/mesotherapy/faq/")
    assert headers["X-Cache-Status"] == "HIT"  # within PROXY_CACHE_SECONDS nginx may still answer the old copy
    time.sleep(settings.PROXY_CACHE_SECONDS + 1)
    _, headers, body = fetch(port, "/treatments/mesotherapy/faq/")
    assert "4.0 out of 5 (1 rating)" in body
    assert "Not Rated Yet" not in body


def raw(port, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.django_db(transaction=True)
def test_plain_http_redirects_to_the_servers_own_name_and_answers_the_health_check(nginx_in_front):
    _, folder = nginx_in_front
    http_port = int((folder / "http_port").read_text())
    answer = raw(http_port, b"GET /treatments/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n").decode()
    assert answer.startswith("HTTP/1.1 301")
    assert "Location: https://localhost/treatments/" in answer
    assert "evil.example" not in answer
    health = raw(http_port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").decode()
    assert health.startswith("HTTP/1.1 200")
    assert '"database": "ok"' in health or '"database":"ok"' in health


@pytest.mark.django_db(transaction=True)
def test_http_0_9_gets_no_answer(nginx_in_front):
    _, folder = nginx_in_front
    assert raw(int((folder / "http_port").read_text()), b"GET /\r\n") == b""


@pytest.mark.django_db(transaction=True)
def test_the_health_check_never_goes_through_the_page_cache(nginx_in_front):
    port, _ = nginx_in_front
    for _ in range(2):
        status, headers, _ = fetch(port, "/healthz")
        assert status == 200
        assert "X-Cache-Status" not in headers


@pytest.mark.django_db(transaction=True)
def post(port, path, body: bytes, declared_length=None):
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=20)
    connection.putrequest("POST", path)
    connection.putheader("Content-Length", str(declared_length if declared_length is not None else len(body)))
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.endheaders()
    if declared_length is None:
        connection.send(body)
    response = connection.getresponse()
    return response.status, response.headers, response.read().decode()


SITE_HEADERS = [
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
]


def test_nginxs_own_error_pages_are_the_sites_with_its_headers_and_phone(nginx_in_front, settings):
    port, folder = nginx_in_front
    status, headers, body = post(port, "/appointments/request/", b"", declared_length=50 * 1024 * 1024)
    assert status == 413
    assert "That was too large to send" in body
    assert "1-212-679-9667" in body
    for header in SITE_HEADERS:
        assert headers[header], header
    expected = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)
    assert headers["Permissions-Policy"] == expected  # the same as the site's own pages
    # A 3 MB comment is the site's 413 page too (from nginx, before gunicorn reads a byte): never a 502.
    status, _headers, body = post(port, "/appointments/request/", b"comments=" + b"x" * 3 * 1024 * 1024)
    assert status == 413
    assert "nothing was saved or sent" in body
    log = written_logs(folder)["mesoclinic.access.log"]
    assert '"POST /appointments/request/ HTTP/1.1" 413' in log  # logged as sent, not as the error page's GET
    assert '"GET /appointments/request/' not in log


def test_nginxs_own_error_pages_speak_the_addresss_language(nginx_in_front):
    port, _ = nginx_in_front
    # The Spanish request form takes only a small body, like the English one, and says so in Spanish.
    status, _headers, body = post(port, "/es/citas/solicitar/", b"comments=" + b"x" * 3 * 1024 * 1024)
    assert status == 413
    assert '<html lang="es">' in body
    assert "Era demasiado grande para enviarlo" in body
    assert "That was too large to send" not in body
    status, _headers, body = post(port, "/appointments/request/", b"comments=" + b"x" * 3 * 1024 * 1024)
    assert (status, '<html lang="en">' in body) == (413, True)
    # Spanish forms are never kept by nginx, as the English ones.
    for _ in range(2):
        _, headers, _ = fetch(port, "/es/citas/solicitar/")
    assert headers.get("X-Cache-Status") != "HIT"


@pytest.mark.django_db
def test_the_site_not_answering_is_said_in_the_addresss_language(nginx_without_its_site):
    port, _ = nginx_without_its_site
    status, _, body = fetch(port, "/es/tratamientos/mesoterapia/")
    assert status == 502
    assert '<html lang="es">' in body
    assert "El sitio web no está disponible en este momento" in body
    assert "1-212-679-9667" in body
    status, _, body = fetch(port, "/treatments/mesotherapy/")
    assert "The website is not available just now" in body
    assert '<html lang="en">' in body


def test_nginx_serves_its_kept_copy_while_the_database_is_down(nginx_in_front, settings, monkeypatch):
    from django.db import OperationalError

    from treatments import views

    port, _ = nginx_in_front
    settings.PROXY_CACHE_SECONDS = 1
    status, headers, _ = fetch(port, "/treatments/mesotherapy/faq/")
    assert (status, headers["X-Cache-Status"]) == (200, "MISS")
    time.sleep(2)  # the copy's keep is over: nginx would ask the site again

    def database_gone(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(views, "published_page", database_gone)
    status, headers, body = fetch(port, "/treatments/mesotherapy/faq/")
    assert (status, headers["X-Cache-Status"]) == (200, "EXPIRED")  # the site answers from its kept words
    assert "Does it hurt?" in body
    time.sleep(2)
    cache.clear()  # and once the site's cache has nothing either:
    status, headers, body = fetch(port, "/treatments/mesotherapy/faq/")
    assert (status, headers["X-Cache-Status"]) == (200, "STALE")  # the page as it was, not an error
    assert "Does it hurt?" in body
    status, _headers, body = fetch(port, "/treatments/mesotherapy/side-effects-and-safety/")  # never kept
    assert status == 503
    assert "The website is not available just now" in body


@pytest.mark.django_db
def test_when_the_site_does_not_answer_no_nginx_log_holds_a_query_string(nginx_without_its_site):
    port, folder = nginx_without_its_site
    for path in ["/admin/appointments/appointmentrequest/?q=Quartermain", "/treatments/?name=Quartermain"]:
        status, _, body = fetch(port, path)
        assert status == 502
        assert "1-212-679-9667" in body  # the site's own page, with the phone number
    logs = written_logs(folder)
    assert "Quartermain" not in "".join(logs.values())
    # What went wrong is still on record, in the access log: the path, 502, and the upstream.
    access = logs["mesoclinic.access.log"]
    line = r'"GET /admin/appointments/appointmentrequest/ HTTP/1.1" 502 .* upstream=127\.0\.0\.1:\d+ 502'
    assert re.search(line, access)


@pytest.mark.django_db(transaction=True)
def test_a_draft_never_reaches_patients_through_nginx(nginx_in_front):
    from treatments.drafts import open_draft
    from treatments.models import TreatmentPage

    port, _ = nginx_in_front
    faq = TreatmentPage.objects.get(slug="faq")
    for _ in range(2):
        fetch(port, faq.get_absolute_url())  # kept by nginx and the page cache
    draft = open_draft(faq)
    answer = draft.faq_entries.get(anchor="pain")
    answer.answer = "Draft answer nobody may read yet."
    answer.save()
    time.sleep(1)
    status, _, body = fetch(port, faq.get_absolute_url() + "?fresh=1")  # past nginx's cache, to Django
    assert status == 200
    assert "Draft answer nobody" not in body
    assert "Draft answer nobody" not in fetch(port, faq.get_absolute_url())[2]
