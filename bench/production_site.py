"""The site as production runs it, for `make bench`'s server mode and `make audit`: `make serve`
(production settings, gunicorn and the worker) on a throwaway PostgreSQL database and Redis, with
the shipped content loaded. Removed again afterwards, whatever happens."""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


class Unavailable(Exception):
    """PostgreSQL or Redis cannot be reached."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, process, log, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server stopped:\n{Path(log).read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"server did not answer {url}")


@dataclass
class Site:
    port: int
    folder: Path
    environment: dict
    processes: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def manage_environment(self) -> dict:
        return {**self.environment, "DJANGO_SETTINGS_MODULE": "mesoclinic.settings.production"}

    def start(self, command, log_name, environment=None):
        log = self.folder / log_name
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment or self.environment,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process, log

    def manage(self, *arguments) -> str:
        command = [PYTHON, "manage.py", *arguments]
        env = self.manage_environment
        return subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout


@contextlib.contextmanager
def production_site(**overrides):
    import psycopg
    import redis

    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
    except (psycopg.OperationalError, redis.ConnectionError) as error:
        raise Unavailable(f"needs PostgreSQL and Redis ({error})") from error
    name = f"mesoclinic_bench_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    folder = Path(tempfile.mkdtemp(prefix="mesoclinic-site-"))
    os.chmod(folder, 0o755)
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": ADMIN_URL.rsplit("/", 1)[0] + f"/{name}",
        "REDIS_URL": REDIS_URL,
        "DJANGO_SITE_URL": "https://clinic.example",
        "DJANGO_DEFAULT_FROM_EMAIL": "website@clinic.example",
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_PORT": "9",
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # served on http://127.0.0.1, as behind a TLS proxy
        "DJANGO_STATIC_ROOT": str(folder / "staticfiles"),
        "DJANGO_TRUSTED_PROXY_COUNT": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
        **overrides,
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    site = Site(port=free_port(), folder=folder, environment=environment)
    try:
        process, log = site.start(["make", "--no-print-directory", "serve", f"PORT={site.port}"], "serve.log")
        wait_for(f"{site.url}/healthz", process, log)  # make serve loads the shipped content itself
        yield site
    finally:
        for process in site.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in site.processes:
            process.wait(timeout=30)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)
