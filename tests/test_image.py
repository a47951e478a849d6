"""The container image's recipe (Dockerfile, deploy/image/build.sh), built and run.

With podman on the machine (Debian's package; no image registry is reachable from these
machines), the image itself is built on a base made of Debian's packages (debootstrap, then
`podman import`) and run read-only, as its own user, with its HEALTHCHECK. Without podman, the
same build script runs in a plain folder and the site is run from there as the image runs it:
the same commands, the same user id, the same paths under a folder, read-only.
"""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.machine import IN_CI
from tests.processes import Browser, free_port

PROJECT = Path(__file__).resolve().parent.parent
IMAGE_USER = 10001  # the Dockerfile's `mesoclinic` user


def site_environment(database: Path) -> dict:
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "mesoclinic.settings.production",
        "DJANGO_SECRET_KEY": "image-test-" + "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "clinic.example",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        "DJANGO_SITE_URL": "https://clinic.example",
        "DJANGO_DEFAULT_FROM_EMAIL": "website@clinic.example",
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def as_image_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command  # not root: this user stands in for it
    return ["setpriv", f"--reuid={IMAGE_USER}", f"--regid={IMAGE_USER}", "--clear-groups", *command]


def answer(port: int, path: str):
    return Browser().request(port, "GET", path, headers={"Host": "clinic.example"})


def once_answering(server, port: int, path: str, log: Path, seconds=90):
    """The answer to `path` as soon as the server takes connections."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return answer(port, path)
        except OSError:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline
            time.sleep(0.3)


@pytest.fixture
def open_folder():
    """A folder the image's user may enter (pytest's own are its owner's alone), removed after."""
    folder = Path(tempfile.mkdtemp(prefix="mesoclinic-image-"))
    folder.chmod(0o755)
    yield folder
    subprocess.run(["chmod", "-R", "u+w", str(folder)], check=False)
    shutil.rmtree(folder, ignore_errors=True)


def podman_can_build() -> bool:
    return bool(shutil.which("podman") and shutil.which("debootstrap") and shutil.which("runc")) and os.geteuid() == 0


