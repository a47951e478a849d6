"""Settings read the environment; production refuses to start with a missing secret."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

from mesoclinic.settings import storage as storage_settings

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


PRODUCTION = {
    "DJANGO_SECRET_KEY": "k3y-" + "0123456789abcdefghij" * 3,
    "DJANGO_ALLOWED_HOSTS": "clinic.example",
    "DATABASE_URL": "postgres://mesoclinic@127.0.0.1:5432/mesoclinic",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "DJANGO_SITE_URL": "https://clinic.example",
    "DJANGO_DEFAULT_FROM_EMAIL": "website@clinic.example",
    "DJANGO_EMAIL_HOST": "mail.clinic.example",
}


def production(**changes):
    """The production variables, with some changed; a value of None leaves that one out."""
    return {key: value for key, value in {**PRODUCTION, **changes}.items() if value is not None}


def test_production_refuses_to_start_naming_every_missing_variable_at_once():
    result = read_setting("DEBUG", "mesoclinic.settings.production")
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    for name in PRODUCTION:
        assert name in message


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"DJANGO_SECRET_KEY": "x" * 49}, "DJANGO_SECRET_KEY must be a random value of at least 50 characters"),
        ({"DJANGO_SECRET_KEY": "django-insecure-" + "x" * 50}, "DJANGO_SECRET_KEY must be"),
        ({"DJANGO_SITE_URL": "http://clinic.example"}, "DJANGO_SITE_URL must start with https://"),
        ({"REDIS_URL": None}, "REDIS_URL"),
    ],
)
def test_production_refuses_an_unsafe_or_missing_value(change, complaint):
    result = read_setting("DEBUG", "mesoclinic.settings.production", **production(**change))
    assert result.returncode != 0
    assert complaint in result.stderr
    assert "DJANGO_ALLOWED_HOSTS" not in result.stderr.strip().splitlines()[-1]


def test_production_starts_with_its_variables_and_debug_off():
    result = read_setting("DEBUG", "mesoclinic.settings.production", **production(DJANGO_DEBUG="true"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_deploy_check_passes_with_warnings_counted_as_failures():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


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
    assert result.stdout.strip() == "sitewide.cache.RedisWithFallback", (
        result.stderr
    )  # django-redis, see sitewide/cache.py


def run_manage(*arguments, **environment):
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("DJANGO_") and not key.endswith("_URL")
    }
    env.update(DJANGO_SETTINGS_MODULE="mesoclinic.settings.production", **environment)
    return subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=PROJECT, env=env, capture_output=True, text=True, check=False
    )


def test_the_production_check_passes_with_a_shared_cache_for_rate_limits():
    result = run_manage("check", **production())
    assert result.returncode == 0, result.stderr


def test_the_operations_guide_lists_every_environment_variable_the_site_reads():
    import re

    sources = [*(PROJECT / "mesoclinic" / "settings").glob("*.py"), PROJECT / "deploy" / "gunicorn.conf.py"]
    read = set()
    for source in sources:
        text = source.read_text()
        read |= set(re.findall(r"env\.\w+\(\s*\"([A-Z_]+)\"", text))
        read |= set(re.findall(r"os\.environ\.get\(\s*\"([A-Z_]+)\"", text))
    read |= set(
        re.findall(r"^    \"([A-Z_]+)\": \"", (PROJECT / "mesoclinic/settings/production.py").read_text(), re.M)
    )
    assert len(read) > 20
    guide = (PROJECT / "docs" / "deploying.md").read_text()
    assert sorted(name for name in read if f"`{name}`" not in guide) == []


def test_object_storage_is_read_from_one_url_and_backups_never_share_the_pictures_bucket(monkeypatch):
    monkeypatch.setenv("MEDIA_STORAGE_URL", "s3+http://key:se%2Fcret@store.internal:8333/pictures")
    monkeypatch.setenv("BACKUP_STORAGE_URL", "s3://key:secret@store.internal:8333/backups?region=eu-west-1")
    monkeypatch.setenv("MEDIA_PUBLIC_URL", "https://clinic.example/media/")
    configured = storage_settings.storages(environ.Env())
    pictures, backups = configured["default"]["OPTIONS"], configured["backups"]["OPTIONS"]
    assert configured["default"]["BACKEND"] == "sitewide.storage.PublicPictures"
    assert (pictures["endpoint_url"], pictures["bucket_name"], pictures["secret_key"]) == (
        "http://store.internal:8333", "pictures", "se/cret",
    )  # fmt: skip
    assert (pictures["custom_domain"], pictures["url_protocol"]) == ("clinic.example/media", "https:")
    assert storage_settings.pictures_origin(configured["default"]) == "https://clinic.example"
    assert (backups["endpoint_url"], backups["region_name"]) == ("https://store.internal:8333", "eu-west-1")
    assert configured["backups"]["BACKEND"] == "sitewide.storage.PrivateBackups"

    monkeypatch.setenv("BACKUP_STORAGE_URL", "s3+http://other:key@store.internal:8333/pictures")
    with pytest.raises(ImproperlyConfigured, match="bucket of their own"):
        storage_settings.storages(environ.Env())
    monkeypatch.setenv("MEDIA_STORAGE_URL", "https://store.internal/pictures")
    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE_URL must look like"):
        storage_settings.storages(environ.Env())
    for name in ["MEDIA_STORAGE_URL", "BACKUP_STORAGE_URL"]:
        monkeypatch.delenv(name)
    assert storage_settings.storages(environ.Env()) == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    }


@pytest.mark.parametrize(
    ("environment", "pool", "kept_seconds", "server_side_cursors"),
    [
        ({"DATABASE_POOL_SIZE": "4"}, {"min_size": 1, "max_size": 4, "timeout": 10.0}, 0, True),
        ({"DATABASE_PGBOUNCER": "true"}, None, 0, False),
        ({}, None, 60, True),
    ],
)
def test_database_connections_pooled_by_django_or_by_pgbouncer(environment, pool, kept_seconds, server_side_cursors):
    shown = read_setting(
        "DATABASES['default']",
        "mesoclinic.settings.development",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
        **environment,
    )
    database = ast.literal_eval(shown.stdout.strip())
    assert database.get("OPTIONS", {}).get("pool") == pool
    assert database["CONN_MAX_AGE"] == kept_seconds
    assert database.get("DISABLE_SERVER_SIDE_CURSORS", False) is not server_side_cursors
