"""What the tests that run the site as its own processes share: a database of their own, already
migrated and holding the shipped content, made once per test session and copied for each test."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.processes import production_environment

PROJECT = Path(__file__).resolve().parent.parent.parent


class NoInbox:
    port = 9  # nothing is sent while the template is made


def suite_postgres() -> str | None:
    suite = os.environ.get("DATABASE_URL", "")
    return suite if suite.startswith(("postgres://", "postgresql://")) else None


def migrate_and_seed(database_url: str) -> None:
    env = production_environment(inbox=NoInbox(), database_url=database_url)
    for command in (["migrate", "--verbosity", "0"], ["seed_content", "--verbosity", "0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=PROJECT, env=env, check=True, capture_output=True)


@pytest.fixture(scope="session")
def site_database_template(tmp_path_factory):
    """Migrated once, with the shipped content: a SQLite file, or (the PostgreSQL pass) a database
    on the suite's server that each test's database is created from."""
    suite = suite_postgres()
    if suite is None:
        template = tmp_path_factory.mktemp("site-template") / "site.sqlite3"
        migrate_and_seed(f"sqlite:///{template}")
        yield template
        return
    import psycopg

    name = f"mesoclinic_template_{os.getpid()}"
    server = suite.rsplit("/", 1)[0]
    with psycopg.connect(suite, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    migrate_and_seed(f"{server}/{name}")
    yield name
    with psycopg.connect(suite, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(tmp_path, site_database_template):
    """A database of this test's own, migrated and seeded (a copy of the template), on the suite's
    kind of database: a file for SQLite; for PostgreSQL a database on the same server, dropped after."""
    suite = suite_postgres()
    if suite is None:
        copy = tmp_path / "site.sqlite3"
        shutil.copyfile(site_database_template, copy)
        yield f"sqlite:///{copy}"
        return
    import psycopg

    name = f"mesoclinic_site_{uuid.uuid4().hex[:8]}"
    server = suite.rsplit("/", 1)[0]
    with psycopg.connect(suite, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{site_database_template}"')
    yield f"{server}/{name}"
    with psycopg.connect(suite, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