def test_the_image_recipe_builds_in_a_plain_folder_and_runs_read_only_as_its_user(open_folder):
    if podman_can_build():
        pytest.skip("the image itself is built and run with podman on this machine (the next test)")
    tmp_path = open_folder
    root = tmp_path / "image"
    venv, app = root / "opt" / "mesoclinic" / "venv", root / "srv" / "mesoclinic"
    built = subprocess.run(["sh", "deploy/image/build.sh", str(venv), str(app), str(PROJECT)], cwd=PROJECT,
                           capture_output=True, text=True, env={**os.environ, "PIP_NO_CACHE_DIR": "0"})  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    # The locked runtime requirements only: no test or tool package in the image.
    for package in ["pytest", "playwright", "ruff", "moto"]:
        found = subprocess.run([str(venv / "bin" / "python"), "-c", f"import {package}"], capture_output=True)
        assert found.returncode != 0, package
    assert (app / "staticfiles" / "staticfiles.json").exists()  # collected at build time, with its manifest
    assert list((app / "locale").rglob("django.mo"))  # the messages compiled at build time
    assert not (app / "tests").exists()

    # Read-only from here on, as the image's root file system; the database lives elsewhere.
    data = tmp_path / "data"
    data.mkdir()
    subprocess.run(["chmod", "-R", "a-w", str(root)], check=True)
    if os.geteuid() == 0:
        os.chown(data, IMAGE_USER, IMAGE_USER)
    env = {**site_environment(data / "site.sqlite3"), "PROMETHEUS_MULTIPROC_DIR": str(data / "metrics"),
           "DJANGO_STATIC_ROOT": str(app / "staticfiles"), "TMPDIR": str(data), "HOME": str(data)}  # fmt: skip
    python = str(venv / "bin" / "python")
    for step in [["migrate", "--noinput"], ["seed_content"]]:
        done = subprocess.run(as_image_user([python, "manage.py", *step]), cwd=app, env=env, capture_output=True,
                              text=True)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
    port = free_port()
    server = subprocess.Popen(
        as_image_user([str(venv / "bin" / "gunicorn"), "--config", "deploy/gunicorn.conf.py"]),
        cwd=app, env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
        stdout=(data / "gunicorn.log").open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        once_answering(server, port, "/healthz", data / "gunicorn.log", seconds=60)
        health = subprocess.run(as_image_user([python, "deploy/image/healthcheck.py"]), cwd=app,
                                env={**env, "PORT": str(port)}, capture_output=True, text=True)  # fmt: skip
        assert health.returncode == 0, health.stdout + health.stderr  # the HEALTHCHECK
        status, _, page = answer(port, "/treatments/mesotherapy/faq/")
        assert status == 200
        assert "Does it hurt?" in page
        stylesheet = next(part.split('"')[0] for part in page.split('href="')[1:] if part.startswith("/static/css/"))
        assert answer(port, stylesheet)[0] == 200  # hashed name from the build's manifest, by WhiteNoise
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "Traceback" not in (data / "gunicorn.log").read_text()


def podman_base() -> str | None:
    """A base image made of Debian's packages, for podman (None where podman or debootstrap is missing)."""
    if not podman_can_build():
        return None
    name = "localhost/mesoclinic-base:bookworm"
    if subprocess.run(["podman", "image", "exists", name]).returncode == 0:
        return name
    rootfs = Path("/var/tmp/mesoclinic-base/rootfs")
    if not (rootfs / "usr" / "bin" / "python3").exists():
        subprocess.run(["debootstrap", "--variant=minbase", "--include=python3,python3-venv,ca-certificates,"
                        "postgresql-client", "bookworm", str(rootfs), "http://deb.debian.org/debian"],
                       check=True, capture_output=True)  # fmt: skip
    # This machine's certificate authorities, as the image's builder would trust its own network's:
    # pip inside the build reaches PyPI the way this machine does.
    shutil.copy("/etc/ssl/certs/ca-certificates.crt", rootfs / "etc" / "ssl" / "certs" / "ca-certificates.crt")
    archive = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    subprocess.run(["podman", "import", "-", name], stdin=archive.stdout, check=True, capture_output=True)
    archive.wait()
    return name


def test_the_image_builds_with_podman_and_runs_read_only_as_its_user_with_its_healthcheck(tmp_path):
    base = podman_base()
    if base is None:
        message = "podman and debootstrap (as root) are needed to build the image here"
        pytest.fail(message) if IN_CI and shutil.which("podman") else pytest.skip(message)
    # These machines' sandbox: limits podman may not set, and runc in place of crun.
    conf = tmp_path / "containers.conf"
    conf.write_text("[containers]\ndefault_ulimits = []\n")
    podman = ["podman", "--runtime", shutil.which("runc") or "runc", "--cgroup-manager=cgroupfs"]
    env = {**os.environ, "CONTAINERS_CONF": str(conf)}
    build = [
        "build",
        "--format=docker",
        "--network=host",
        "--build-arg",
        f"BASE={base}",
        "--tag",
        "localhost/mesoclinic:test",
    ]
    built = subprocess.run([*podman, *build, "."], cwd=PROJECT, env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    data = tmp_path / "data"
    data.mkdir()
    os.chown(data, IMAGE_USER, IMAGE_USER)
    port = free_port()
    settings = site_environment(Path("/data/site.sqlite3"))
    settings.pop("PATH")
    flags = [flag for key, value in settings.items() for flag in ("--env", f"{key}={value}")]
    options = ["--read-only", "--tmpfs", "/tmp", "--network=host", "--volume", f"{data}:/data",
               "--env", f"PORT={port}", "--env", "HOST=127.0.0.1", *flags, "localhost/mesoclinic:test"]  # fmt: skip
    prepare = "python manage.py migrate --noinput && python manage.py seed_content"
    setup = subprocess.run([*podman, "run", "--rm", *options, "sh", "-c", prepare], env=env, capture_output=True,
                           text=True)  # fmt: skip
    assert setup.returncode == 0, setup.stderr[-3000:]
    name = f"mesoclinic-test-{port}"
    server = subprocess.Popen([*podman, "run", "--rm", "--name", name, *options], env=env,
                              stdout=(tmp_path / "server.log").open("w"), stderr=subprocess.STDOUT)  # fmt: skip
    try:
        status, _, page = once_answering(server, port, "/treatments/mesotherapy/faq/", tmp_path / "server.log")
        assert (status, "Does it hurt?" in page) == (200, True)
        user = subprocess.run([*podman, "exec", name, "id", "-u"], env=env, capture_output=True, text=True)
        assert user.stdout.strip() == str(IMAGE_USER)
        health = subprocess.run([*podman, "healthcheck", "run", name], env=env, capture_output=True, text=True)
        assert health.returncode == 0, health.stdout + health.stderr
        written = subprocess.run([*podman, "exec", name, "touch", "/srv/mesoclinic/x"], env=env, capture_output=True)
        assert written.returncode != 0  # the root file system is read-only
    finally:
        subprocess.run([*podman, "stop", "--time", "10", name], env=env, capture_output=True)
        server.wait(timeout=60)
