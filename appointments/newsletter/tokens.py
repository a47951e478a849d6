"""The signed links in the newsletter's e-mail. Each names an address by its keyed hash only
(addresses.py), never the address: a link that leaks says nothing about who it was for.

A confirmation link expires after NEWSLETTER_CONFIRM_DAYS. An unsubscribe link never does (RFC
8058 asks that it work for as long as the message may be read) and also names the issue it came
with, so each issue can count its unsubscribes."""

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def confirmation_token(address_hash: str) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(address_hash)


def read_confirmation_token(token: str) -> str:
    """The address hash, or LinkExpired / LinkInvalid."""
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    try:
        return signer.unsign(token, max_age=settings.NEWSLETTER_CONFIRM_DAYS * 24 * 60 * 60)
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except signing.BadSignature as error:
        raise LinkInvalid from error


def unsubscribe_token(address_hash: str, issue_id: int | None = None) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{address_hash}.{issue_id or 0}")


def read_unsubscribe_token(token: str) -> tuple[str, int | None]:
    """(address hash, issue id or None), or LinkInvalid."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
        address_hash, issue = value.split(".")
        return address_hash, int(issue) or None
    except (signing.BadSignature, ValueError) as error:
        raise LinkInvalid from error
