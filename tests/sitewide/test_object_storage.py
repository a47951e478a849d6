"""Pictures in an S3-compatible object store, shared by two servers that keep nothing of their own.

A real S3 server (moto's server mode, started on a free port: pure Python from PyPI, so CI needs
nothing else, and it keeps every version of an object, so a test can count writes), a real
PostgreSQL database and two real gunicorn servers, each with its own folders for static files
and media: a picture on one server's disk would be missing on the other.
"""

import io
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from bs4 import BeautifulSoup
from django_otp.oath import totp
from PIL import Image

from tests.processes import Browser, ObjectStore
from tests.sitewide.gunicorn_servers import two_gunicorn_servers

PROJECT = Path(__file__).resolve().parent.parent.parent
EDITOR_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, as hex
PASSWORD = "a-long-editor-password-for-tests"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
PICTURES, BACKUPS = "mesoclinic-pictures", "mesoclinic-backups"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("object-storage")
    store = ObjectStore(folder / "store.log").start(buckets=[PICTURES, BACKUPS], versioned=[PICTURES])
    try:
        with two_gunicorn_servers(
            folder, REDIS_URL, MEDIA_STORAGE_URL=store.url(PICTURES), BACKUP_STORAGE_URL=store.url(BACKUPS)
        ) as servers:
            made = servers.manage("shell", "-c", EDITOR.format(password=PASSWORD, key=EDITOR_KEY))
            assert made.returncode == 0, made.stderr
            yield Site(store, servers.servers, servers.manage, folder)
    finally:
        if store.process.poll() is None:
            store.stop()


EDITOR = (
    "from django.contrib.auth.models import Group, User; "
    "from django_otp.plugins.otp_totp.models import TOTPDevice; "
    "user = User.objects.create_user('editor', 'editor@clinic.example', '{password}', is_staff=True); "
    "user.groups.add(Group.objects.get(name='Editors')); "
    "TOTPDevice.objects.create(user=user, key='{key}', confirmed=True)"
)


class Site:
    def __init__(self, store, servers, manage, folder):
        self.store, self.servers, self.manage, self.folder = store, servers, manage, folder
        self.signed_in = None

    def port(self, name):
        return self.servers[name][0]

    def editor(self):
        """A browser signed in to the admin as an editor (once: a code of the authenticator app
        signs in once), whose session both servers know."""
        if self.signed_in:
            return self.signed_in
        browser = Browser()
        port = self.port("first")
        _, _, login = browser.request(port, "GET", "/admin/login/")
        form = {
            "csrfmiddlewaretoken": csrf_token(login),
            "username": "editor",
            "password": PASSWORD,
            "otp_token": f"{totp(bytes.fromhex(EDITOR_KEY)):06d}",
            "next": "/admin/",
        }
        body = "&".join(f"{key}={value}" for key, value in form.items())
        status, headers, _ = browser.request(port, "POST", "/admin/login/", body)
        assert (status, headers["Location"]) == (302, "/admin/")
        self.signed_in = browser
        return browser

    def treatment_id(self):
        with psycopg.connect(self.servers["first"][1]["DATABASE_URL"]) as database:
            return database.execute(
                "SELECT id FROM treatments_treatment WHERE slug = 'mesotherapy' AND language = 'en'"
            ).fetchone()[0]

    def treatment_picture(self):
        with psycopg.connect(self.servers["first"][1]["DATABASE_URL"]) as database:
            return database.execute(
                "SELECT image, image_alt FROM treatments_treatment WHERE slug = 'mesotherapy' AND language = 'en'"
            ).fetchone()

    def upload(self, server, picture: bytes, alt: str):
        """An editor puts `picture` on the treatment's card through `server`'s admin; returns the
        status and the page the admin answered with."""
        browser = self.editor()
        port = self.port(server)
        path = f"/admin/treatments/treatment/{self.treatment_id()}/change/"
        _, _, html = browser.request(port, "GET", path)
        fields = [*form_fields(html, "treatment_form"), ("image_alt", alt), ("_save", "Save")]
        fields = [(name, value) for name, value in fields if name != "image_alt" or value == alt]
        body, content_type = multipart(fields, {"image": ("card.png", picture, "image/png")})
        status, headers, answer = browser.request(port, "POST", path, body, {"Content-Type": content_type})
        if status == 302:
            _, _, answer = browser.request(port, "GET", headers["Location"])
        return status, answer

    def pictures_on_home_page(self, server) -> list[str]:
        _, _, html = Browser().request(self.port(server), "GET", "/")
        card = BeautifulSoup(html, "html.parser").find("img", srcset=True)
        return [entry.split()[0] for entry in card["srcset"].split(",")] if card else []


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    """What a browser would send from the form as the page drew it (files aside)."""
    form = BeautifulSoup(html, "html.parser").find("form", id=form_id)
    fields = []
    for element in form.find_all(["input", "select", "textarea"]):
        name = element.get("name")
        if not name or element.has_attr("disabled"):
            continue
        if element.name == "textarea":
            fields.append((name, element.text.removeprefix("\n")))
        elif element.name == "select":
            chosen = element.find_all("option", selected=True) or ([] if element.has_attr("multiple") else
                                                                     element.find_all("option")[:1])  # fmt: skip
            fields += [(name, option.get("value", option.text)) for option in chosen]
        elif element.get("type", "text") in ("checkbox", "radio"):
            if element.has_attr("checked"):
                fields.append((name, element.get("value", "on")))
        elif element.get("type", "text") not in ("submit", "button", "file", "reset", "image"):
            fields.append((name, element.get("value", "")))
    return fields


