"""Two production servers as a clinic's IT contractor runs them: gunicorn with the shipped
configuration and the production settings, on one new PostgreSQL database (migrated, with the
shipped content) and one Redis database, each server with folders of its own for static files
and media. Used by the object-storage and rolling-deploy tests."""

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import redis

from tests.machine import IN_CI
from tests.processes import Browser, free_port

PROJECT = Path(__file__).resolve().parent.parent.parent
ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


class Servers:
    def __init__(self, folder: Path, environment: dict):
        self.folder, self.environment = folder, environment
        self.servers: dict[str, tuple[int, dict, Path]] = {}
        self.processes: dict[str, subprocess.Popen] = {}

    def manage(self, *arguments, env=None, **options) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *arguments], cwd=PROJECT, env=env or self.environment,
                              capture_output=True, text=True, **options)  # fmt: skip

    def port(self, name: str) -> int:
        return self.servers[name][0]

    def logs(self) -> str:
        return "".join(log.read_text() for log in sorted(self.folder.glob("*.log")))

    def start(self, name: str) -> None:
        own = self.folder / name
        shutil.copytree(self.folder / "static", own / "static")
        env = {**self.environment, "DJANGO_STATIC_ROOT": str(own / "static"), "DJANGO_MEDIA_ROOT": str(own / "media")}
        port = free_port()
        with (self.folder / f"{name}.log").open("w") as log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py"],
                cwd=PROJECT, env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self.servers[name] = (port, env, own)

    def wait_until_answering(self) -> None:
        deadline = time.monotonic() + 60
        for port, _env, _own in self.servers.values():
            while True:
                try:
                    if Browser().request(port, "GET", "/healthz")[0] in (200, 503):
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(self.logs())
                time.sleep(0.3)


@contextlib.contextmanager
def two_gunicorn_servers(folder: Path, redis_url: str, **settings):
    """Two servers ("first", "second") with `settings` added to their environment."""
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if IN_CI:
            pytest.fail(f"needs PostgreSQL on this machine: {error}")
        pytest.skip(f"needs PostgreSQL on this machine: {error}")
    database = f"mesoclinic_servers_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{database}"')
    redis.Redis.from_url(redis_url).flushdb()
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "AWS_"))},
        "DJANGO_SETTINGS_MODULE": "mesoclinic.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": ADMIN_URL.rsplit("/", 1)[0] + f"/{database}",
        "REDIS_URL": redis_url,
        "DJANGO_SITE_URL": "https://clinic.example",
        "DJANGO_DEFAULT_FROM_EMAIL": "website@clinic.example",
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_PORT": "9",
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "DJANGO_MEDIA_ROOT": str(folder / "unused-media"),
        "BACKUP_DIR": str(folder / "backups"),
        "WEB_CONCURRENCY": "2",
        **settings,
    }
    servers = Servers(folder, environment)
    try:
        for step in [["migrate", "--noinput"], ["seed_content"], ["collectstatic", "--noinput"]]:
            done = servers.manage(*step)
            assert done.returncode == 0, done.stderr
        for name in ["first", "second"]:
            servers.start(name)
        servers.wait_until_answering()
        yield servers
    finally:
        for process in servers.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()
        redis.Redis.from_url(redis_url).flushdb()
