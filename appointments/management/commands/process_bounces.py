"""Reads bounces, complaints and mailto unsubscribes (appointments.newsletter.bounces) and
suppresses their addresses. Run it from a timer on the Maildir of the bounce address, or as the
address's pipe alias (one message on standard input)."""

import mailbox
import sys

from django.core.management.base import BaseCommand, CommandError

from appointments.newsletter.bounces import read
from appointments.newsletter.services import subscriber_suppress


class Command(BaseCommand):
    help = (
        "Suppresses the addresses in bounces, complaints and unsubscribe e-mails (a Maildir, or one message on stdin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--maildir", help="A Maildir folder: each message is read, and deleted once acted on.")

    def handle(self, *args, maildir=None, **options):
        if maildir:
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
            not_ours = results.count(None)
        else:
            results = [self.act(sys.stdin.buffer.read())]
            not_ours = results.count(None)
        kinds = [found.kind for found in results if found is not None]
        self.stdout.write(
            f"{len(results)} message(s): {kinds.count('bounced')} bounce(s), {kinds.count('complained')} "
            f"complaint(s), {kinds.count('unsubscribed')} unsubscribe(s); {not_ours} not about the newsletter"
            + (" (left in the Maildir for a person to read)." if maildir and not_ours else ".")
        )

    def act(self, raw: bytes):
        found = read(raw)
        if found is not None:
            subscriber_suppress(digest=found.digest, kind=found.kind, source="bounce mailbox", issue_id=found.issue_id)
        return found