def multipart(fields, files) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    body = io.BytesIO()
    for name, value in fields:
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, kind) in files.items():
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                   f"Content-Type: {kind}\r\n\r\n".encode() + content + b"\r\n")  # fmt: skip
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


def png(colour, size=(1600, 900)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, b""


def versions(store, key) -> int:
    """How many times `key` was written (deletions aside)."""
    answer = store.client().list_object_versions(Bucket=PICTURES, Prefix=key)
    return sum(1 for version in answer.get("Versions", []) if version["Key"] == key)


def test_a_picture_uploaded_through_one_server_is_seen_with_its_renditions_through_the_other(site):
    status, page = site.upload("first", png((200, 120, 90)), "A nurse preparing a treatment tray")
    assert status == 302, BeautifulSoup(page, "html.parser").get_text(" ", strip=True)[:800]
    name, _alt = site.treatment_picture()
    assert re.fullmatch(r"pictures/card-[0-9a-f]{16}\.png", name)  # named by a digest of its bytes
    urls = site.pictures_on_home_page("second")
    assert len(urls) == 3  # 480, 960 and 1440 pixels wide
    for url in urls:
        assert url.startswith(f"http://127.0.0.1:{site.store.port}/{PICTURES}/pictures/renditions/")
        status, headers, body = fetch(url)  # as a patient's browser would, with no key
        assert (status, headers["Content-Type"], body[:4]) == (200, "image/webp", b"RIFF")
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert fetch(f"http://127.0.0.1:{site.store.port}/{PICTURES}/{name}")[0] == 200
    # Neither server wrote a picture to its own disk.
    assert not any((own / "media").exists() for _port, _env, own in site.servers.values())

    # Replaced through the other server: the old picture and its renditions leave the bucket.
    status, _ = site.upload("second", png((30, 90, 160)), "A nurse preparing a treatment tray")
    assert status == 302
    new_name, _alt = site.treatment_picture()
    assert new_name != name
    left = site.store.objects(PICTURES)
    assert name not in left
    assert not [key for key in left if Path(name).stem in key]
    assert [fetch(url)[0] for url in site.pictures_on_home_page("first")] == [200, 200, 200]


def test_renditions_are_made_once_when_both_servers_are_asked_at_the_same_instant(site):
    assert site.upload("first", png((90, 160, 60)), "A treatment room")[0] == 302
    name, _alt = site.treatment_picture()
    stem = Path(name).stem
    renditions = [f"pictures/renditions/{stem}-{width}.webp" for width in (480, 960, 1440)]
    assert [versions(site.store, key) for key in renditions] == [1, 1, 1]
    client = site.store.client()
    for key in renditions:  # lost, as after restoring only the originals
        client.delete_object(Bucket=PICTURES, Key=key)

    # Each server's `make serve` makes the missing renditions at its start: both at the same
    # instant (each process, once Django is loaded, waits for the same moment to run it).
    at = time.time() + 8
    together = f"import time; time.sleep(max(0, {at} - time.time())); call_command('make_renditions')"
    commands = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from django.core.management import call_command; " + together,
            ],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _port, env, _own in site.servers.values()
    ]
    printed = sorted(command.communicate(timeout=120)[0].strip().splitlines()[-1] for command in commands)
    assert printed == ["Made 0 renditions.", "Made 3 renditions."]
    assert [versions(site.store, key) for key in renditions] == [2, 2, 2]  # the first, and one more each
    assert [fetch(url)[0] for url in site.pictures_on_home_page("second")] == [200, 200, 200]


