"""Settings for sawt. Every knob comes from the environment (DATABASE_URL, SAWT_*)."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
SAWT_HOME = Path(os.environ.get("SAWT_HOME", "var")).resolve()
SAWT_HOME.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(home: Path) -> str:
    # No secret lives in the repository: take it from the environment, or create one per
    # installation under SAWT_HOME so sessions survive restarts.
    if key := os.environ.get("SAWT_SECRET_KEY"):
        return key
    path = home / "secret_key"
    if not path.exists():
        # Written whole into a file that is 0600 from its creation (mkstemp: O_CREAT|O_EXCL),
        # then linked into place: nobody else can read the key even for a moment, and nobody
        # reads it half-written. Two processes starting at once: link() lets one win, the
        # other reads the winner's key.
        fd, draft = tempfile.mkstemp(dir=home, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            os.unlink(draft)
    return path.read_text().strip()


SECRET_KEY = _secret_key(SAWT_HOME)
DEBUG = _env_bool("SAWT_DEBUG", False)
ALLOWED_HOSTS = [
    h for h in os.environ.get("SAWT_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "sawt.core",
    "sawt.imports",
    "sawt.catalog",
    "sawt.accounts",
    "sawt.surveys",
    "sawt.classification",
    "sawt.distribution",
    "sawt.complaints",
    "sawt.workshops",
    "sawt.gaps",
    "sawt.metrics",
    "sawt.web",
    "sawt.demo",
    "sawt.reports",
    "sawt.jobs",
    # Django's Tasks API (the backport of Django 6's django.tasks) and its database backend,
    # installed whichever backend runs the work, so switching is configuration only.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session: a write (even the session's own) that waited its turn behind an
    # import in vain is a 503 carrying what was posted, never a 500 (sawt/core/middleware.py).
    "sawt.core.middleware.DatabaseBusyMiddleware",
    # Also before the session: a page that meets a database `sawt migrate` has not brought up
    # to date says so (503) instead of a 500 (sawt/core/schema.py).
    "sawt.core.schema.SchemaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sawt.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view or CsrfViewMiddleware.process_view reads a body: refuses it by its
    # declared length, and an anonymous upload, unread (sawt/core/middleware.py).
    "sawt.core.middleware.RequestBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sawt.config.urls"
WSGI_APPLICATION = "sawt.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]


# SQLite has one write lock, which an import holds for its whole write phase (5-15 s for
# 100,000 rows on two shared cores). Pages and background work wait this long for it (Python's
# default is 5 s), then a page answers "busy, send it again" with what was typed
# (sawt.core.middleware.DatabaseBusyMiddleware). An import waits longer for another import
# (sawt.imports.db.waits_its_turn; on PostgreSQL, its lock_timeout), then says one is running.
SAWT_SQLITE_WAIT_SECONDS = 30
SAWT_IMPORT_WAIT_SECONDS = 600


def _database() -> dj_database_url.DBConfig:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{SAWT_HOME / 'sawt.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web app read while an import writes; IMMEDIATE avoids the
        # "database is locked" upgrade race between two writers.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": SAWT_SQLITE_WAIT_SECONDS,
        }
        config["CONN_MAX_AGE"] = 0
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # A phone, ID or date is guessed from what others know: no password of digits only.
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Arabic first: the default language is Arabic (RTL); English is a complete alternative.
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", "العربية"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR.parent / "locale"]
TIME_ZONE = os.environ.get("SAWT_TIME_ZONE", "Asia/Riyadh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = SAWT_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# The report's bundled OFL fonts, served to the web pages too (one copy in the repository).
STATICFILES_DIRS = [("fonts", BASE_DIR / "reports" / "fonts")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "/accounts/login/"
# Signing in from the login page itself (no ?next=) lands on the portfolio, not /accounts/profile/.
LOGIN_REDIRECT_URL = "/"
# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed-login lockout: 5 failures of one username from one address pause that pair for 15 min.
# The pair, not the username alone, so nobody can lock a colleague out from elsewhere.
AXES_FAILURE_LIMIT = int(os.environ.get("SAWT_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SAWT_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Axes' own default, stated: the lockout page (sawt.accounts.views.lockout) answers with it.
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "sawt.accounts.views.lockout"
# Behind a reverse proxy every request comes from the proxy's address: the lockout then counts
# the client's address from the proxies' X-Forwarded-For entry (sawt/accounts/addresses.py),
# and never reads that header otherwise, since any client can write it.
SAWT_BEHIND_PROXY = _env_bool("SAWT_BEHIND_PROXY", False)
SAWT_PROXY_COUNT = max(1, int(os.environ.get("SAWT_PROXY_COUNT", "1")))
AXES_CLIENT_IP_CALLABLE = "sawt.accounts.addresses.client_ip"
SESSION_COOKIE_AGE = 8 * 3600
# A shared office computer: closing the browser ends the session as well as 8 h do.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# A form refused for its CSRF token gets a page in the person's language, not Django's own.
CSRF_FAILURE_VIEW = "sawt.web.views.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = _env_bool("SAWT_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Content-Security-Policy (django-csp): scripts, styles, fonts and images come from sawt's own
# files only, and no inline script, style element or style attribute runs, so text that slips
# into a page as markup can do nothing. The pages and the admin need nothing more.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Production settings set this; what must never run on a real server (the demo) checks it.
SAWT_PRODUCTION = False

# Imports: refuse oversized uploads before parsing (XLSX is also checked unpacked).
SAWT_IMPORT_MAX_BYTES = int(os.environ.get("SAWT_IMPORT_MAX_BYTES", str(2 * 1024**3)))
# Views marked @accepts_uploads take bodies up to SAWT_IMPORT_MAX_BYTES, from people who may
# upload there; every other body is refused past DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB),
# by its declared length, before it is read (sawt.core.middleware.RequestBodyLimitMiddleware).
SAWT_IMPORT_MAX_PROBLEMS = int(os.environ.get("SAWT_IMPORT_MAX_PROBLEMS", "50"))
# An XLSX packs its XML 5-15 times, so a workbook under the 2 GiB file limit may rightly unpack
# past it; 4 GiB holds Excel's largest sheet (1,048,576 rows of some 40 cells) with its shared
# strings. Zip bombs below it are refused by their packing ratio (sawt/imports/xlsx.py).
SAWT_IMPORT_MAX_UNPACKED_BYTES = int(
    os.environ.get("SAWT_IMPORT_MAX_UNPACKED_BYTES", str(4 * 1024**3))
)

# Background work (docs/decisions/0006-background-work-on-django-tasks.md): Django's Tasks API,
# on the database (the embedded default) or on Redis through RQ for workers on many machines.
SAWT_TASKS_BACKEND = os.environ.get("SAWT_TASKS_BACKEND", "database").strip().lower() or "database"
SAWT_REDIS_URL = os.environ.get("SAWT_REDIS_URL", "redis://127.0.0.1:6379/0")
# One queue name per deployment, so two installations can share one Redis.
SAWT_TASKS_QUEUE = os.environ.get("SAWT_TASKS_QUEUE", "sawt").strip() or "sawt"
# A job that fails for a transient reason (database or network) is tried this many times in all.
SAWT_JOBS_MAX_ATTEMPTS = max(1, int(os.environ.get("SAWT_JOBS_MAX_ATTEMPTS", "3")))
# A running job whose worker has not been heard from for this long is taken back and re-queued.
SAWT_JOBS_LEASE_SECONDS = max(30, int(os.environ.get("SAWT_JOBS_LEASE_SECONDS", "300")))
if SAWT_TASKS_BACKEND == "database":
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": [SAWT_TASKS_QUEUE],
        }
    }
elif SAWT_TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [SAWT_TASKS_QUEUE]},
    }
    # django-tasks-rq looks task results up through RQ's "default" connection, hence both names.
    # A job may run for hours (a large import, a retraining): RQ's 3-minute default is too short.
    _RQ_QUEUE = {"URL": SAWT_REDIS_URL, "DEFAULT_TIMEOUT": 6 * 3600}
    RQ_QUEUES = {"default": _RQ_QUEUE, SAWT_TASKS_QUEUE: _RQ_QUEUE}
    RQ_SHOW_ADMIN_LINK = False
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"SAWT_TASKS_BACKEND is {SAWT_TASKS_BACKEND!r}; it must be 'database' or 'rq'."
    )

# Asking people directly (sawt.distribution, decision 0009): where the public form is reached
# (links in invitations are this address followed by /s/<token>/), and the key of the contacts'
# hashes (set it once per deployment: changing it makes stored opt-outs unrecognisable).
SAWT_PUBLIC_URL = os.environ.get("SAWT_PUBLIC_URL", "http://127.0.0.1:8000")
SAWT_CONTACT_HASH_KEY = os.environ.get("SAWT_CONTACT_HASH_KEY", "")
# Days contacts are kept after a survey closes; then a periodic job erases them (PDPL: kept
# only while needed), leaving their keyed hashes, the invitations' states and the answers.
SAWT_CONTACT_RETENTION_DAYS = int(os.environ.get("SAWT_CONTACT_RETENTION_DAYS", "90"))
if SAWT_CONTACT_RETENTION_DAYS < 0:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SAWT_CONTACT_RETENTION_DAYS must be 0 or more (days).")

# Invitations' channels (sawt/distribution/channels.py; the README lists them). E-mail goes
# through Django's e-mail backends: `smtp` (the SAWT_EMAIL_* server), `console` (the default:
# the worker prints each message, so nothing leaves a machine until a deployment says where to
# send), or a backend's dotted path.
_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
SAWT_EMAIL_BACKEND = os.environ.get("SAWT_EMAIL_BACKEND", "console").strip() or "console"
EMAIL_BACKEND = _EMAIL_BACKENDS.get(SAWT_EMAIL_BACKEND.lower(), SAWT_EMAIL_BACKEND)
EMAIL_HOST = os.environ.get("SAWT_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("SAWT_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("SAWT_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SAWT_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("SAWT_EMAIL_USE_TLS", False)
# A server that does not answer is a temporary failure, retried later, not a stuck worker.
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("SAWT_EMAIL_FROM", "sawt@localhost")
# SMS through an HTTP gateway (a JSON POST with the token as a bearer header); no URL: the
# console backend, which prints each message (development).
SAWT_SMS_URL = os.environ.get("SAWT_SMS_URL", "").strip()
SAWT_SMS_TOKEN = os.environ.get("SAWT_SMS_TOKEN", "")
SAWT_SMS_SENDER = os.environ.get("SAWT_SMS_SENDER", "sawt")
# Messages per second, per channel, across every worker (sawt/jobs/throttle.py); 0: no limit.
SAWT_SMS_PER_SECOND = max(0.0, float(os.environ.get("SAWT_SMS_PER_SECOND", "10")))
SAWT_EMAIL_PER_SECOND = max(0.0, float(os.environ.get("SAWT_EMAIL_PER_SECOND", "5")))


def _rate_limit(value: str) -> tuple[int, int] | None:
    """`N/S`: at most N counted requests from one address in S seconds; `off`: no limit."""
    value = value.strip().lower()
    if value in {"off", "0", ""}:
        return None
    count, _, seconds = value.partition("/")
    if not (count.isascii() and count.isdigit() and seconds.isascii() and seconds.isdigit()):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"SAWT_FORM_RATE_LIMIT is {value!r}; write it N/S (e.g. 30/600: 30 per 10 minutes)"
            " or off."
        )
    return max(1, int(count)), max(1, int(seconds))


# The public form's limit on what bots and token guessers do, per client address: requests with
# an unknown or expired link, and posts to a survey's anonymous link (sawt/distribution/
# ratelimit.py). People opening their own valid links are never counted.
SAWT_FORM_RATE_LIMIT = _rate_limit(os.environ.get("SAWT_FORM_RATE_LIMIT", "30/600"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SAWT_LOG_LEVEL", "WARNING")},
}

# Reports: items and stages at or above this mean are shown as meeting the target.
SAWT_REPORT_TARGET = float(os.environ.get("SAWT_REPORT_TARGET", "4.0"))
# Reports: the issuing body printed on the cover and the closing page.
SAWT_REPORT_ISSUER_AR = os.environ.get("SAWT_REPORT_ISSUER_AR", "الإدارة العامة لتجربة العميل")
SAWT_REPORT_ISSUER_EN = os.environ.get(
    "SAWT_REPORT_ISSUER_EN", "General Administration of Customer Experience"
)
