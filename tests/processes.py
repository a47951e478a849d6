"""Real servers the tests start beside the site: a free port to put one on, an SMTP inbox
(aiosmtpd), an S3-compatible object store (moto's server), a browser's requests without a browser,
and the environment of a production site run as its own process."""

import http.client
import os
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

import boto3

PATIENT = "198.51.100.5"  # what nginx would put in X-Forwarded-For


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An SMTP server (aiosmtpd) on a free port that keeps each message's recipients and text."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((tuple(envelope.rcpt_tos), envelope.content.decode(errors="replace")))
        return "250 Message accepted for delivery"

    def wait_for(self, count, timeout=60) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.messages)


def production_environment(*, inbox: Inbox, database_url: str, **overrides) -> dict:
    """What `make serve` would run with (the production settings), sending mail to `inbox`, on
    the given database and with no Redis (the cache falls back to each process's memory)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="mesoclinic.settings.production",
        DJANGO_SECRET_KEY="a-test-key-" + "x" * 60,
        DJANGO_ALLOWED_HOSTS="clinic.example",
        DJANGO_SITE_URL="https://clinic.example",
        DJANGO_DEFAULT_FROM_EMAIL="website@clinic.example",
        DJANGO_EMAIL_HOST="127.0.0.1",
        DJANGO_EMAIL_PORT=str(inbox.port),
        DATABASE_URL=database_url,
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        **overrides,
    )
    return env


class Browser:
    """Just enough of a browser behind nginx: HTTPS as the proxy says, its cookies, its address."""

    def __init__(self):
        self.cookies = {}

    def request(self, port, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        sent = {
            "Host": f"127.0.0.1:{port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": PATIENT,
            "Origin": f"https://127.0.0.1:{port}",
            "Referer": f"https://127.0.0.1:{port}{path}",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        if body is not None:
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        content = response.read().decode(errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        connection.close()
        return response.status, response.headers, content


class ObjectStore:
    """moto's S3 server on a free port: a real S3-compatible server speaking HTTP, started and
    stopped by the test (its objects live in its memory, so a stop empties it)."""

    KEY, SECRET = "test-key", "test-secret"

    def __init__(self, log_path):
        self.port = free_port()
        self.log_path = log_path
        self.process = None

    def url(self, bucket: str) -> str:
        return f"s3+http://{self.KEY}:{self.SECRET}@127.0.0.1:{self.port}/{bucket}"

    def client(self):
        return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{self.port}", region_name="us-east-1",
                            aws_access_key_id=self.KEY, aws_secret_access_key=self.SECRET)  # fmt: skip

    def start(self, *, versioned=(), buckets=()):
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(Path(self.log_path).read_text()) from None
                time.sleep(0.1)
        client = self.client()
        for bucket in buckets:
            client.create_bucket(Bucket=bucket)
            if bucket in versioned:
                client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        return self

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)

    def objects(self, bucket: str) -> dict[str, bytes]:
        """Every object in `bucket` and its bytes."""
        client = self.client()
        keys = [item["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
                for item in page.get("Contents", [])]  # fmt: skip
        return {key: client.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}
