"""A newsletter to 200 confirmed subscribers, sent by the workers of two servers at once, one of
them killed (SIGKILL) halfway and started again, as `make serve` does: every subscriber gets it
exactly once, with both unsubscribe headers. A real SMTP server (aiosmtpd) and each worker as its
own process, on a database of the test's own (SQLite, or PostgreSQL in the PostgreSQL pass)."""

import email
import email.policy
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.processes import Inbox, production_environment

PROJECT = Path(__file__).resolve().parent.parent.parent
SUBSCRIBERS = 200


SET_UP = f"""
from appointments.models import Subscriber, NewsletterIssue
from appointments.newsletter.addresses import address_hash
from appointments.newsletter.services import newsletter_issue_send
from appointments.newsletter.tasks import send_issue
addresses = [f"reader{{n}}@example.org" for n in range({SUBSCRIBERS})]
Subscriber.objects.bulk_create([Subscriber(email=a, address_hash=address_hash(a), status="confirmed",
                                source="sign_up_form") for a in addresses])
issue = NewsletterIssue.objects.create(subject="Our winter newsletter", body="Hello, **readers**.")
print(newsletter_issue_send(issue, by=None))
send_issue.enqueue(issue.pk)  # the task queued a second time, as a task may run twice

"""

COUNTS = """
import json
from appointments.models import NewsletterIssue
from appointments.newsletter.selectors import issue_counts
print(json.dumps(issue_counts(NewsletterIssue.objects.get())))
"""


def test_a_newsletter_resumes_after_the_worker_is_killed_and_nobody_gets_it_twice(tmp_path, database_url):
    inbox = Inbox()
    inbox.controller.start()
    env = production_environment(
        inbox=inbox,
        database_url=database_url,
        NEWSLETTER_MESSAGES_PER_MINUTE="3000",  # 50 a second, so that the kill lands halfway
        NOTIFICATION_LEASE_SECONDS="3",
    )
    manage = [sys.executable, "manage.py"]

    def run(*command):
        return subprocess.run([*manage, *command], cwd=PROJECT, env=env, check=True, capture_output=True, text=True)

    # The database comes migrated, with the shipped content (tests/sitewide/conftest.py).
    assert run("shell", "--no-imports", "-c", SET_UP).stdout.strip() == str(SUBSCRIBERS)
    log = (tmp_path / "worker.log").open("w")

    def start_worker():
        run("requeue_stalled_tasks", "--verbosity", "0")  # as `make serve` does before each start
        return subprocess.Popen(
            [*manage, "run_worker", "--interval", "0.2", "--no-startup-delay"], cwd=PROJECT, env=env,
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    other_server = start_worker()  # two servers, each with its worker, take the two tasks at once
    worker = start_worker()
    try:
        # Killed in the middle of a run of the task, not between two (a run sends about 50 here).
        halfway = SUBSCRIBERS // 2 + 17
        assert len(inbox.wait_for(halfway, timeout=60)) >= halfway, (tmp_path / "worker.log").read_text()
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        at_kill = len(inbox.messages)
        assert at_kill < SUBSCRIBERS, "the worker finished before it could be killed halfway"
        time.sleep(3.5)  # the dead worker's task and delivery leases run out
        worker = start_worker()
        inbox.wait_for(SUBSCRIBERS, timeout=90)
        time.sleep(2)  # room for a duplicate to arrive, if one were sent
    finally:
        for process in [worker, other_server]:
            process.terminate()
            process.wait(timeout=30)
        inbox.controller.stop()

    received = Counter(recipients[0] for recipients, _raw in inbox.messages)
    assert len(received) == SUBSCRIBERS, f"{SUBSCRIBERS - len(received)} never got it"
    assert max(received.values()) == 1, [address for address, times in received.items() if times > 1]
    for _recipients, raw in inbox.messages:
        message = email.message_from_string(raw, policy=email.policy.default)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "<https://clinic.example/newsletter/unsubscribe/" in message["List-Unsubscribe"]
        assert "<mailto:website@clinic.example?subject=unsubscribe" in message["List-Unsubscribe"]
    # The kill comes the moment the server accepts a message, so it may fall between that and
    # the worker's record of it: that one is "not known" to the site (never sent again), and
    # the patient has it once.
    counts = json.loads(run("shell", "--no-imports", "-c", COUNTS).stdout)
    assert counts["waiting"] == 0
    assert counts["sent"] + counts["in_doubt"] == SUBSCRIBERS
    assert counts["in_doubt"] <= 1
