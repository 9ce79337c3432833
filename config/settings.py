"""Tongxin settings, read from the environment.

With no variables set the portal runs on the embedded default: a SQLite file, tasks in process,
e-mail printed to the console. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Celery.
"""

import os
import secrets
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _secret_key() -> str:
    """The key from DJANGO_SECRET_KEY; in development one generated once into an untracked file."""
    key = env.str("DJANGO_SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (production).")
    path = Path(env.str("DJANGO_SECRET_KEY_FILE", default=str(BASE_DIR / ".secret_key")))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _personal_data_keys() -> tuple[list[str], str]:
    """Fernet keys (first encrypts, all decrypt) and the HMAC key for personal data (core/crypto.py).

    From TONGXIN_DATA_KEYS and TONGXIN_DATA_HASH_KEY; in development generated once into an untracked file.
    """
    keys = env.list("TONGXIN_DATA_KEYS", default=[])
    hash_key = env.str("TONGXIN_DATA_HASH_KEY", default="")
    if keys and hash_key:
        return keys, hash_key
    if not DEBUG:
        raise ImproperlyConfigured(
            "TONGXIN_DATA_KEYS and TONGXIN_DATA_HASH_KEY must be set when DJANGO_DEBUG is off (production)."
        )
    import base64
    import json

    path = Path(env.str("TONGXIN_DATA_KEYS_FILE", default=str(BASE_DIR / ".personal_data_keys")))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            json.dump(
                {
                    "keys": [base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()],
                    "hash_key": secrets.token_urlsafe(32),
                },
                fh,
            )
    stored = json.loads(path.read_text())
    return keys or stored["keys"], hash_key or stored["hash_key"]


PERSONAL_DATA_KEYS, PERSONAL_DATA_HASH_KEY = _personal_data_keys()

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Our apps first: their translations and templates take precedence over the libraries'.
    "core",
    "accounts",
    "villages",
    "roundtable",
    "projects",
    "talent",
    "notifications",
    "noticeboard",
    "portal",
    "dashboards",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "django_htmx",
    "django_filters",
    "csp",
]

