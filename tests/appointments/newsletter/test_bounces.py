"""Bounces, complaints and mailto unsubscribes read from the bounce mailbox (a Maildir) suppress
the address; anything else is left for a person to read."""

import io
import mailbox
from urllib.parse import unquote

import pytest
from django.core.management import call_command

from appointments.models import ConsentEvent, Subscriber, SuppressedAddress
from appointments.newsletter.addresses import address_hash
from appointments.newsletter.mail import issue_message

from .helpers import an_issue, confirmed_subscribers


def original(address, issue):
    return issue_message(issue, address, address_hash(address)).message().as_string()


def bounce(address, issue, action="failed", quote=True):
    quoted = original(address, issue) if quote else "Subject: something\n\nhello"
    return f"""From: MAILER-DAEMON@mx.example.org
To: website@clinic.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system. I'm sorry to have to inform you that your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; {address}
Action: {action}
Status: 5.1.1

--B
Content-Type: message/rfc822

{quoted}
--B--
"""


def complaint(address, issue):
    return f"""From: feedback@provider.example
To: website@clinic.example
Subject: Complaint
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="F"

--F
Content-Type: text/plain

This is an email abuse report.

--F
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: provider/1.0
Version: 1

--F
Content-Type: message/rfc822

{original(address, issue)}
--F--
"""


@pytest.mark.django_db
def test_bounces_complaints_and_mailto_unsubscribes_suppress_the_address(content, tmp_path):
    readers = confirmed_subscribers(5)
    issue = an_issue()
    box = mailbox.Maildir(tmp_path / "bounces")
    box.add(bounce(readers[0], issue))
    box.add(bounce(readers[1], issue, quote=False))  # found by its Final-Recipient
    box.add(bounce(readers[2], issue, action="delayed"))  # not yet a failure: nothing happens
    box.add(complaint(readers[3], issue))
    token = issue_message(issue, readers[4], address_hash(readers[4])).extra_headers["List-Unsubscribe"]
    subject = unquote(token.split("subject=")[1].rstrip(">"))  # as the mail program reads the mailto
    box.add(f"From: {readers[4]}\nTo: website@clinic.example\nSubject: {subject}\n\n")
    box.add("From: someone@example.org\nSubject: Hello\n\nA question for the clinic.")
    output = io.StringIO()
    call_command("process_bounces", "--maildir", str(tmp_path / "bounces"), stdout=output)
    assert "2 bounce(s), 1 complaint(s), 1 unsubscribe(s); 2 not about the newsletter" in output.getvalue()
    assert set(Subscriber.objects.values_list("email", flat=True)) == {readers[2]}
    reasons = dict(SuppressedAddress.objects.values_list("address_hash", "reason"))
    assert reasons == {
        address_hash(readers[0]): "bounced",
        address_hash(readers[1]): "bounced",
        address_hash(readers[3]): "complained",
        address_hash(readers[4]): "unsubscribed",
    }
    assert ConsentEvent.objects.filter(kind="complained", issue=issue).count() == 1
    assert len(mailbox.Maildir(tmp_path / "bounces")) == 2  # what was acted on is gone
    call_command("process_bounces", "--maildir", str(tmp_path / "bounces"), stdout=io.StringIO())
    assert ConsentEvent.objects.count() == 4  # run again: nothing twice


@pytest.mark.django_db
def test_one_message_on_standard_input_from_a_pipe_alias(content, monkeypatch):
    readers = confirmed_subscribers(1)
    issue = an_issue()
    stdin = io.TextIOWrapper(io.BytesIO(bounce(readers[0], issue).encode()))
    monkeypatch.setattr("sys.stdin", stdin)
    output = io.StringIO()
    call_command("process_bounces", "--stdin", stdout=output)
    assert "1 bounce(s)" in output.getvalue()
    assert not Subscriber.objects.exists()


def test_the_timers_run_reads_the_configured_maildir_and_says_when_none_is_set(tmp_path, settings, db):
    from django.core.management.base import CommandError

    output = io.StringIO()
    call_command("process_bounces", stdout=output)
    assert output.getvalue() == "No bounce mailbox is set (NEWSLETTER_BOUNCE_MAILDIR): nothing to read.\n"
    settings.NEWSLETTER_BOUNCE_MAILDIR = str(tmp_path / "nowhere")
    with pytest.raises(CommandError, match="Cannot read the Maildir"):
        call_command("process_bounces")
    mailbox.Maildir(tmp_path / "bounces").add("From: someone@example.org\nSubject: Hello\n\nHi.")
    settings.NEWSLETTER_BOUNCE_MAILDIR = str(tmp_path / "bounces")
    call_command("process_bounces", stdout=output)
    assert "1 message(s)" in output.getvalue()