def test_a_backup_holds_every_object_and_restores_them_into_an_empty_bucket(site):
    assert site.upload("second", png((140, 140, 40)), "A treatment room")[0] == 302
    before = site.store.objects(PICTURES)
    assert len(before) >= 4  # the picture and its three renditions, at least
    made = site.manage("backup_site", env=site.servers["first"][1])
    assert made.returncode == 0, made.stderr
    name = re.search(r"(mesoclinic-\d{8}T\d{6}Z)", made.stdout).group(1)
    # In the backups' own bucket, private: no address reads it without the key; no copy left here.
    backups = site.store.objects(BACKUPS)
    assert sorted(backups) == [f"{name}/database.dump", f"{name}/media.tar.gz"]
    assert fetch(f"http://127.0.0.1:{site.store.port}/{BACKUPS}/{name}/database.dump")[0] == 403
    assert not (site.folder / "backups" / name).exists()

    client = site.store.client()
    for key in before:
        client.delete_object(Bucket=PICTURES, Key=key)
    assert site.store.objects(PICTURES) == {}
    restored = site.manage("restore_site", name, env=site.servers["second"][1])
    assert restored.returncode == 0, restored.stderr
    assert site.store.objects(PICTURES) == before  # every object, byte for byte
    for key in before:
        head = client.head_object(Bucket=PICTURES, Key=key)
        assert head["CacheControl"] == "public, max-age=31536000, immutable"
        assert head["ContentType"] in ("image/png", "image/webp")


def test_with_the_store_down_editors_get_a_clear_error_and_patients_every_page(site):
    assert site.upload("first", png((10, 60, 60)), "A waiting room")[0] == 302
    before = site.treatment_picture()
    site.store.stop()
    try:
        status, page = site.upload("second", png((250, 250, 250)), "Something else")
        assert status == 200  # the form again, with the error on the picture's field
        text = BeautifulSoup(page, "html.parser").get_text(" ", strip=True)
        assert "The picture store cannot be reached just now, so nothing was saved." in text
        assert site.treatment_picture() == before  # not the new text either: nothing half-saved
        for path in ["/", "/treatments/mesotherapy/", "/treatments/mesotherapy/faq/"]:
            status, _, html = Browser().request(site.port("first"), "GET", path)
            assert status == 200, path
            assert "Mesotherapy" in html
        status, _, html = Browser().request(site.port("second"), "GET", "/treatments/mesotherapy/faq/")
        assert (status, "Does it hurt?" in html) == (200, True)
    finally:
        site.store.start(buckets=[PICTURES, BACKUPS], versioned=[PICTURES])
