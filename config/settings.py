"""Jalon settings: one module, every value read from the environment.

Production differs from development by values only (see `.env.example`).
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def request_header(value: str) -> tuple[str, str] | None:
    """The request.META key and value of a "Header-Name: value" setting ("" -> None)."""
    name, _, expected = value.partition(":")
    if not name.strip():
        return None
    return "HTTP_" + name.strip().upper().replace("-", "_"), expected.strip()


# Development by default; production sets DEBUG=0 (see .env.example and docker-compose.yml).
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY", "django-insecure-jalon-development-key-change-me")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_filters",
    "django_countries",
    "axes",
    "auditlog",
    "csp",
    "core",
    "accounts",
    "contacts",
    "catalogue",
    "pipeline",
    "quotes",
    "prospects",
    "forecasting",
    "mail",
    "api",
    "integrations",
    "privacy",
    "demo",
    "rest_framework",
    "drf_spectacular",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session: NUL bytes never reach a view nor the database (see its docstring).
    "core.middleware.RefuseNulBytes",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
    # django-auditlog's, recording the client's address as core/proxies.py reads it.
    "core.proxies.ClientAuditlogMiddleware",
]

AUTH_USER_MODEL = "accounts.User"
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.navigation",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Failed logins are throttled per username and address.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = env_bool("AXES_VERBOSE", False)
# The address counted is the client's, behind TRUSTED_PROXY_COUNT proxies (see below).
AXES_CLIENT_IP_CALLABLE = "core.proxies.client_ip"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded documents are never served from a public URL: downloads go through a view
# that checks the user's rights on the record.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
DOCUMENT_MAX_BYTES = int(env("DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security: secure cookies and HTTPS whenever DEBUG is off.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Reverse proxies in front of gunicorn (0: clients reach it directly). With N, the client's
# address is the one the N proxies forwarded in X-Forwarded-For (core/proxies.py: login throttling
# and the audit trail), and the proxy's "Header-Name: value" says a request came over HTTPS.
# The proxy must overwrite that header, and gunicorn must be reachable only through the proxies.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
SECURE_PROXY_SSL_HEADER = request_header(
    env("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https" if TRUSTED_PROXY_COUNT else "")
)
# The web container's health check speaks plain HTTP to gunicorn (core/health.py).
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles and the rest from the site only, with no
# inline script, event handler, style attribute or eval (htmx runs with allowEval off, see
# templates/base.html). The same in development and production.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# E-mail: console by default, SMTP when EMAIL_URL-like values are given.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Jalon <jalon@localhost>")
# Public address of the site, for links in e-mails (the nightly digest, a quote's public link),
# e.g. https://crm.example.com
SITE_URL = env("SITE_URL")

# Celery: with no broker configured, tasks run eagerly in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# A task's message is acknowledged when the task ends, not when a worker takes it: a worker
# that dies (deploy, crash, SIGKILL) leaves the message to be delivered again, and every task is
# written to be run twice safely (the nightly job is idempotent; an import task finds its job
# claimed or failed and does nothing).
CELERY_TASK_ACKS_LATE = True
# ...but a task whose pool process was killed under it (out of memory, most often) is not put
# back: it would kill the next worker the same way. It is marked failed; an import's job is then
# found stale and offered again to the user.
CELERY_TASK_REJECT_ON_WORKER_LOST = False
# One message reserved at a time: a long import does not hold back the tasks queued behind it,
# and a killed worker had at most one message in hand.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that queues a task gives up within a few seconds when Redis does not answer
# (the page then says so and the job can be retried), instead of holding the request for
# 20 s or more: short connection timeouts and a short publish retry policy, for the broker and
# for the result backend alike.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis hands an unacknowledged message to another worker after this delay. With late
    # acknowledgement it must exceed the longest task, or a long task would run twice at once:
    # imports are bounded by the IMPORT_* limits below to a few minutes, the nightly job too.
    # It is also how long the message of a killed worker waits before it is delivered again.
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
}
NIGHTLY_HOUR = int(env("NIGHTLY_HOUR", "2"))
NIGHTLY_MINUTE = int(env("NIGHTLY_MINUTE", "30"))
CELERY_BEAT_SCHEDULE = {
    "nightly": {
        "task": "forecasting.tasks.nightly",
        "schedule": crontab(hour=NIGHTLY_HOUR, minute=NIGHTLY_MINUTE),
    },
}

# Prospect imports (the wizard and `manage.py import_prospects`). A file is measured before
# anything parses it: its size, what an XLSX unzips to (the sum of its parts, each part's
# compression ratio, the number of parts, then a streamed read counting the real bytes), and the
# rows and columns it holds. Reading an XLSX keeps its shared strings in memory whole, so
# IMPORT_MAX_UNZIPPED_BYTES is what bounds a worker's memory (README.md, Configuration).
IMPORT_MAX_BYTES = int(env("IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
IMPORT_MAX_UNZIPPED_BYTES = int(env("IMPORT_MAX_UNZIPPED_BYTES", str(100 * 1024 * 1024)))
IMPORT_MAX_ZIP_RATIO = int(env("IMPORT_MAX_ZIP_RATIO", "100"))
IMPORT_MAX_ZIP_MEMBERS = int(env("IMPORT_MAX_ZIP_MEMBERS", "1000"))
IMPORT_MAX_ROWS = int(env("IMPORT_MAX_ROWS", "100000"))
IMPORT_MAX_COLUMNS = int(env("IMPORT_MAX_COLUMNS", "200"))
# An import job that gives no sign of life (its worker writes a heartbeat every few seconds) for
# this long while it reads, checks or imports is marked failed and can be run again: when its
# page loads, and every five minutes by Celery beat.
IMPORT_STALE_SECONDS = int(env("IMPORT_STALE_SECONDS", "300"))
CELERY_BEAT_SCHEDULE["imports-stale"] = {
    "task": "prospects.tasks.import_jobs_fail_stale_task",
    "schedule": crontab(minute="*/5"),
}

# Audit trail: who changed what and when, for the records that go to the trash.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "contacts.Company", "exclude_fields": ["search_text", "version"]},
    {"model": "contacts.Person", "exclude_fields": ["version"]},
    {"model": "contacts.Prospect", "exclude_fields": ["search_text", "version"]},
    {
        "model": "pipeline.Opportunity",
        "exclude_fields": [
            "version",
            "step_colour",
            "action_colour",
            "step_due",
            "next_action_at",
            "position",
        ],
    },
    {"model": "pipeline.Task", "exclude_fields": ["version", "colour"]},
)

# Product settings.
REPS_SEE_ONLY_OWN = env_bool("REPS_SEE_ONLY_OWN", False)
TRASH_RETENTION_DAYS = int(env("TRASH_RETENTION_DAYS", "30"))

# E-mail capture: the mailbox reps put in Bcc or forward to (README.md, E-mail). IMAP_HOST
# unset: no capture.
IMAP_HOST = env("IMAP_HOST")
IMAP_PORT = int(env("IMAP_PORT", "993"))
IMAP_USER = env("IMAP_USER")
IMAP_PASSWORD = env("IMAP_PASSWORD")
IMAP_SSL = env_bool("IMAP_SSL", True)
IMAP_FOLDER = env("IMAP_FOLDER", "INBOX")
IMAP_DONE_FOLDER = env("IMAP_DONE_FOLDER")

# API and webhooks: deliveries to loopback or private addresses are refused unless this is set.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", False)

# The French company register ("recherche d'entreprises" API); Jalon appends /search.
SIRENE_API_URL = env("SIRENE_API_URL", "https://recherche-entreprises.api.gouv.fr")

# Accounts: second factor compulsory for nobody (""), managers ("managers") or everyone ("all").
MFA_REQUIRED = env("MFA_REQUIRED")

# Privacy: a prospect with no contact for this many days is listed in the managers' digest,
# then anonymised after the grace period unless someone acts.
RETENTION_DAYS = int(env("RETENTION_DAYS", str(3 * 365)))
RETENTION_GRACE_DAYS = int(env("RETENTION_GRACE_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs each step of each PDF at INFO: keep its warnings only.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# The reports' covering indexes (pipeline HistoryEntry) include columns on PostgreSQL; SQLite,
# the embedded default, builds them without those columns, which is what we want there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
