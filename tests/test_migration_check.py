"""make migrations-check (django-migration-linter) refuses a migration that the old code, still
running on the other servers during a rolling deploy, cannot live with, and passes one it can."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pytest

from tests.machine import IN_CI

PROJECT = Path(__file__).resolve().parent.parent
# The check reads PostgreSQL's SQL, as `make migrations-check` does where PostgreSQL answers.
POSTGRES = os.environ.get("MIGRATIONS_CHECK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")

INITIAL = """
from django.db import migrations, models

class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel("Note", [
            ("id", models.BigAutoField(primary_key=True)),
            ("title", models.CharField(max_length=50)),
        ]),
    ]
"""

CHANGES = {
    "0002_drop_a_column_still_read": 'migrations.RemoveField("note", "title")',
    "0002_rename_a_column": 'migrations.RenameField("note", "title", "heading")',
    "0002_not_null_without_a_default": (
        'migrations.AddField("note", "words", models.CharField(max_length=50, default=""), preserve_default=False)'
    ),
    "0002_nullable_column": 'migrations.AddField("note", "words", models.CharField(max_length=50, null=True))',
    "0002_not_null_with_a_database_default": (
        'migrations.AddField("note", "words", models.CharField(max_length=50, db_default=""))'
    ),
}


@pytest.fixture
def throwaway_app(tmp_path):
    try:
        psycopg.connect(POSTGRES, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        if IN_CI:
            pytest.fail(f"the migration check needs PostgreSQL: {error}")
        pytest.skip(f"the migration check needs PostgreSQL: {error}")
    app = tmp_path / "lintcheck"
    (app / "migrations").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "migrations" / "__init__.py").write_text("")
    (app / "migrations" / "0001_initial.py").write_text(INITIAL)
    (tmp_path / "lintcheck_settings.py").write_text(
        "from mesoclinic.settings.test import *  # noqa\nINSTALLED_APPS = [*INSTALLED_APPS, 'lintcheck']  # noqa\n"
    )
    return tmp_path


def lint(folder: Path, name: str, operation: str) -> subprocess.CompletedProcess:
    migration = folder / "lintcheck" / "migrations" / f"{name}.py"
    migration.write_text(
        textwrap.dedent(f"""
        from django.db import migrations, models

        class Migration(migrations.Migration):
            dependencies = [("lintcheck", "0001_initial")]
            operations = [{operation}]
    """)
    )
    try:
        return subprocess.run(
            [sys.executable, "manage.py", "lintmigrations", "lintcheck", name, "--include-apps", "lintcheck"],
            cwd=PROJECT, capture_output=True, text=True,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{folder}:{PROJECT}",
                 "DJANGO_SETTINGS_MODULE": "lintcheck_settings", "DATABASE_URL": POSTGRES},
        )  # fmt: skip
    finally:
        migration.unlink()


@pytest.mark.parametrize(
    "name", ["0002_drop_a_column_still_read", "0002_rename_a_column", "0002_not_null_without_a_default"]
)
def test_a_migration_the_old_code_cannot_live_with_fails_the_check(throwaway_app, name):
    result = lint(throwaway_app, name, CHANGES[name])
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ERR" in result.stdout


@pytest.mark.parametrize("name", ["0002_nullable_column", "0002_not_null_with_a_database_default"])
def test_a_migration_the_old_code_can_live_with_passes(throwaway_app, name):
    result = lint(throwaway_app, name, CHANGES[name])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Erroneous migrations: 0/" in result.stdout


def test_every_migration_of_the_site_is_checked_or_was_released_before_the_check():
    result = subprocess.run(["make", "--no-print-directory", "migrations-check"], cwd=PROJECT, capture_output=True,
                            text=True)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Erroneous migrations: 0/" in result.stdout
