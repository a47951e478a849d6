from botocore.exceptions import ClientError
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from sitewide.backups import backups_storage
from sitewide.storage import ObjectStore


class Command(BaseCommand):
    """For a new object store (compose.yaml runs it before the servers start): the pictures'
    bucket and the backups' bucket, when the site is configured to use them and they are missing."""

    help = "Create the pictures' and the backups' buckets in the object store, if missing."

    def handle(self, *args, **options):
        for storage in [default_storage, backups_storage()]:
            if not isinstance(storage, ObjectStore):
                continue
            bucket = storage.bucket
            try:
                bucket.meta.client.head_bucket(Bucket=bucket.name)
                self.stdout.write(f"{bucket.name}: already there")
                continue
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
                    raise CommandError(f"{bucket.name}: {error}") from error
            bucket.create()
            self.stdout.write(f"{bucket.name}: created")
