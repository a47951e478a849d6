"""Where uploaded pictures and backups are kept when an S3-compatible object store is configured
(django-storages' S3Storage; the settings are read in mesoclinic/settings/storage.py).

- `PublicPictures`: staff pictures and their renditions, which every patient's browser fetches.
  Each object is written public-read with `Cache-Control: public, max-age=31536000, immutable`:
  names carry a digest of the picture's bytes (treatments.images), so an object never changes
  under its name and a browser or proxy may keep it for a year.
- `PrivateBackups`: `make backup`'s files, in a bucket of their own, private, and with no URL at
  all (nothing in the site links to a backup).

A store that cannot be reached (refused, timed out, or answering 5xx) raises `StoreUnavailable`,
an OSError, so a form can say so in words and nothing is half-saved.
"""

import functools

from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage

YEAR = 60 * 60 * 24 * 365


class StoreUnavailable(OSError):
    """The object store did not answer as it should: try again later."""


def _answered_not_found(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey"}


def _reporting_outages(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except ClientError as error:
            if _answered_not_found(error):
                raise FileNotFoundError(str(error)) from error
            raise StoreUnavailable(f"the object store refused the request: {error}") from error
        except BotoCoreError as error:
            raise StoreUnavailable(f"the object store cannot be reached: {error}") from error

    return wrapper


class ObjectStore(S3Storage):
    """S3Storage whose failures are `StoreUnavailable` (or FileNotFoundError for a missing object)."""

    _save = _reporting_outages(S3Storage._save)
    delete = _reporting_outages(S3Storage.delete)
    exists = _reporting_outages(S3Storage.exists)
    listdir = _reporting_outages(S3Storage.listdir)
    size = _reporting_outages(S3Storage.size)

    @_reporting_outages
    def _open(self, name, mode="rb"):
        file = super()._open(name, mode)
        if "r" in mode:
            file.seek(0)  # fetches it now, so that an outage is reported here, not at the first read()
        return file


class PublicPictures(ObjectStore):
    def get_default_settings(self):
        return {
            **super().get_default_settings(),
            "default_acl": "public-read",
            "querystring_auth": False,
            "object_parameters": {"CacheControl": f"public, max-age={YEAR}, immutable"},
        }


class PrivateBackups(ObjectStore):
    def get_default_settings(self):
        return {**super().get_default_settings(), "default_acl": "private", "querystring_auth": True}

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise NotImplementedError("Backups have no address: they are fetched by make restore alone.")


def store_answers(storage) -> bool:
    """Whether `storage` can be read now (a local folder always can)."""
    try:
        storage.exists("pictures/.reachable")
    except OSError:
        return False
    return True
