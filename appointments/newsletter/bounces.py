"""Reads what comes back to the bounce address (NEWSLETTER_BOUNCE_ADDRESS): delivery reports
that an address failed for good (RFC 3464), complaints from mail providers' feedback loops
(RFC 5965, "marked as spam"), and unsubscribe requests sent to the List-Unsubscribe mailto.
Each suppresses the address (services.subscriber_suppress).

Why a mailbox and not a mail provider's webhook (django-anymail): the clinic sends through
whatever mail server its IT contractor runs or rents, and every one of them returns bounces to
the envelope sender; a webhook would tie the site to one provider, its account and a public
endpoint with its own secret. `manage.py process_bounces` reads a Maildir (where Postfix,
Dovecot or getmail deliver) or one message on its standard input (an alias that pipes to it).

The recipient is found by the signed unsubscribe link each newsletter carries (bounces and
complaints quote the original's headers); failing that, by the report's Final-Recipient or
Original-Rcpt-To address. Reports about mail the site did not send change nothing."""

import email
import email.policy
import re
from dataclasses import dataclass

from .addresses import address_hash
from .models import ConsentEvent
from .tokens import LinkInvalid, read_unsubscribe_token

TOKEN = re.compile(r"/newsletter/unsubscribe/([A-Za-z0-9_\-:.]+)/")
MAILTO_SUBJECT = re.compile(r"^\s*unsubscribe\s+(\S+)\s*$", re.I)


@dataclass
class Finding:
    kind: str  # a ConsentEvent.Kind
    digest: str
    issue_id: int | None


def _by_token(text: str) -> tuple[str, int | None] | None:
    for token in TOKEN.findall(text.replace("=\n", "")):
        try:
            return read_unsubscribe_token(token)
        except LinkInvalid:
            continue
    return None


def _report_fields(message, report_type: str) -> list[dict]:
    """The header blocks of a report's machine-readable part (message/delivery-status or
    message/feedback-report), as dicts with lower-case names."""
    blocks = []
    for part in message.walk():
        if part.get_content_type() != f"message/{report_type}":
            continue
        payload = part.get_payload()
        for block in payload if isinstance(payload, list) else [payload]:
            if hasattr(block, "items"):
                blocks.append({name.lower(): str(value) for name, value in block.items()})
            elif isinstance(block, str):
                fields = dict(re.findall(r"(?m)^([\w-]+):\s*(.+)$", block))
                blocks.append({name.lower(): value.strip() for name, value in fields.items()})
    return blocks


def _address(field: str) -> str | None:
    value = field.split(";", 1)[-1].strip().strip("<>")
    return value if "@" in value else None


def read(raw: bytes) -> Finding | None:
    """What one message returned to the bounce address says, or None when it is none of ours."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    subject = str(message.get("Subject", ""))
    content_type = message.get_content_type()
    report_type = (message.get_param("report-type") or "").lower() if content_type == "multipart/report" else ""
    text = message.as_string()  # every header and part, the quoted original included

    mailto = MAILTO_SUBJECT.match(subject)
    if mailto and not report_type:
        try:
            digest, issue_id = read_unsubscribe_token(mailto.group(1))
        except LinkInvalid:
            return None
        return Finding(ConsentEvent.Kind.UNSUBSCRIBED, digest, issue_id)

    if report_type == "feedback-report":
        kind = ConsentEvent.Kind.COMPLAINED
        fields = _report_fields(message, "feedback-report")
        addresses = [_address(block.get("original-rcpt-to", "")) for block in fields]
    elif report_type == "delivery-status":
        kind = ConsentEvent.Kind.BOUNCED
        fields = [block for block in _report_fields(message, "delivery-status") if "action" in block]
        failed = [block for block in fields if block["action"].strip().lower() == "failed"]
        if not failed:
            return None  # delayed, relayed or delivered: nothing to do
        addresses = [_address(block.get("final-recipient", "")) for block in failed]
    else:
        return None
    found = _by_token(text)
    if found is not None:
        return Finding(kind, found[0], found[1])
    address = next((address for address in addresses if address), None)
    return Finding(kind, address_hash(address), None) if address else None
