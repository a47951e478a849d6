"""Settings read the environment; production refuses to start with a missing secret."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def read_setting(expression, settings_module, **environment):
    """Starts Django in a fresh interpreter with only the given DJANGO_*/URL variables and prints a setting."""
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("DJANGO_") and not key.endswith("_URL")
    }
    env.update(DJANGO_SETTINGS_MODULE=settings_module, **environment)
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{expression})"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True, check=False
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = read_setting("DEBUG", "mesoclinic.settings.production", DJANGO_ALLOWED_HOSTS="clinic.example")
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = read_setting("DEBUG", "mesoclinic.settings.production", DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "Set DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_its_variables_and_debug_off():
    result = read_setting(
        "DEBUG", "mesoclinic.settings.production", DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="clinic.example"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_development_needs_no_variables():
    result = read_setting("DEBUG", "mesoclinic.settings.development")
    assert result.stdout.strip() == "True", result.stderr


@pytest.mark.parametrize(
    ("environment", "engine"),
    [
        ({"DATABASE_URL": "postgres://user@db.example:5432/clinic"}, "django.db.backends.postgresql"),
        ({}, "django.db.backends.sqlite3"),
    ],
)
def test_database_comes_from_database_url(environment, engine):
    result = read_setting("DATABASES['default']['ENGINE']", "mesoclinic.settings.development", **environment)
    assert result.stdout.strip() == engine, result.stderr


def test_redis_url_switches_the_cache_to_redis():
    result = read_setting(
        "CACHES['default']['BACKEND']", "mesoclinic.settings.development", REDIS_URL="redis://127.0.0.1:6379/1"
    )
    assert result.stdout.strip() == "django.core.cache.backends.redis.RedisCache", result.stderr


def run_check(**environment):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_") and key != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="mesoclinic.settings.production",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="clinic.example",
        **environment,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=PROJECT, env=env, capture_output=True, text=True, check=False
    )


def test_production_check_fails_without_a_shared_cache_for_rate_limits():
    result = run_check()
    assert result.returncode != 0
    assert "django_ratelimit.E003" in result.stderr


def test_production_check_passes_with_redis():
    result = run_check(REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
