"""A worker killed (SIGKILL) while the mail server is slow to answer, and started again at once,
as `make serve` does: the request's e-mail still arrives, exactly once, within the lease and one
heartbeat, without anyone restarting anything. A real SMTP server (aiosmtpd) and the worker as
its own process, on a database of the test's own (SQLite, or PostgreSQL in the PostgreSQL pass)."""

import asyncio
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from tests.processes import Inbox, production_environment

PROJECT = Path(__file__).resolve().parent.parent.parent
LEASE_SECONDS = 3
HEARTBEAT_SECONDS = 1

SEND = """
import uuid
from appointments.services import appointment_request_create
appointment, _new = appointment_request_create(
    first_name="Quartermain", last_name="Okonkwo", city="Brooklyn", state="NY", email="q@example.org",
    phone="+12125550181", contact_preference="email", submission_token=uuid.uuid4(),
)
print(appointment.pk)
"""


class SlowInbox(Inbox):
    """Holds the first message at its recipient for a few seconds (a slow mail server), so that
    the worker can be killed while it waits, before the message was handed over."""

    def __init__(self):
        super().__init__()
        self.waiting = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        envelope.rcpt_tos.append(address)
        if not self.waiting.is_set():
            self.waiting.set()
            await asyncio.sleep(8)
        return "250 OK"


def test_a_worker_killed_mid_send_is_covered_by_the_next_one_within_the_lease(tmp_path, database_url):
    inbox = SlowInbox()
    inbox.controller.start()
    env = production_environment(
        inbox=inbox,
        database_url=database_url,
        NOTIFICATION_LEASE_SECONDS=str(LEASE_SECONDS),
        HEARTBEAT_SECONDS=str(HEARTBEAT_SECONDS),
    )
    manage = [sys.executable, "manage.py"]
    log = (tmp_path / "worker.log").open("w")

    def run(*command):
        return subprocess.run([*manage, *command], cwd=PROJECT, env=env, check=True, capture_output=True, text=True)

    def start_worker():
        run("requeue_stalled_tasks", "--verbosity", "0")  # as `make serve` does before each start
        return subprocess.Popen(
            [*manage, "run_worker", "--interval", "0.2", "--no-startup-delay"],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    run("shell", "--no-imports", "-c", SEND)
    worker = start_worker()
    try:
        assert inbox.waiting.wait(timeout=60), (tmp_path / "worker.log").read_text()
        worker.send_signal(signal.SIGKILL)  # mid-send: the server has not taken the message
        worker.wait(timeout=10)
        killed_at = time.monotonic()
        worker = start_worker()  # at once: before the dead worker's lease has run out
        inbox.wait_for(2, timeout=LEASE_SECONDS + HEARTBEAT_SECONDS + 20)
        arrived_after = time.monotonic() - killed_at
        time.sleep(2)  # room for a duplicate to arrive, if one were sent
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        inbox.controller.stop()

    received = Counter(recipients[0] for recipients, _text in inbox.messages)
    assert len(received) == 2, received  # the staff alert and the patient's confirmation...
    assert max(received.values()) == 1, received  # ...each once
    assert received["q@example.org"] == 1
    # Within the lease and one heartbeat (and the time a worker takes to start, here at most 10 s).
    assert arrived_after < LEASE_SECONDS + HEARTBEAT_SECONDS + 10, arrived_after
