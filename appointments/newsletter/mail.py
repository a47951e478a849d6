"""The newsletter's e-mail: the confirmation, and an issue in HTML and plain text in the site's
look, with the clinic's postal address, RFC 8058 one-click unsubscribe headers, and bounces
going to NEWSLETTER_BOUNCE_ADDRESS.

`OnceSender` hands messages to the mail server so that none is ever sent twice. Over SMTP, a
message is only accepted when the server receives the final "." of its DATA and answers 250: a
client that dies before that has sent nothing. So the sender writes `handed_over` (and commits
it) just before that final line. A worker that dies before it leaves a delivery that is sent
again; one that dies between it and the record of the answer leaves `in_doubt`, which is never
sent again (and staff see how many). That window is the time to send one line and read the reply.
"""

import contextlib
import re
import smtplib
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from markdown_it import MarkdownIt

from treatments.context_processors import clinic_for_pages

from .tokens import confirmation_token, unsubscribe_token

# CommonMark without raw HTML: what staff type is text, links and emphasis, never markup or script.
MARKDOWN = MarkdownIt("commonmark", {"html": False})


def _absolute_links(renderer, tokens, index, options, env):
    """A link to one of the site's pages ("/treatments/...") must work from a mail program."""
    href = tokens[index].attrGet("href") or ""
    if href.startswith("/") and not href.startswith("//"):
        tokens[index].attrSet("href", site_url(href))
    return renderer.renderToken(tokens, index, options, env)


MARKDOWN.add_render_rule("link_open", _absolute_links)


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def bounce_address() -> str:
    return settings.NEWSLETTER_BOUNCE_ADDRESS or settings.DEFAULT_FROM_EMAIL


def unsubscribe_links(digest: str, issue_id: int | None) -> tuple[str, str]:
    token = unsubscribe_token(digest, issue_id)
    url = site_url(reverse("newsletter:unsubscribe", args=[token]))
    mailto = f"mailto:{bounce_address()}?subject={quote('unsubscribe ' + token)}"
    return url, mailto


def confirmation_message(subscriber) -> EmailMultiAlternatives:
    with translation.override(subscriber.language):  # its words and its link, in the sign-up's language
        return _confirmation_message(subscriber)


def _confirmation_message(subscriber) -> EmailMultiAlternatives:
    clinic = clinic_for_pages()
    context = {
        "clinic": clinic,
        "confirm_url": site_url(reverse("newsletter:confirm", args=[confirmation_token(subscriber.address_hash)])),
        "days": settings.NEWSLETTER_CONFIRM_DAYS,
    }
    subject = render_to_string("appointments/email/newsletter_confirm_subject.txt", context).strip()
    body = render_to_string("appointments/email/newsletter_confirm_body.txt", context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [subscriber.email])
    if clinic:
        message.reply_to = [clinic.email]
    return message


def issue_message(issue, email: str, digest: str, *, test: bool = False) -> EmailMultiAlternatives:
    """One issue for one recipient: its text and HTML, with that recipient's unsubscribe links,
    in the issue's language (the unsubscribe page too)."""
    with translation.override(issue.language):
        return _issue_message(issue, email, digest, test=test)


def _issue_message(issue, email: str, digest: str, *, test: bool = False) -> EmailMultiAlternatives:
    clinic = clinic_for_pages()
    url, mailto = unsubscribe_links(digest, None if test else issue.pk)
    context = {
        "issue": issue,
        "clinic": clinic,
        "body_html": MARKDOWN.render(issue.body),
        "unsubscribe_url": url,
        "site_url": site_url(reverse("home")),
        "test": test,
    }
    text = render_to_string("appointments/email/newsletter_issue.txt", context)
    html = render_to_string("appointments/email/newsletter_issue.html", context)
    subject = f"[TEST] {issue.subject}" if test else issue.subject
    headers = {
        "From": settings.DEFAULT_FROM_EMAIL,  # the envelope sender is the bounce address
        "List-Unsubscribe": f"<{url}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"<newsletter.{settings.SITE_URL.split('://', 1)[-1].split('/', 1)[0] or 'localhost'}>",
        "Precedence": "bulk",
    }
    message = EmailMultiAlternatives(subject, text, bounce_address(), [email], headers=headers)
    if clinic:
        message.reply_to = [clinic.email]
    message.attach_alternative(html, "text/html")
    return message


class Refused(Exception):
    """The mail server refused this message for good (a 5xx answer): do not try it again."""


class Unreachable(Exception):
    """The mail server could not be reached, or answered "try later": try again later."""


LINE_START_DOT = re.compile(rb"(?m)^\.")
LINE_ENDS = re.compile(rb"\r\n|\n|\r")


class OnceSender:
    """One connection to the mail server for a run of messages (a context manager).
    `send(message, handed_over)` calls `handed_over()` at the last moment before the message
    counts as sent. Other mail backends (the console in development, memory in tests) have no
    such moment: the call comes just before the message is given to them."""

    def __init__(self):
        self.backend = get_connection(fail_silently=False)

    def __enter__(self):
        try:
            self.backend.open()
        except (smtplib.SMTPException, OSError) as error:
            raise Unreachable(type(error).__name__) from error
        return self

    def __exit__(self, *exc):
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.backend.close()

    def send(self, message: EmailMultiAlternatives, handed_over) -> None:
        if not isinstance(self.backend, SMTPBackend):
            handed_over()
            self.backend.send_messages([message])
            return
        try:
            self._smtp(message, handed_over)
        except smtplib.SMTPResponseException as error:
            self._reset()
            if 500 <= error.smtp_code < 600:
                raise Refused(f"{error.smtp_code}") from error
            raise Unreachable(f"{error.smtp_code}") from error
        except smtplib.SMTPRecipientsRefused as error:
            self._reset()
            codes = [code for code, _text in error.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                raise Refused(",".join(map(str, codes))) from error
            raise Unreachable(",".join(map(str, codes))) from error
        except (smtplib.SMTPException, OSError) as error:
            raise Unreachable(type(error).__name__) from error

    def _smtp(self, message, handed_over) -> None:
        connection = self.backend.connection
        encoding = message.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in message.recipients()]
        data = message.message().as_bytes(linesep="\r\n")
        connection.ehlo_or_helo_if_needed()
        code, reply = connection.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for recipient in recipients:
            code, reply = connection.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
        code, reply = connection.docmd("DATA")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        data = LINE_START_DOT.sub(b"..", LINE_ENDS.sub(b"\r\n", data))
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        connection.send(data)
        handed_over()
        connection.send(b".\r\n")
        code, reply = connection.getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)

    def _reset(self) -> None:
        with contextlib.suppress(smtplib.SMTPException, OSError, AttributeError):
            self.backend.connection.rset()
