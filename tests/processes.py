"""Real servers the tests start beside the site: a free port to put one on, an SMTP inbox
(aiosmtpd), and the environment of a production site run as its own process."""

import os
import socket
import time


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
