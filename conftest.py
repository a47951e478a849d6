"""Project-wide test set-up: media files in a temporary folder, the seed content on demand, and the
browser tests switched off plainly (or failed, under CI) where there is no Chromium."""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.machine import CHROMIUM, IN_CI

# Property-based tests: a quick pass on a developer's machine, a thorough one in CI.
_hypothesis = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
hypothesis_settings.register_profile("quick", max_examples=30, **_hypothesis)
hypothesis_settings.register_profile("thorough", max_examples=300, **_hypothesis)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "thorough" if IN_CI else "quick"))

BROWSER_TESTS_DIR = Path(__file__).parent / "tests" / "browser"


@pytest.fixture(autouse=True)
def _media_in_tmp_path(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (this process's memory under the test settings): no
    rate-limit count, kept page or clinic's details carries over from the test before."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def redis_cache(settings):
    """Django's cache on the Redis server of this machine (its database 15, emptied before and
    after), as production runs with REDIS_URL set. Without a Redis server the test is skipped
    plainly, or fails under CI, where one must be running."""
    import redis
    from django.core.cache import caches

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.ConnectionError:
        message = f"no Redis server at {url} (set TEST_REDIS_URL, or install one: apt-get install redis-server)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": "test"}}
    caches["default"].clear()
    yield url
    caches["default"].clear()


@pytest.fixture
def content(db):
    """The site's real content, as `make run` loads it."""
    call_command("seed_content", stdout=io.StringIO())


def pytest_report_header(config):
    from django.conf import settings

    database = f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
    if CHROMIUM.exists():
        return [database, f"browser tests: Chromium at {CHROMIUM}"]
    return [database, f"browser tests: NO CHROMIUM at {CHROMIUM} (install it with: apt-get install chromium)"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_TESTS_DIR in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
    if CHROMIUM.exists():
        return
    if IN_CI:
        raise pytest.UsageError(f"CI=true and no Chromium at {CHROMIUM}: the browser tests cannot run.")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}; install it with: apt-get install chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def sign_in(client, user):
    """Signs a member of staff in as the admin requires: password and second factor. Gives them
    an authenticator app (a TOTP device) if they have none, and marks the session verified."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def current_code(user) -> str:
    """The code the member of staff's authenticator app shows now. A code is taken once: each
    call lets the device accept a new one, as if the next 30 seconds had come."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    device.last_t = -1
    device.save(update_fields=["last_t"])
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin_client, signed in with the second factor the admin asks for."""
    from django.test import Client

    return sign_in(Client(), admin_user)
