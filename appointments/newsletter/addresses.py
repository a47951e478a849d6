"""An e-mail address as the newsletter compares it, and the keyed hash that stands for it where
the address itself need not be kept: the suppression list, and consent records after the
subscriber is gone.

The hash is an HMAC-SHA256 under NEWSLETTER_HASH_KEY, so a copy of the database alone does not
let anyone test guessed addresses against it. The key must outlive every secret-key rotation:
a new key would make every suppressed address look new (docs/deploying.md)."""

import contextlib
import hashlib
import hmac

from django.conf import settings


def normalised(address: str) -> str:
    """Lower case, no surrounding spaces, the domain in its ASCII form. Dots and +tags stay:
    they may be different mailboxes."""
    local, _at, domain = address.strip().rpartition("@")
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}".lower() if local else address.strip().lower()


def address_hash(address: str) -> str:
    key = (settings.NEWSLETTER_HASH_KEY or "newsletter-address:" + settings.SECRET_KEY).encode()
    return hmac.new(key, normalised(address).encode(), hashlib.sha256).hexdigest()