MIDDLEWARE = [
    # The client's address behind the trusted proxies, a request id for the logs, then the request counters.
    "core.middleware.ProxiedClientMiddleware",
    "core.middleware.RequestIdMiddleware",
    "core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.http.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "villages.context_processors.portal",
                "talent.context_processors.talent_access",
                # Last: while a public page is rendered for the page cache, its CSRF token is a placeholder.
                "core.pagecache.slots",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
# How many times a connection runs a statement before it is prepared, in views that ask for it (None: never).
DB_PREPARE_THRESHOLD = None
# How alike two titles must be (pg_trgm similarity, 0–1) for a matter to be shown as a likely duplicate.
TRIGRAM_SIMILARITY_THRESHOLD = 0.15
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions keep a threaded runserver and in-process tasks from
    # tripping over "database is locked".
    _sqlite_file = str(_db.get("NAME", ""))
    if _sqlite_file and _sqlite_file != ":memory:" and not _sqlite_file.startswith("file:"):
        # Readable by its owner only (it holds personal data); SQLite gives its -wal and -shm files the
        # database file's mode.
        try:
            os.close(os.open(_sqlite_file, os.O_WRONLY | os.O_CREAT, 0o600))
            os.chmod(_sqlite_file, 0o600)
        except OSError:
            pass  # a directory that does not exist yet: Django says so when it connects
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    # Persistent connections, checked before reuse.
    _db["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # Parameters bound by the server. Reads by keys (core.db.prepared_statements: a matter's page, the
    # tracking page, the search's walk) also prepare the statements a connection runs again and again, so
    # their planning (a quarter to a half of a millisecond each on the issue table and its indexes) is done
    # once per connection. Lists and dashboards are planned for their values every time: a generic plan of
    # a filtered list can be many times slower (issue 13). No connection pooler in transaction mode may
    # sit in front unless DJANGO_DB_PREPARE=0 (pgbouncer < 1.21 loses prepared statements between clients).
    if env.bool("DJANGO_DB_PREPARE", default=True):
        _db["OPTIONS"]["server_side_binding"] = True
        DB_PREPARE_THRESHOLD = 5
    # Likely duplicates (roundtable.selectors.similar_issues) are found with pg_trgm's `%` operator, whose
    # threshold is set once for each connection as it opens, not by a statement on every issue page.
    _db["OPTIONS"]["options"] = " ".join(
        filter(
            None,
            [
                _db["OPTIONS"].get("options"),
                f"-c pg_trgm.similarity_threshold={TRIGRAM_SIMILARITY_THRESHOLD}",
            ],
        )
    )
IS_POSTGRES = _db["ENGINE"].startswith("django.db.backends.postgresql")

# A read replica (a PostgreSQL streaming standby) for the dashboards' and exports' reads: the views that
# ask for it (core.db.reads_from_replica) read there, everything else and every write stays on the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **environ.Env.db_url_config(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": _db.get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "connect_timeout": 5,
            **{k: v for k, v in _db["OPTIONS"].items() if k in ("server_side_binding", "options")},
        },
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["core.routers.ReplicaRouter"]
# Read from the primary even inside a replica block: who the user is, their session and roles (a role
# just taken away must not linger on a lagging standby), the cache table and the heartbeat.
DATABASE_REPLICA_PRIMARY_APPS = [
    "sessions",
    "auth",
    "accounts",
    "account",
    "contenttypes",
    "admin",
    "django_cache",
    "core",
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache (rate-limit counters among others) and the sessions are shared by every web process on every
# node: in Redis when REDIS_URL is set, else in the database. The Redis cache treats an unreachable Redis as
# a miss (core.cache), and sessions are written through to the database, so a Redis outage signs nobody out.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": env.str("DJANGO_CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "tongxin",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Rate-limit counters need an atomic increment: Redis has INCR, the database cache gets a locked one.
    CACHES = {
        "default": {
            "BACKEND": "core.dbcache.AtomicDatabaseCache",
            "LOCATION": "tongxin_cache",
        }
    }

# --- accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "workspace:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapters.StaffAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Five failed logins per account in five minutes, twenty per address per minute.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "20/m/ip,5/300s/key",
    "reset_password": "20/m/ip,5/m/key",
    "change_password": "5/m/user",
}
SESSION_COOKIE_AGE = 60 * 60 * 12

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads go through the storage API only: a directory (shared by every web node, e.g. an NFS mount, when
# there are several) or, with DJANGO_S3_BUCKET, S3-compatible object storage through django-storages.
DJANGO_S3_BUCKET = env.str("DJANGO_S3_BUCKET", default="")
if DJANGO_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DJANGO_S3_BUCKET,
            "endpoint_url": env.str("DJANGO_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DJANGO_S3_REGION", default="") or None,
            "access_key": env.str("DJANGO_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("DJANGO_S3_SECRET_KEY", default="") or None,
            "location": env.str("DJANGO_S3_PREFIX", default="media"),
            # Photos are private: the portal streams them after its own permission check.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Past this, an upload's bytes are dropped while it is still counted (core/uploads.py); every form
# that takes a file accepts less (photos 20 MB, imports 5 MB).
FILE_UPLOAD_KEEP_BYTES = 21 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "core.uploads.CappedTemporaryFileUploadHandler",
]
# Media files and the SQLite database are readable by their owner only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# nginx's client_max_body_size (deploy/nginx) must be at least this: the largest request the portal accepts.
MAX_REQUEST_BODY_MB = 24  # a 20 MB camera photo with its form

# --- e-mail ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="同心 Tongxin <noreply@tongxin.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# A request must never hang on a dead broker: fail fast and let the outbox catch up later.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 1,
    "socket_connect_timeout": 1,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_PUBLISH_RETRY = False
# Beat (Celery's own scheduler, state in the file given by `celery beat --schedule`): the sender every
# minute picks up whatever is due in the outbox, so nothing rests on a broker ETA.
CELERY_BEAT_SCHEDULE = {
    "notifications-send-due": {"task": "notifications.send_due", "schedule": 60.0},
    "notifications-sweep-meetings": {"task": "notifications.sweep_meetings", "schedule": 300.0},
    "notifications-sweep-overdue": {"task": "notifications.sweep_overdue", "schedule": 300.0},
    "notifications-sweep-digest": {"task": "notifications.sweep_digest", "schedule": 900.0},
    "roundtable-purge-personal-data": {"task": "roundtable.purge_personal_data", "schedule": 6 * 3600.0},
    # Proves to /healthz that beat schedules and a worker runs what it schedules.
    "core-heartbeat": {
        "task": "core.heartbeat",
        "schedule": float(env.int("DJANGO_BEAT_HEARTBEAT_SECONDS", default=60)),
    },
    # Township and district dashboards' default views, computed ahead (issue 10): the page says when.
    "dashboards-refresh-snapshots": {"task": "dashboards.refresh_snapshots", "schedule": 900.0},
    # The database cache's expired rate-limit counters (issue 13: no culling while a page is served).
    "core-cache-sweep": {"task": "core.cache_sweep", "schedule": 600.0},
}

# --- notifications --------------------------------------------------------------------------
NOTIFICATIONS_SITE_URL = env.str("NOTIFICATIONS_SITE_URL", default="http://127.0.0.1:8000")
# Any class with send(*, mobile, text); the default writes the text to the log.
NOTIFICATIONS_SMS_BACKEND = env.str(
    "NOTIFICATIONS_SMS_BACKEND", default="notifications.channels.LoggingSMSBackend"
)
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_ESCALATION_GRACE_HOURS = env.int("NOTIFICATIONS_ESCALATION_GRACE_HOURS", default=48)
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=8)
NOTIFICATIONS_KICK_PAUSE_SECONDS = 30
# Tests only: a file holding a frozen time shared with a Celery worker process (notifications/clock.py).
NOTIFICATIONS_CLOCK_FILE = env.str("NOTIFICATIONS_CLOCK_FILE", default="")

# --- security -------------------------------------------------------------------------------
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# Everything is served by the portal itself; nothing may come from another host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- operations -----------------------------------------------------------------------------
# Where `manage.py backup` writes its sets (copy them off the machine: see the README).
BACKUP_DIR = Path(env.str("DJANGO_BACKUP_DIR", default=str(BASE_DIR / "backups")))
# Addresses of the reverse proxies in front of the portal (nginx): from these, the client's address is read
# from X-Forwarded-For (core.middleware), so rate limits, allauth and the logs see the resident, not nginx.
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
# /metrics (Prometheus) answers only these addresses or networks; everyone else gets a 404.
METRICS_ALLOWED_ADDRESSES = env.list("DJANGO_METRICS_ALLOWED_ADDRESSES", default=["127.0.0.1", "::1"])
# /healthz answers 503 when beat (with REDIS_URL) has not run its heartbeat for this long (0: no check).
HEALTHZ_BEAT_MAX_SILENCE = env.int("DJANGO_HEALTHZ_BEAT_MAX_SILENCE", default=300)

# Plain lines by default; DJANGO_LOG_FORMAT=json writes one JSON object a line, with the request id.
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- rate limits (core/ratelimit.py) --------------------------------------------------------
# The client's address: TRUSTED_PROXIES (operations, above) and core.middleware.ProxiedClientMiddleware.
# With Redis unreachable (core.cache answers like a miss) the limits let requests through rather than
# refuse everyone.
RATELIMIT_FAIL_OPEN = True
# django-ratelimit rates ("N/period", fixed windows). Per address generous: a roundtable meeting's residents
# share the village Wi-Fi; per browser, per tracking code and per village tight.
RATE_LIMITS = {
    "submit_address": env.str("TONGXIN_RATE_SUBMIT_ADDRESS", default="40/10m"),
    "submit_browser": env.str("TONGXIN_RATE_SUBMIT_BROWSER", default="5/10m"),
    "submit_village": env.str("TONGXIN_RATE_SUBMIT_VILLAGE", default="200/h"),
    "lookup_address": env.str("TONGXIN_RATE_LOOKUP_ADDRESS", default="300/m"),
    "lookup_browser": env.str("TONGXIN_RATE_LOOKUP_BROWSER", default="60/m"),
    "lookup_code": env.str("TONGXIN_RATE_LOOKUP_CODE", default="60/m"),
    "miss_address": env.str("TONGXIN_RATE_MISS_ADDRESS", default="60/10m"),
    "miss_browser": env.str("TONGXIN_RATE_MISS_BROWSER", default="10/10m"),
    "matter_action": env.str("TONGXIN_RATE_MATTER_ACTION", default="10/10m"),
    "opinion_address": env.str("TONGXIN_RATE_OPINION_ADDRESS", default="40/10m"),
    "opinion_browser": env.str("TONGXIN_RATE_OPINION_BROWSER", default="5/m"),
    "suggestion_address": env.str("TONGXIN_RATE_SUGGESTION_ADDRESS", default="40/10m"),
    "suggestion_browser": env.str("TONGXIN_RATE_SUGGESTION_BROWSER", default="5/m"),
    # Tracking codes asked for again by mobile number: per address and browser a refusal page; per number
    # (keyed by its hash) the request is dropped silently, so the page never differs between numbers.
    "recover_address": env.str("TONGXIN_RATE_RECOVER_ADDRESS", default="30/h"),
    "recover_browser": env.str("TONGXIN_RATE_RECOVER_BROWSER", default="5/h"),
    "recover_number": env.str("TONGXIN_RATE_RECOVER_NUMBER", default="3/d"),
    "admin_login_address": env.str("TONGXIN_RATE_ADMIN_LOGIN_ADDRESS", default="20/m"),
    "admin_login_account": env.str("TONGXIN_RATE_ADMIN_LOGIN_ACCOUNT", default="5/5m"),
}
# Seconds a submission must take from the form being shown (time trap: bots post at once).
SUBMIT_MIN_SECONDS = env.int("TONGXIN_SUBMIT_MIN_SECONDS", default=3)

# --- personal data (PIPL) --------------------------------------------------------------------
# The wording residents agree to is versioned (accounts/consent.py); each matter keeps the version it got.
# Closed matters lose their raiser's personal details this many days after closing (a beat task).
PERSONAL_DATA_RETENTION_DAYS = env.int("TONGXIN_PERSONAL_DATA_RETENTION_DAYS", default=365)

# --- portal ---------------------------------------------------------------------------------
PORTAL_NAME = _("Tongxin")

# --- notice board ---------------------------------------------------------------------------
# The public address printed in QR codes on posters (/v/<code>/submit/); set it to the portal's real host.
PUBLIC_SITE_URL = env.str("PUBLIC_SITE_URL", default=NOTIFICATIONS_SITE_URL)
