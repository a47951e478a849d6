"""Backups that restore: the database and the uploaded pictures, written together into one folder
under BACKUP_DIR, and put back from it.

- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot, whatever the site is doing), put
  back with `pg_restore --clean --if-exists` into the same database.
- SQLite (development): SQLite's own online backup, put back the same way.
- Pictures: MEDIA_ROOT as a tar.gz; restoring replaces MEDIA_ROOT's contents with it.

Each backup folder is named by its UTC time and written under a temporary name first, so a
backup that failed halfway is never taken for a whole one. Backups hold every patient's details:
BACKUP_DIR and each backup folder are 0700 and every file 0600, whatever the umask.
"""

import datetime
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection

DATABASE_FILE = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


def _postgres_environment() -> dict:
    """libpq's variables for the site's database: the password never appears on a command line."""
    database = connection.settings_dict
    values = {"PGHOST": database.get("HOST"), "PGPORT": database.get("PORT"), "PGUSER": database.get("USER"),
              "PGPASSWORD": database.get("PASSWORD"), "PGDATABASE": database["NAME"]}  # fmt: skip
    return {**os.environ, **{key: str(value) for key, value in values.items() if value}}


def backup(into: Path) -> Path:
    """Writes a backup into a new folder under `into`; returns that folder."""
    previous = os.umask(0o077)  # every file and folder below readable by the site's user alone
    try:
        return _backup(into)
    finally:
        os.umask(previous)


def _backup(into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    into.chmod(0o700)
    name = "mesoclinic-" + datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    partial = into / f".{name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    database_file = partial / DATABASE_FILE[connection.vendor]
    if connection.vendor == "postgresql":
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={database_file}"],
                       env=_postgres_environment(), check=True, capture_output=True)  # fmt: skip
    else:
        connection.ensure_connection()
        with sqlite3.connect(database_file) as copy:
            connection.connection.backup(copy)
    with tarfile.open(partial / "media.tar.gz", "w:gz") as archive:
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            archive.add(media, arcname="media")
    for file in partial.iterdir():
        file.chmod(0o600)
    final = into / name
    partial.rename(final)
    return final


def restore(folder: Path) -> None:
    """Puts the database and the pictures back as they were in the backup `folder`."""
    database_file = folder / DATABASE_FILE[connection.vendor]
    if not database_file.exists():
        raise FileNotFoundError(f"{database_file} is missing: not a backup of this kind of database")
    if connection.vendor == "postgresql":
        connection.close()  # pg_restore replaces every table; this process holds no lock on one
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        f"--dbname={connection.settings_dict['NAME']}", str(database_file)],
                       env=_postgres_environment(), check=True, capture_output=True)  # fmt: skip
    else:
        connection.ensure_connection()
        with sqlite3.connect(database_file) as copy:
            copy.backup(connection.connection)
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.rmtree(media)
    media.mkdir(parents=True)
    with tarfile.open(folder / "media.tar.gz") as archive:
        for member in archive.getmembers():
            if member.name == "media":
                continue
            member.name = member.name.removeprefix("media/")
            archive.extract(member, media, filter="data")
