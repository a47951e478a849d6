"""Staff search the request queue without the words reaching an address.

The search box posts its words; they are kept in the member of staff's session under a random
search id, and the queue's address carries only that id (`?q=s-...`). So a patient's name, e-mail
or phone number never lands in the address bar, the browser's history, a server log or a Referer,
and the id means nothing once it has expired (SEARCH_LIFETIME) or the session has ended.
"""

import re
import secrets
import time

SESSION_KEY = "appointments:searches"
SEARCH_LIFETIME = 60 * 60  # seconds
KEPT = 20  # searches remembered per session
SEARCH_ID = re.compile(r"s-[A-Za-z0-9_-]{12}")
MAX_LENGTH = 200


def is_search_id(value: str) -> bool:
    return bool(SEARCH_ID.fullmatch(value or ""))


def _live(request) -> dict:
    now = time.time()
    return {key: entry for key, entry in request.session.get(SESSION_KEY, {}).items() if entry["until"] > now}


def remember_search(request, words: str) -> str:
    """Keeps the words in the session; returns the id the address will carry."""
    searches = _live(request)
    search_id = "s-" + secrets.token_urlsafe(9)
    searches[search_id] = {"words": words.strip()[:MAX_LENGTH], "until": time.time() + SEARCH_LIFETIME}
    newest = sorted(searches.items(), key=lambda item: item[1]["until"])[-KEPT:]
    request.session[SESSION_KEY] = dict(newest)
    return search_id


def search_words(request, search_id: str) -> str | None:
    """The words behind a search id of this session, or None when it is unknown or has expired."""
    entry = _live(request).get(search_id)
    return entry["words"] if entry else None
