"""The shared cache, and what happens when it stops.

Production keeps its cache in Redis (django-redis). When Redis cannot be reached, every cache
call this site makes (the page cache, the content readings, rate limits, the health check's
probe) goes to this process's own memory instead, so pages are drawn from the database, rate
limits hold per process, and nothing answers a 500. Each server logs one warning when it loses
Redis and one when it finds it again. While Redis is down each process asks it again at most
every RETRY_SECONDS, so a request never waits on a dead server more than once in that time.

When Redis answers again, a hook (`ON_RECOVERY`, by default the page cache's) runs first: pages
and readings kept in Redis before the outage may predate an edit or a vote made during it, so the
page cache retires them all.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.utils.module_loading import import_string
from django_redis.cache import RedisCache
from redis.exceptions import RedisError

from .metrics import CACHE_FALLBACK_ACTIVE, CACHE_FALLBACK_CALLS

logger = logging.getLogger(__name__)

# What a client library raises when the server is gone or too slow: redis-py's errors, and the
# operating system's (refused, reset, timed out).
UNAVAILABLE = (RedisError, OSError)


class RedisWithFallback(BaseCache):
    """django-redis, falling back to this process's memory while Redis cannot be reached."""

    RETRY_SECONDS = 5

    def __init__(self, server, params):
        super().__init__(params)
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = options.pop("RETRY_SECONDS", self.RETRY_SECONDS)
        on_recovery = options.pop("ON_RECOVERY", None)
        self._on_recovery = import_string(on_recovery) if on_recovery else None
        self.redis = RedisCache(server, {**params, "OPTIONS": options})
        self.memory = LocMemCache(f"fallback-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._down_since = None
        self._lock = threading.Lock()

    # Which cache answers

    @property
    def is_down(self) -> bool:
        return self._down_since is not None

    def _use_redis(self) -> bool:
        down_since = self._down_since
        return down_since is None or time.monotonic() - down_since >= self.retry_seconds

    def _lost(self, error) -> None:
        with self._lock:
            first = self._down_since is None
            self._down_since = time.monotonic()
        CACHE_FALLBACK_ACTIVE.set(1)
        if first:
            logger.warning("Redis cannot be reached (%s): using this process's memory until it answers", error)

    def _found(self) -> None:
        if self._down_since is None:  # the usual case: no lock taken on every call
            return
        with self._lock:
            was_down, self._down_since = self._down_since is not None, None
        CACHE_FALLBACK_ACTIVE.set(0)
        if was_down:
            logger.warning("Redis answers again: the shared cache is back in use")
            if self._on_recovery is not None:
                try:
                    self._on_recovery(self.redis)
                except UNAVAILABLE as error:
                    self._lost(error)

    def _call(self, name, *args, **kwargs):
        if self._use_redis():
            try:
                result = getattr(self.redis, name)(*args, **kwargs)
            except UNAVAILABLE as error:
                self._lost(error)
            else:
                self._found()
                return result
        CACHE_FALLBACK_CALLS.inc()
        return getattr(self.memory, name)(*args, **kwargs)

    def ping(self) -> bool:
        """Whether Redis itself answers now (for /healthz): never the fallback."""
        try:
            self.redis.set("sitewide:ping", "ok", 10)
            answered = self.redis.get("sitewide:ping") == "ok"
        except UNAVAILABLE as error:
            self._lost(error)
            return False
        self._found()
        return answered

    # Django's cache API, each call to whichever cache answers

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version=version)

    def clear(self):
        self.memory.clear()
        return self._call("clear")

    def close(self, **kwargs):
        self.redis.close(**kwargs)
