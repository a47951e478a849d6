"""Django's SMTP backend, counting what the mail server accepted and what failed (for /metrics)."""

from django.core.mail.backends.smtp import EmailBackend

from .metrics import MAILS_FAILED, MAILS_SENT


class CountedSMTPBackend(EmailBackend):
    def send_messages(self, email_messages):
        try:
            sent = super().send_messages(email_messages)
        except Exception:
            MAILS_FAILED.inc()
            raise
        MAILS_SENT.inc(sent or 0)
        if email_messages and not sent:
            MAILS_FAILED.inc()  # with fail_silently, a failure is a return of 0
        return sent
