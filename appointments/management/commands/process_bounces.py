"""Reads bounces, complaints and mailto unsubscribes (appointments.newsletter.bounces) and
suppresses their addresses: from the Maildir in NEWSLETTER_BOUNCE_MAILDIR (or --maildir), run
by the shipped timer; or, with --stdin, one message from a mail server's pipe alias."""

import mailbox
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from appointments.newsletter.bounces import read
from appointments.newsletter.services import subscriber_suppress


class Command(BaseCommand):
    help = "Suppresses the addresses in bounces, complaints and unsubscribe e-mails (a Maildir, or stdin)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--maildir", help="A Maildir folder (default: NEWSLETTER_BOUNCE_MAILDIR); messages acted on are deleted."
        )
        parser.add_argument("--stdin", action="store_true", help="Read one message from standard input.")

    def handle(self, *args, maildir=None, stdin=False, **options):
        if stdin:
            results = [self.act(sys.stdin.buffer.read())]
            self.report(results, maildir=False)
            return
        maildir = maildir or settings.NEWSLETTER_BOUNCE_MAILDIR
        if not maildir:
            self.stdout.write("No bounce mailbox is set (NEWSLETTER_BOUNCE_MAILDIR): nothing to read.")
            return
        try:
            box = mailbox.Maildir(maildir, create=False)
            keys = list(box.keys())
        except (OSError, mailbox.Error) as error:
            raise CommandError(f"Cannot read the Maildir {maildir}: {type(error).__name__}") from error
        results = []
        for key in keys:
            found = self.act(box.get_bytes(key))
            results.append(found)
            if found is not None:
                box.remove(key)  # it holds an address: gone once acted on
        self.report(results, maildir=True)

    def act(self, raw: bytes):
        found = read(raw)
        if found is not None:
            subscriber_suppress(digest=found.digest, kind=found.kind, source="bounce mailbox", issue_id=found.issue_id)
        return found

    def report(self, results, *, maildir: bool):
        kinds = [found.kind for found in results if found is not None]
        not_ours = results.count(None)
        self.stdout.write(
            f"{len(results)} message(s): {kinds.count('bounced')} bounce(s), {kinds.count('complained')} "
            f"complaint(s), {kinds.count('unsubscribed')} unsubscribe(s); {not_ours} not about the newsletter"
            + (" (left in the Maildir for a person to read)." if maildir and not_ours else ".")
        )
