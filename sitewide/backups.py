"""Backups that restore: the database and the uploaded pictures, written together into one folder
under BACKUP_DIR, and put back from it.

- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot, whatever the site is doing), put
  back with `pg_restore --clean --if-exists` into the same database.
- SQLite (development): SQLite's own online backup, put back the same way.
- Pictures: every file of the pictures' storage (this server's MEDIA_ROOT, or the object store's
  bucket) as a tar.gz; restoring empties that storage and writes each file back under its name.

Each backup folder is named by its UTC time and written under a temporary name first, so a
backup that failed halfway is never taken for a whole one. Backups hold every patient's details:
BACKUP_DIR and each backup folder are 0700 and every file 0600, whatever the umask. With a
backups' bucket configured (BACKUP_STORAGE_URL), the folder's files are copied into that private
bucket under the folder's name and the server keeps no copy; `restore` fetches them back from it.
"""

import datetime
import io
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.storage.handler import InvalidStorageError
from django.db import connection

DATABASE_FILE = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


def _postgres_environment() -> dict:
    """libpq's variables for the site's database: the password never appears on a command line."""
    database = connection.settings_dict
    values = {"PGHOST": database.get("HOST"), "PGPORT": database.get("PORT"), "PGUSER": database.get("USER"),
              "PGPASSWORD": database.get("PASSWORD"), "PGDATABASE": database["NAME"]}  # fmt: skip
    return {**os.environ, **{key: str(value) for key, value in values.items() if value}}


def stored_files(storage, folder: str = "") -> Iterator[str]:
    """The name of every file in `storage`, folder by folder."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for file in files:
        yield posixpath.join(folder, file)
    for inner in folders:
        yield from stored_files(storage, posixpath.join(folder, inner))


def backups_storage():
    """The private bucket for backups, or None when backups stay in BACKUP_DIR."""
    try:
        return storages["backups"]
    except InvalidStorageError:
        return None


def backup(into: Path) -> str:
    """Writes a backup into a new folder under `into` (and moves it into the backups' bucket, if
    there is one); returns where it is."""
    previous = os.umask(0o077)  # every file and folder below readable by the site's user alone
    try:
        folder = _backup(into)
    finally:
        os.umask(previous)
    bucket = backups_storage()
    if bucket is None:
        return str(folder)
    for file in sorted(folder.iterdir()):
        with file.open("rb") as content:
            bucket.save(f"{folder.name}/{file.name}", File(content))
        if bucket.size(f"{folder.name}/{file.name}") != file.stat().st_size:
            raise OSError(f"{file.name} did not arrive whole in the backups' bucket; the local copy is kept")
    shutil.rmtree(folder)
    return f"{folder.name} (in the backups' bucket)"


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
        for stored in stored_files(default_storage):
            with default_storage.open(stored, "rb") as file:
                content = file.read()
            member = tarfile.TarInfo(f"media/{stored}")
            member.size, member.mode, member.mtime = len(content), 0o600, int(datetime.datetime.now().timestamp())
            archive.addfile(member, io.BytesIO(content))
    for file in partial.iterdir():
        file.chmod(0o600)
    final = into / name
    partial.rename(final)
    return final


def restore(folder: Path) -> None:
    """Puts the database and the pictures back as they were in the backup `folder` (a folder on
    this server, or the name of one in the backups' bucket)."""
    bucket = backups_storage()
    if folder.exists() or bucket is None:
        return _restore(folder)
    with tempfile.TemporaryDirectory() as fetched:  # 0700, and gone afterwards
        _folders, files = bucket.listdir(folder.name)
        if not files:
            raise FileNotFoundError(f"{folder.name} is in neither BACKUP_DIR nor the backups' bucket")
        for name in files:
            with bucket.open(f"{folder.name}/{name}", "rb") as source, (Path(fetched) / name).open("wb") as copy:
                shutil.copyfileobj(source, copy)
        _restore(Path(fetched))


def _restore(folder: Path) -> None:
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
    for name in list(stored_files(default_storage)):
        default_storage.delete(name)
    with tarfile.open(folder / "media.tar.gz") as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue  # folders (an older backup's) come with their files
            name = member.name.removeprefix("media/")
            if name.startswith("/") or ".." in PurePosixPath(name).parts:
                raise OSError(f"{member.name}: not a picture's name")
            default_storage.save(name, ContentFile(archive.extractfile(member).read()))
