"""chibo settings: one module, everything read from the environment.

A bad value fails loudly at start (ImproperlyConfigured) instead of being
silently replaced by a default. Variables:

    CHIBO_ENV       development (default) | production
    DEBUG           true/false (default: true in development, false in production)
    SECRET_KEY      required in production
    DATABASE_URL    default sqlite:///<project>/var/chibo.sqlite3
    DATABASE_REPLICA_URL  optional PostgreSQL read replica for reports (core/dbrouter.py)
    CACHE_BACKEND   locmem (development default) | database (production default)
    API_USER_RATE   API requests per signed-in user (default 600/m)
    ALLOWED_HOSTS   comma-separated (default: 127.0.0.1,localhost in development)
    CSRF_TRUSTED_ORIGINS  comma-separated origins (https://chibo.example.vn)
    SESSION_IDLE_SECONDS  inactivity timeout of a session (default 1800)
    SECURE_SSL_REDIRECT   true/false (production default true)
    LOGIN_FAILURE_LIMIT   failed logins before a lock (default 5)
    LOGIN_LOCK_SECONDS    how long the lock lasts (default 900)
    CHIBO_TRUSTED_PROXIES addresses/networks of the reverse proxies whose X-Forwarded-For
                          names the client (comma-separated; default none: REMOTE_ADDR is
                          the client). deploy/env.example sets 127.0.0.1,::1 (nginx)
    CHIBO_FIELD_KEY       AES-256-GCM key ring for citizen ID/phone/2FA secrets at rest
                          (url-safe base64 of 32 bytes; comma-separated to rotate: the
                          first encrypts; `chibo reencrypt-fields`);
                          required in production, derived from SECRET_KEY in development
    CHIBO_AUDIT_KEY       HMAC key of the audit chain and its checkpoints (32+ random
                          characters; required in production, derived from SECRET_KEY in
                          development); never stored in the database
    CHIBO_AUDIT_CHECKPOINTS  file of signed audit checkpoints (default var/audit/checkpoints.jsonl)
    CHIBO_2FA_REQUIRED    true/false: committee roles and sysadmins must use 2FA (default true)
    CHIBO_CANDIDATE_RETENTION_YEARS  years before candidates never admitted are purged (default 5)
    CHIBO_NOTIFICATION_RETENTION_DAYS  days a read notification is kept (default 180)
    CHIBO_BACKUP_DIR      where `chibo backup` writes (default var/backups)
    CHIBO_BACKUP_KEY      key that encrypts and authenticates backups (url-safe base64 of
                          32 bytes; comma-separated to rotate); required in production,
                          derived from SECRET_KEY in development
    CHIBO_SQLITE_TIMEOUT  seconds a write waits for SQLite's write lock before a 503 (default 20)
    CHIBO_WORKER_DEAD_SECONDS  a worker silent this long is dead (default 120)
    CHIBO_IMPORT_STALE_MINUTES  an import job without a heartbeat this long is interrupted (default 10)
    CHIBO_IMPORT_KEEP_DAYS  days an upload no import will use is kept (default 7)
    CHIBO_IMPORT_MAX_MB   largest upload accepted, in MB (default 50)
    CHIBO_IMPORT_MAX_EXPANDED_MB  memory an uploaded workbook may expand to, in MB (default 768)
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from chibo.lib.keys import key_ring

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("CHIBO_VAR_DIR", PROJECT_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


CHIBO_ENV = os.environ.get("CHIBO_ENV", "development").strip().lower()
if CHIBO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"CHIBO_ENV={CHIBO_ENV!r}: use development or production")
PRODUCTION = CHIBO_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when CHIBO_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105
elif PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when CHIBO_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "chibo.core",
    "chibo.accounts",
    "chibo.orgs",
    "chibo.members",
    "chibo.admissions",
    "chibo.activity",
    "chibo.directives",
    "chibo.reports",
    "chibo.interchange",
    "chibo.oversight",
    "chibo.training",
    "chibo.home",
    "django_tasks",
    "django_tasks_db",
    "ninja",
]

# Background work: the django-tasks backport of Django 6's django.tasks, with the
# database worker (`chibo db_worker`). TASKS_BACKEND=immediate runs tasks inline
# (tests, a single-process demo).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = os.environ.get("TASKS_BACKEND", "database")
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND={_task_backend!r}: use database or immediate")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend]}}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "chibo@localhost")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "chibo.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "chibo.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "chibo.core.middleware.NoStoreMiddleware",
    "chibo.accounts.middleware.SessionIdleTimeoutMiddleware",
    "chibo.accounts.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "chibo.urls"
WSGI_APPLICATION = "chibo.wsgi.application"

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
                "chibo.accounts.context_processors.roles",
                "chibo.home.context_processors.home",
            ],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'chibo.sqlite3'}"
if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
try:
    DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_db)}
except Exception as exc:  # dj_database_url raises several types for a bad URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured("DATABASE_URL must point to SQLite or PostgreSQL")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; the busy timeout waits for
    # the write lock instead of failing at once (several web processes).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # Seconds a write waits for another writer before "database is locked"
        # (then: 503 with Retry-After, core/busy.py).
        "timeout": env_int("CHIBO_SQLITE_TIMEOUT", 20, minimum=1),
    }
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)

# Optional PostgreSQL read replica for report reads (chibo/core/dbrouter.py:
# only code inside `with reporting():` reads from it; everything else stays on
# the primary).
if os.environ.get("DATABASE_REPLICA_URL"):
    try:
        DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"])
    except Exception as exc:
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL is not a valid database URL: {exc}"
        ) from exc
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must point to PostgreSQL")
    DATABASES["replica"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["chibo.core.dbrouter.ReplicaRouter"]

# Cache (API throttles, failed-token counters): shared by all web processes in
# production (the database; `chibo createcachetable` on deploy), so the web
# processes hold no state and more machines are only more processes.
_CACHE_BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "database": {
        # Django's, its set() one statement (the API's throttle sets a key on every request).
        "BACKEND": "chibo.core.dbcache.DatabaseCache",
        "LOCATION": "chibo_cache",
        # Django's default keeps 300 entries and then deletes a third of them on the next
        # write: the dashboards, counts and rules of a city's scopes did not fit, and every
        # page recomputed what the previous one had kept (docs/performance.md, load test).
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    },
}
_cache_backend = os.environ.get("CACHE_BACKEND", "database" if PRODUCTION else "locmem")
if _cache_backend not in _CACHE_BACKENDS:
    raise ImproperlyConfigured(f"CACHE_BACKEND={_cache_backend!r}: use locmem or database")
CACHES = {"default": _CACHE_BACKENDS[_cache_backend]}
# API rate per signed-in user (chibo/api.py); a load test may raise it.
CHIBO_API_USER_RATE = os.environ.get("API_USER_RATE", "600/m")
# /api/v1/docs and openapi.json: public in development, signed-in users only in production.
CHIBO_API_DOCS_PUBLIC = not PRODUCTION

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:index"
LOGOUT_REDIRECT_URL = "accounts:login"
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCK_SECONDS = env_int("LOGIN_LOCK_SECONDS", 900, minimum=1)
# The reverse proxies whose X-Forwarded-For is believed (chibo.core.clientip):
# throttles are per client address, not per proxy.
CHIBO_TRUSTED_PROXIES = env_list("CHIBO_TRUSTED_PROXIES", [])
try:
    from chibo.core.clientip import parse_networks

    CHIBO_TRUSTED_PROXY_NETWORKS = parse_networks(CHIBO_TRUSTED_PROXIES)
except ValueError as exc:
    raise ImproperlyConfigured(f"CHIBO_TRUSTED_PROXIES: {exc}") from exc

# Security (issue 10; docs/security.md). Sensitive fields are encrypted at rest
# with CHIBO_FIELD_KEY (chibo.core.crypto); production refuses to start without it.
CHIBO_FIELD_KEY = os.environ.get("CHIBO_FIELD_KEY", "").strip()
if PRODUCTION:
    if not CHIBO_FIELD_KEY:
        raise ImproperlyConfigured("CHIBO_FIELD_KEY must be set when CHIBO_ENV=production")
    try:  # a malformed key fails now, not at the first save
        key_ring(CHIBO_FIELD_KEY)
    except ValueError as exc:
        raise ImproperlyConfigured(
            "CHIBO_FIELD_KEY must be url-safe base64 of 32 bytes (comma-separated to rotate)"
        ) from exc
# The audit chain's HMAC key and the signed checkpoints (chibo.core.audit,
# chibo.core.checkpoints): the key is never in the database; the checkpoints
# file lives where the database role cannot write.
CHIBO_AUDIT_KEY = os.environ.get("CHIBO_AUDIT_KEY", "").strip()
if PRODUCTION and len(CHIBO_AUDIT_KEY) < 32:
    raise ImproperlyConfigured(
        "CHIBO_AUDIT_KEY must be set (at least 32 random characters) when CHIBO_ENV=production"
    )
CHIBO_AUDIT_CHECKPOINTS = Path(
    os.environ.get("CHIBO_AUDIT_CHECKPOINTS", VAR_DIR / "audit" / "checkpoints.jsonl")
)
CHIBO_2FA_REQUIRED = env_bool("CHIBO_2FA_REQUIRED", True)
CHIBO_CANDIDATE_RETENTION_YEARS = env_int("CHIBO_CANDIDATE_RETENTION_YEARS", 5, minimum=1)
CHIBO_NOTIFICATION_RETENTION_DAYS = env_int("CHIBO_NOTIFICATION_RETENTION_DAYS", 180, minimum=1)
# Background work and imports (docs/deploy.md, docs/import.md): a worker silent this
# long is dead (chibo.core.worker); a job whose heartbeat is this old is interrupted;
# days an unused upload is kept; the upload cap; what an XLSX may expand to.
CHIBO_WORKER_DEAD_SECONDS = env_int("CHIBO_WORKER_DEAD_SECONDS", 120, minimum=1)
CHIBO_IMPORT_STALE_MINUTES = env_int("CHIBO_IMPORT_STALE_MINUTES", 10, minimum=1)
CHIBO_IMPORT_KEEP_DAYS = env_int("CHIBO_IMPORT_KEEP_DAYS", 7, minimum=1)
CHIBO_IMPORT_MAX_BYTES = env_int("CHIBO_IMPORT_MAX_MB", 50, minimum=1) * 1024 * 1024
CHIBO_IMPORT_MAX_EXPANDED_BYTES = (
    env_int("CHIBO_IMPORT_MAX_EXPANDED_MB", 768, minimum=1) * 1024 * 1024
)
CHIBO_BACKUP_DIR = Path(os.environ.get("CHIBO_BACKUP_DIR", VAR_DIR / "backups"))
# Backups are sealed with this key (chibo.core.sealed; AES-256-GCM, url-safe base64 of
# 32 bytes, comma-separated to rotate). Kept apart from the backups and the database.
CHIBO_BACKUP_KEY = os.environ.get("CHIBO_BACKUP_KEY", "").strip()
if PRODUCTION:
    try:
        _backup_keys = key_ring(CHIBO_BACKUP_KEY)
    except ValueError:
        _backup_keys = []
    if not _backup_keys:
        raise ImproperlyConfigured(
            "CHIBO_BACKUP_KEY must be set when CHIBO_ENV=production: url-safe base64 of "
            "32 bytes (comma-separated to rotate)"
        )

# Internationalization: Vietnamese first, English as the switch. The switch's
# cookie is as guarded as the session's (Secure in production, SameSite).
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["chibo.formats"]

# Uploaded files (attachments): served only through views that check scope,
# never as public static files.
MEDIA_ROOT = Path(os.environ.get("CHIBO_MEDIA_ROOT", VAR_DIR / "media"))
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 50 * 1024 * 1024, minimum=1024)

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
# Production: file names carry a hash of their content (collectstatic writes the manifest),
# so phones cache them for good and fetch the new ones after an upgrade (WhiteNoise and
# nginx send them as immutable).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
# WhiteNoise warns on a missing STATIC_ROOT; collectstatic fills it in production.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Sessions: server-side, expire after inactivity (SessionIdleTimeoutMiddleware)
# and at browser close.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 1800, minimum=60)
SESSION_COOKIE_AGE = 12 * 3600
# Django's database sessions, read by a statement compiled once (issue 22).
SESSION_ENGINE = "chibo.accounts.sessions"
# The signed-in user is read with their role assignments in one statement (SignedInUser, which
# checks no password); ModelBackend checks passwords and reads sessions that name it.
AUTHENTICATION_BACKENDS = [
    "chibo.accounts.backends.SignedInUser",
    "django.contrib.auth.backends.ModelBackend",
]
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The report indexes' INCLUDE columns are for PostgreSQL (covering, index-only
# scans); SQLite builds the same indexes on their keys, as intended.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits the domain and all its subdomains to HTTPS in every
        # browser for months: an operator's decision, not a default.
        SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]

# Content Security Policy (django-csp 4): only our own origin; no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
