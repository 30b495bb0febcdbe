"""Settings for Commune OS, read from the environment.

With no environment at all the project runs for development: an SQLite file,
a local media folder and console email. Every variable is listed in
`.env.example`. A malformed value stops start-up with a message naming it.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = "Commune OS"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "communeos.core",
    "communeos.units",
    "communeos.people",
    "communeos.onestop",
    "communeos.documents",
]

# Background work (register PDFs) is a row of the database-backed task queue, written in the
# transaction of the request that asks for it; `manage.py db_worker` runs it (bin/demo starts one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen: its refusal is in the person's language.
    "communeos.core.middleware.refuse_nul",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "communeos.core.middleware.ContentSecurityPolicyMiddleware",
    # Last, so that a lockout is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "communeos.urls"
WSGI_APPLICATION = "communeos.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "communeos" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "communeos.people.context_processors.current_unit",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL (production) through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'var' / 'communeos.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # Off by default (Django's default): a check is one more round trip on every request.
        # Without it, the first request after the database restarted fails once per process.
        conn_health_checks=env_bool("DATABASE_HEALTH_CHECKS", False),
    )
}
# PostgreSQL: parameters bound by the server, and statements run five times prepared once
# (psycopg's prepare_threshold): the hot paths skip planning. Off behind PgBouncer in
# transaction mode, which cannot keep prepared statements.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_PREPARE", True):
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Writers queue instead of failing with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        # synchronous=FULL: a commit is on the disk when it returns, as PostgreSQL's is (NORMAL,
        # in WAL mode, may lose the last commits in a power cut: a dossier whose receipt the
        # citizen holds, with its files).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
    }
    (BASE_DIR / "var").mkdir(exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out client before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "people:login"

# Sign-in lockout (django-axes): 5 failures for one username from one address
# lock that pair for 15 minutes. Locking by address alone would shut a whole
# commune office out, since its staff share one public address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "people/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0) or None

# Sessions end with the browser and after a working day at most.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Internationalisation: Vietnamese first, English complete.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "communeos" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Where uploaded files are kept (communeos.core.storage): "database" (the default) writes each
# file in the transaction of the record that names it, so they are committed, backed up and
# restored together; "filesystem" keeps them under MEDIA_ROOT, synced before their records
# are committed (FILE_SYNC). Files under MEDIA_ROOT from before a switch to "database" stay
# readable.
FILE_STORE = env_str("FILE_STORE", "database")
FILE_STORES = {
    "database": "communeos.core.storage.DatabaseStorage",
    "filesystem": "django.core.files.storage.FileSystemStorage",
}
if FILE_STORE not in FILE_STORES:
    raise ImproperlyConfigured(f"FILE_STORE={FILE_STORE!r} is not one of: {', '.join(FILE_STORES)}.")
STORAGES = {
    "default": {"BACKEND": FILE_STORES[FILE_STORE]},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "communeos@localhost")

# Security headers. In production (DEBUG off) everything `check --deploy` asks for.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the page, not the cookie; keep default behaviour
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

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

# One-stop shop and uploads.
# The address printed in QR codes on receipts (the public look-up page lives under it).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 10) * 1_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES * 4  # a whole online submission with its scans
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_500_000
# A body up to that size is parsed at once (core/multipart.py); a larger one is streamed by
# Django's parser, its files kept in memory or, over the size above, in temporary files.
FILE_UPLOAD_HANDLERS = [
    "communeos.core.multipart.WholeBodyUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# FILE_STORE=filesystem: stored files are synced to the disk (fsync) before the rows naming them are committed, as
# PostgreSQL syncs its own commits: a crash of the machine loses neither. 0 turns that off
# (a throwaway demo); a dossier's file could then be lost or empty after a crash.
FILE_SYNC = env_bool("FILE_SYNC", True)
# Files made in the background (core.Export: registers as PDF, which name people) are removed
# this many days after they were asked for, by `manage.py exports_expire` (run it daily).
EXPORT_KEEP_DAYS = env_int("EXPORT_KEEP_DAYS", 7)
# Public look-ups and online submissions allowed per client address per minute, counted in
# Django's cache: "memory" (the default) counts in each server process, so N processes allow N
# times the limit; "database" keeps the counts in one table that every process shares (one or
# two more queries per public request; create the table once with `manage.py createcachetable`).
PUBLIC_RATE_PER_MINUTE = env_int("PUBLIC_RATE_PER_MINUTE", 30)
CACHE_BACKEND = env_str("CACHE_BACKEND", "memory")
CACHE_TABLE = "communeos_cache"
if CACHE_BACKEND == "database":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}}
elif CACHE_BACKEND != "memory":
    raise ImproperlyConfigured(f"CACHE_BACKEND={CACHE_BACKEND!r} is not one of: memory, database.")
PUBLIC_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)

# The public API: per-page sizes.
NINJA_PAGINATION_PER_PAGE = 100
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 1000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
