"""Where pictures and backups go, from the environment (docs/deploying.md, "Object storage").

Nothing set: pictures in MEDIA_ROOT on this server's disk and backups in BACKUP_DIR, as a single
server needs. For several servers, an S3-compatible object store (SeaweedFS, MinIO, Garage, Ceph,
or a provider's), named either way:

- MEDIA_STORAGE_URL=s3://KEY:SECRET@host:port/bucket (`s3+http://` for a store without TLS on
  a private network; `?region=` if the store asks for one), and BACKUP_STORAGE_URL in the same
  form for backups' own private bucket;
- or django-storages' usual variables: AWS_STORAGE_BUCKET_NAME, AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY, AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME, and AWS_BACKUP_BUCKET_NAME for
  the backups.

MEDIA_PUBLIC_URL is where browsers fetch the pictures (nginx passing /media/ to the bucket keeps
them on the site's own address: deploy/nginx.conf); without it, the store's own address.
"""

from urllib.parse import unquote, urlsplit

from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured

# A store that does not answer is reported within seconds, not after botocore's long retries.
CLIENT_CONFIG = Config(connect_timeout=3, read_timeout=15, retries={"max_attempts": 2, "mode": "standard"},
                       s3={"addressing_style": "path"}, signature_version="s3v4")  # fmt: skip


def from_url(url: str, variable: str) -> dict:
    """S3Storage's options from s3://KEY:SECRET@host:port/bucket[?region=...]."""
    parts = urlsplit(url)
    scheme = {"s3": "https", "s3+https": "https", "s3+http": "http"}.get(parts.scheme)
    bucket = parts.path.strip("/")
    if not scheme or not parts.hostname or not bucket or "/" in bucket:
        raise ImproperlyConfigured(f"{variable} must look like s3://KEY:SECRET@host:port/bucket")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    region = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair).get("region")
    return {
        "bucket_name": bucket,
        "endpoint_url": f"{scheme}://{host}" + (f":{parts.port}" if parts.port else ""),
        "access_key": unquote(parts.username or ""),
        "secret_key": unquote(parts.password or ""),
        "region_name": region or "us-east-1",
    }


def from_aws_variables(env, bucket_variable: str) -> dict:
    return {
        "bucket_name": env.str(bucket_variable),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", "") or None,
        "access_key": env.str("AWS_ACCESS_KEY_ID", ""),
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", ""),
        "region_name": env.str("AWS_S3_REGION_NAME", "us-east-1"),
    }


def object_store(env, url_variable: str, bucket_variable: str) -> dict | None:
    if env.str(url_variable, ""):
        return from_url(env.str(url_variable), url_variable)
    if env.str(bucket_variable, ""):
        return from_aws_variables(env, bucket_variable)
    return None


def storages(env) -> dict:
    """Django's STORAGES but for static files: "default" (pictures) and, with a bucket for them,
    "backups"."""
    pictures = object_store(env, "MEDIA_STORAGE_URL", "AWS_STORAGE_BUCKET_NAME")
    backups = object_store(env, "BACKUP_STORAGE_URL", "AWS_BACKUP_BUCKET_NAME")
    where = ("endpoint_url", "bucket_name")
    if pictures and backups and [pictures[key] for key in where] == [backups[key] for key in where]:
        raise ImproperlyConfigured("Backups need a bucket of their own, never the public pictures' bucket.")
    default = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if pictures:
        public = env.str("MEDIA_PUBLIC_URL", "")
        if public:
            address = urlsplit(public)
            pictures |= {"custom_domain": address.netloc + address.path.rstrip("/"),
                         "url_protocol": address.scheme + ":"}  # fmt: skip
        options = pictures | {"client_config": CLIENT_CONFIG}
        default = {"BACKEND": "sitewide.storage.PublicPictures", "OPTIONS": options}
    if not backups:
        return {"default": default}
    private = {"BACKEND": "sitewide.storage.PrivateBackups", "OPTIONS": backups | {"client_config": CLIENT_CONFIG}}
    return {"default": default, "backups": private}


def pictures_origin(default_storage: dict) -> str | None:
    """The address browsers fetch pictures from when it is not the site's own (for the CSP)."""
    options = default_storage.get("OPTIONS", {})
    if "custom_domain" in options:
        return f"{options['url_protocol']}//{options['custom_domain'].split('/', 1)[0]}"
    if options.get("endpoint_url"):
        return options["endpoint_url"]
    if options:  # Amazon S3 itself, addressed by path
        region = options["region_name"]
        return "https://s3.amazonaws.com" if region == "us-east-1" else f"https://s3.{region}.amazonaws.com"
    return None
