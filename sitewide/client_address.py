"""The client's real address, the one key that rate limits, the admin lockout and the audit trail
all use.

Behind DJANGO_TRUSTED_PROXY_COUNT proxies, each proxy appends the address it received the
request from to X-Forwarded-For, so the client is the N-th entry from the right; anything to its
left was written by the client and is ignored. With no trusted proxy (the default) the header is
ignored entirely, so a client cannot choose its address by sending one. A missing, short or
garbled header falls back to REMOTE_ADDR: never an error.
"""

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
        if len(forwarded) >= proxies:
            address = _valid(forwarded[-proxies])
            if address is not None:
                return address
    # No usable address at all (e.g. a Unix socket without a trusted proxy): one shared bucket.
    return _valid(remote) or "0.0.0.0"
