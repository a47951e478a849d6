"""Settings shared by every environment, read from environment variables.

`development` (manage.py's default), `test` and `production` (WSGI/ASGI's default) build on this.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from sitewide.error_reports import start as start_error_reports
from sitewide.logs import logging_config

from .storage import pictures_origin
from .storage import storages as storages_from_environment

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", False)
# Each environment module decides what a missing key means (development: a fixed local key;
# production: refuse to start).
SECRET_KEY = env.str("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django_prometheus",
    "sitewide.staff_admin.StaffAdminConfig",  # Django's admin, with a second factor for staff
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "localflavor",
    "phonenumber_field",
    "django_ratelimit",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "auditlog",
    "sitewide",
    "treatments",
    "appointments",
]

MIDDLEWARE = [
    # Outermost: every log line of the request names it, and so does its response (X-Request-ID).
    "sitewide.logs.request_id",
    # Counts and times every request (django-prometheus), a cached page's too; /metrics shows them.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "sitewide.metrics_page.metrics_page",  # /metrics, for Prometheus, whatever host name it asks by
    # First after it, so that it keeps a public page exactly as the rest of this list leaves it.
    "sitewide.page_cache.UpdatePageCache",
    # A kept public page is answered here, before sessions, authentication or any view, and before
    # the headers' middleware: it was stored with every header below already on it (the security
    # headers, the CSP, its ETag; compressed for a browser that takes gzip), so none of them runs
    # again. A browser revalidating it gets its 304 here.
    "sitewide.page_cache.FetchPageFromCache",
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise, so that static files carry these headers too.
    "sitewide.middleware.cross_origin_resource_policy",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "sitewide.page_cache.CompressPublicPages",
    "django.middleware.http.ConditionalGetMiddleware",  # ETag, and 304 when it matches
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sitewide.middleware.language_from_address",  # before anything writes a word
    "csp.middleware.CSPMiddleware",
    # Before anything reads a form: another charset, or a NUL character, gets the site's 400 page.
    "sitewide.middleware.refuse_unreadable_requests",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # whether this session passed the second factor
    "django.contrib.messages.middleware.MessageMiddleware",
    "sitewide.middleware.staff_session_limits",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sitewide.middleware.AuditTrailMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # who made each content change
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # the view's name and the status, by view
]

ROOT_URLCONF = "mesoclinic.urls"
WSGI_APPLICATION = "mesoclinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "treatments.context_processors.clinic",
                "appointments.booking.context_processors.booking",
            ],
        },
    },
]

# SQLite in the project folder unless DATABASE_URL names another database (PostgreSQL in production).
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL: with DATABASE_POOL_SIZE set, each process keeps a pool of that many connections
# (Django's own pool, psycopg_pool) in place of one persistent connection: for gunicorn's threads,
# or to open no connection per request. Each process holds up to the pool's size, so the server's
# max_connections must cover processes x size. PgBouncer in transaction mode is the other way
# (docs/deploying.md, "Database connections").
DATABASE_POOL_SIZE = env.int("DATABASE_POOL_SIZE", 0)
if env.bool("DATABASE_PGBOUNCER", False):  # a connection shared between transactions holds nothing
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASE_POOL_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections: Django asks for 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": env.float("DATABASE_POOL_TIMEOUT", 10.0),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One shared cache: Redis when REDIS_URL is set (needed for limits that hold across processes),
# otherwise this process's memory. django-redis rather than Django's own Redis backend: it keeps
# one client per process (Django's builds a new one on every read, which cost a cached page hit
# 0.3 ms). sitewide.cache wraps it: while Redis cannot be reached, this process's memory answers
# instead (rate limits then hold per process, pages are drawn from the database), and a request
# waits at most REDIS_TIMEOUT_SECONDS for a server that has gone.
REDIS_URL = env.str("REDIS_URL", "")
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", 0.5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "sitewide.cache.RedisWithFallback",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mesoclinic",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_SECONDS,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT_SECONDS,
                "ON_RECOVERY": "sitewide.page_cache.retire_after_outage",
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Staff sign-in: django-axes counts failures per username and client address together.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", "Clinic website")  # the name authenticator apps show
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", 15))
# A password alone opens nothing (a second factor is needed, sitewide/admin_login.py), so failures
# lock a username from one address only: nobody can lock the real user out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "sitewide.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2"]
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# Staff sessions end after an idle time and, at the latest, after a working day.
STAFF_IDLE_MINUTES = env.int("DJANGO_STAFF_IDLE_MINUTES", 30)
STAFF_SESSION_MAX_HOURS = env.int("DJANGO_STAFF_SESSION_MAX_HOURS", 10)
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_HOURS * 60 * 60

# The audit trail (django-auditlog): who viewed, changed or exported which request, and from
# where. Requests are named by number; staff notes are recorded as changed, never copied.
AUDITLOG_MASK_CALLABLE = "appointments.audit.mask_value"

# How many proxies (nginx, a load balancer) stand in front of the site; 0 trusts no header.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", 0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The languages patients read the site in, each named in its own words (the language link says
# "Español" on an English page). English is at the site's addresses as they were; every other
# language under its own prefix (/es/). The address alone decides the language (the middleware
# language_from_address): no cookie, no Accept-Language, so each address is one page any cache
# may share. A third language: docs/languages.md.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Where `make backup` writes its folders (sitewide/backups.py); keep copies on another machine too.
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "backups")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
# Pictures staff upload (treatments.images): refused above these sizes, with a message.
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", 10 * 1024 * 1024)
# The largest body the site reads: a picture and the page's form around it. A longer one is refused
# by its declared length before it is read (sitewide.middleware); nginx's client_max_body_size is
# the same (11m in deploy/nginx.conf: keep them together if IMAGE_MAX_BYTES changes).
UPLOAD_MAX_BYTES = IMAGE_MAX_BYTES + 1024 * 1024
# The largest body a patient's form may be (the request form's longest field is 1,000 characters):
# a longer one gets the 413 page before it is read. nginx's client_max_body_size for those pages
# is the same (64k in deploy/nginx.conf).
FORM_MAX_BYTES = 64 * 1024
# Only the admin is under this address: the larger limit above is for its pages alone.
ADMIN_URL_PREFIX = "admin/"
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", 40_000_000)
# Pictures on this server's disk (MEDIA_ROOT), or in an S3-compatible object store when one is
# configured, with backups in a private bucket of their own (mesoclinic/settings/storage.py).
MEDIA_STORAGE = storages_from_environment(env)
PICTURES_ORIGIN = pictures_origin(MEDIA_STORAGE["default"])
STORAGES = {
    **MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

PHONENUMBER_DEFAULT_REGION = "US"
PHONENUMBER_DB_FORMAT = "E164"

# Appointment requests.
SITE_URL = env.str("DJANGO_SITE_URL", "http://127.0.0.1:8000")  # for links in staff e-mail
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", "webmaster@localhost")
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", 10)
APPOINTMENT_STAFF_EMAIL = env.str("APPOINTMENT_STAFF_EMAIL", "")  # empty: the clinic's own e-mail
# The clinic's opening hours and closed days are kept by staff in the admin (Clinic). The sources
# give none, so a new site has none and promises no response time; once they are recorded, a
# request is due within APPOINTMENT_RESPONSE_BUSINESS_DAYS business days.
APPOINTMENT_RESPONSE_BUSINESS_DAYS = env.int("APPOINTMENT_RESPONSE_BUSINESS_DAYS", 1)
# The first value of how long a visit lasts (the end of the event in a confirmation's calendar
# file); staff keep it on the clinic's record from then on.
APPOINTMENT_VISIT_MINUTES = env.int("APPOINTMENT_VISIT_MINUTES", 30)
# Online booking: the reminder goes this many hours before the visit; a time freed by a
# cancellation is held this long for the first patient on the waiting list, then offered on.
BOOKING_REMINDER_HOURS = env.int("BOOKING_REMINDER_HOURS", 24)
WAITING_LIST_HOLD_MINUTES = env.int("WAITING_LIST_HOLD_MINUTES", 120)
APPOINTMENT_RATE_LIMIT = env.str("APPOINTMENT_RATE_LIMIT", "5/10m")
APPOINTMENT_MIN_FILL_SECONDS = env.int("APPOINTMENT_MIN_FILL_SECONDS", 3)
APPOINTMENT_RETENTION_DAYS = env.int("APPOINTMENT_RETENTION_DAYS", 365)

# The newsletter (appointments/newsletter). A confirmation link works for NEWSLETTER_CONFIRM_DAYS;
# an address is sent at most one confirmation e-mail per NEWSLETTER_CONFIRM_COOLDOWN_MINUTES, so
# nobody can flood someone's inbox by signing them up again and again. Sign-ups that were never
# confirmed are deleted after NEWSLETTER_PENDING_DAYS (purge_requests). An issue goes out at most
# NEWSLETTER_MESSAGES_PER_MINUTE (what the mail server allows). Suppressed addresses and consent
# records are kept as keyed hashes under NEWSLETTER_HASH_KEY: set it once and never change it
# (a new key makes every suppressed address look new); unset, it is derived from the secret key.
NEWSLETTER_CONFIRM_DAYS = env.int("NEWSLETTER_CONFIRM_DAYS", 7)
NEWSLETTER_CONFIRM_COOLDOWN_MINUTES = env.int("NEWSLETTER_CONFIRM_COOLDOWN_MINUTES", 60)
NEWSLETTER_PENDING_DAYS = env.int("NEWSLETTER_PENDING_DAYS", 30)
NEWSLETTER_MESSAGES_PER_MINUTE = env.int("NEWSLETTER_MESSAGES_PER_MINUTE", 60)
NEWSLETTER_HASH_KEY = env.str("NEWSLETTER_HASH_KEY", "")
# Where bounces go (the envelope sender of each newsletter), read by `manage.py process_bounces`.
# Empty: the site's sender address.
NEWSLETTER_BOUNCE_ADDRESS = env.str("NEWSLETTER_BOUNCE_ADDRESS", "")
NEWSLETTER_BOUNCE_MAILDIR = env.str("NEWSLETTER_BOUNCE_MAILDIR", "")  # its mailbox, if on this machine
NEWSLETTER_SIGN_UP_RATE_LIMIT = env.str("NEWSLETTER_SIGN_UP_RATE_LIMIT", "5/10m")

# Rate limits count in the default cache (django-redis increments atomically). Without Redis the
# count is per process (E003): fine for one development server; production must set REDIS_URL.
SILENCED_SYSTEM_CHECKS = [] if REDIS_URL else ["django_ratelimit.E003", "django_ratelimit.W001"]
RATELIMIT_IP_META_KEY = "sitewide.client_address.client_address"  # django-ratelimit's "ip" key

# Background work: Django's tasks framework with the database backend (django-tasks-db); the
# worker is `manage.py run_worker` (appointments.worker). A notification that could not be sent is tried again after
# each of these delays, then left for staff to see (and for `send_pending_notifications`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
NOTIFICATION_RETRY_MINUTES = [1, 5, 15, 60, 240]
# How long a worker owns a request's mail while sending it: longer than the slowest mail server
# conversation (EMAIL_TIMEOUT per message); a worker that dies leaves a claim that runs out then.
NOTIFICATION_LEASE_SECONDS = env.int("NOTIFICATION_LEASE_SECONDS", 300)
# /healthz answers 503 when a request's mail has waited longer than this, or when a background
# task has waited this long past its time (no worker is running).
NOTIFICATION_ALERT_MINUTES = env.int("NOTIFICATION_ALERT_MINUTES", 30)
# A running worker records a heartbeat this often; /healthz calls it silent past WORKER_SILENT_MINUTES.
HEARTBEAT_SECONDS = env.int("HEARTBEAT_SECONDS", 60)
WORKER_SILENT_MINUTES = env.int("WORKER_SILENT_MINUTES", 5)
# While the database cannot be reached the worker waits 1, 2, 4 ... seconds between tries, at most this.
WORKER_RECONNECT_MAX_SECONDS = env.int("WORKER_RECONNECT_MAX_SECONDS", 30)

# /metrics (sitewide/metrics_page.py) answers direct connections from these addresses (or
# networks) only: where Prometheus runs. Through nginx it is never shown.
METRICS_ALLOWED_ADDRESSES = env.list("METRICS_ALLOWED_ADDRESSES", default=["127.0.0.1", "::1"])

# Editorial reviews: a page's next review falls due this many months after its last; pages whose
# review is due within REVIEW_REMINDER_DAYS are listed for editors (manage.py review_reminders).
# How easy patient pages must be to read, per language (treatments/readability.py): English at or
# below Flesch-Kincaid grade 8 (NLM's easy-to-read guidance); Spanish at or above Fernández-Huerta
# reading ease 60, the bottom of its "normal" band, which its scale sets at school grades 7 to 8.
REVIEW_INTERVAL_MONTHS = env.int("REVIEW_INTERVAL_MONTHS", 12)
REVIEW_REMINDER_DAYS = env.int("REVIEW_REMINDER_DAYS", 30)
READING_GRADE_TARGET = env.float("READING_GRADE_TARGET", 8.0)
READING_TARGETS = {"en": READING_GRADE_TARGET, "es": env.float("READING_EASE_TARGET_ES", 60.0)}

# Page ratings.
RATING_RATE_LIMIT = env.str("RATING_RATE_LIMIT", "30/10m")
RATING_COOKIE_NAME = "mesoclinic_rater"
RATING_COOKIE_MAX_AGE = 60 * 60 * 24 * 365 * 2
# Treatment pages are the same for every visitor. The shared page cache (sitewide/page_cache.py)
# keeps them whole for up to PAGE_CACHE_SECONDS, replaced at once on any content edit and, for its
# page, on any vote. nginx may keep a page PROXY_CACHE_SECONDS: the longest a stale rating tally
# can be seen. Browsers revalidate every time (an ETag makes that a 304).
PAGE_CACHE = env.bool("DJANGO_PAGE_CACHE", True)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", 300)
PROXY_CACHE_SECONDS = env.int("PROXY_CACHE_SECONDS", 10)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Every asset is the site's own: no inline code, no third-party origins.
# Nothing is allowed unless listed: scripts, styles and images from this site, the rating
# script's requests to it, forms that post to it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([PICTURES_ORIGIN] if PICTURES_ORIGIN else [])],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# Every powerful browser feature off: the site uses none of them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Patient details never reach a log: requests are logged by method and path only, never the query
# string (an admin search holds a name or a phone number; see deploy/gunicorn.conf.py).
# Plain lines by default; LOG_FORMAT=json writes one JSON object a line, each with its request id
# (sitewide/logs.py; gunicorn's access and error lines follow the same setting).
LOG_FORMAT = env.str("LOG_FORMAT", "text")
LOGGING = logging_config(LOG_FORMAT, env.str("DJANGO_LOG_LEVEL", "INFO"))

# Errors to a Sentry-compatible server, only when SENTRY_DSN names one (a self-hosted GlitchTip,
# docs/deploying.md); scrubbed of patients' details first (sitewide/error_reports.py).
SENTRY_DSN = env.str("SENTRY_DSN", "")
if SENTRY_DSN:
    start_error_reports(
        SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", "production"), release=env.str("SENTRY_RELEASE", "")
    )
