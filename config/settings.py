"""Jalon settings: one module, every value read from the environment.

Production differs from development by values only (see `.env.example`).

Long because every setting of every app lives here, next to the environment variable it reads,
so that `.env.example` and `tests/test_env_example.py` can check them in one place.
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
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
    "auditlog",
    "csp",
    "adminsortable2",
    "core",
    "accounts",
    "contacts",
    "catalogue",
    "pipeline",
    "quotes",
    "prospects",
    "forecasting",
    "search",
    "mail",
    "api",
    "integrations",
    "privacy",
    "demo",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from the site (api/docs.py)
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
    # What the server did on its own for the user (automation rules): shown to them.
    "core.notices.NoticesMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
    # django-allauth: login stages (second factor), sessions' last activity, and the second
    # factor made compulsory by MFA_REQUIRED (accounts/middleware.py).
    "allauth.account.middleware.AccountMiddleware",
    "accounts.sessions.SessionActivity",
    "accounts.middleware.SecondFactorRequired",
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

# Django's form renderer writing <input> and <select> in Python (core/forms.py), not through
# one template include per attribute list and option.
FORM_RENDERER = "core.forms.FormRenderer"

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
else:
    # Short queries only: PostgreSQL's JIT compiled the board's query (cost just over its
    # threshold) in longer than the query took to run.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Log in by username or e-mail, and by single sign-on (accounts/adapters.py).
    "allauth.account.auth_backends.AuthenticationBackend",
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

# The cache that rate limits (API tokens, web forms) and register look-ups count in: shared by
# every web process when CACHE_URL names a Redis database, per process otherwise.
CACHE_URL = env("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # The layout's fixed parts ({% cache %} in templates/base.html: the sidebar per language,
    # role and section...), the same for everyone: kept in each process's memory, rendered again
    # on every request while developing (DEBUG) so that template changes show at once.
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.dummy.DummyCache"
        if DEBUG
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "template-fragments",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
# Sessions read from the cache and written through to the database (one query less on every
# page), only when the cache is shared by every process (CACHE_URL): with a per-process memory
# cache, a session ended in one process (logout, "log out my other sessions", the sessions
# list) would stay open in another process's memory.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_URL
    else "django.contrib.sessions.backends.db"
)

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
# E-mail capture: read the capture mailbox (IMAP_HOST unset: the task does nothing).
CELERY_BEAT_SCHEDULE["mail-fetch"] = {
    "task": "mail.tasks.mailbox_fetch_task",
    "schedule": crontab(minute="*/5"),
}
# Webhooks: retries due (integrations/tasks.py) and the deliveries kept 30 days at most.
CELERY_BEAT_SCHEDULE["webhooks-retry"] = {
    "task": "integrations.tasks.deliveries_retry_due",
    "schedule": crontab(minute="*"),
}
CELERY_BEAT_SCHEDULE["webhooks-purge"] = {
    "task": "integrations.tasks.deliveries_purge",
    "schedule": crontab(hour=NIGHTLY_HOUR, minute=NIGHTLY_MINUTE),
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

# REST API (api/): personal tokens or the session, JSON only, pages of 50 (api/base.py), a rate
# per token (429 with Retry-After beyond), idempotent writes kept a day (api/idempotency.py).
API_RATE = env("API_RATE", "600/minute")
API_IDEMPOTENCY_HOURS = 24
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.BearerTokenAuthentication",
        "api.auth.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.IsApiUser", "api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # JSON only: `?format=` is an ordinary parameter, not a renderer switch answering 404.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jalon API",
    "DESCRIPTION": (
        "Jalon's REST API. Authenticate with `Authorization: Bearer <token>` (a personal token "
        "made on your account page). Writes go through the same rules as the pages; send back "
        "the `version` you read: a stale one is refused with 409."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": ["api.schema.add_refusals"],
    # Ids in paths are read by core.converters.IdConverter: integers a column can hold
    # (core.params.MAX_INT, written here since settings import no app).
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 2**63 - 1}
    },
    "ENUM_NAME_OVERRIDES": {
        "OpportunityStatusEnum": "pipeline.models.Opportunity.Status",
        "QuoteStatusEnum": "quotes.models.Quote.Status",
    },
}

# API and webhooks: deliveries to loopback or private addresses are refused unless this is set.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", False)

# The French company register ("recherche d'entreprises" API); Jalon appends /search.
SIRENE_API_URL = env("SIRENE_API_URL", "https://recherche-entreprises.api.gouv.fr")
# The nightly re-check of the companies in the register (contacts.tasks), an hour after the
# nightly job: at 7 requests a second, 10,000 companies take 25 minutes.
CELERY_BEAT_SCHEDULE["register-refresh"] = {
    "task": "contacts.tasks.refresh_register_task",
    "schedule": crontab(hour=(NIGHTLY_HOUR + 1) % 24, minute=NIGHTLY_MINUTE),
}

# Accounts: second factor compulsory for nobody (""), managers ("managers") or everyone ("all").
MFA_REQUIRED = env("MFA_REQUIRED")
# django-allauth (accounts/urls.py, accounts/adapters.py): log in by username or e-mail, no
# public sign-up (managers create accounts in the admin), password reset by e-mail, second
# factor by TOTP with recovery codes or passkeys (WebAuthn), sessions listed at /account/.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_SESSION_REMEMBER = True
# django-axes throttles failed logins (per username and address): allauth's own count is off.
# allauth also counts every login per address (30 a minute by default): a team behind one
# office address signs in at nine together, so the count is per address and generous.
ACCOUNT_RATE_LIMITS = {"login_failed": False, "login": "300/m/ip"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Jalon"
# Browsers allow WebAuthn over plain HTTP on localhost only, which the embedded run uses.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
USERSESSIONS_TRACK_ACTIVITY = False  # accounts.sessions.SessionActivity, every 5 minutes
# Single sign-on (OpenID Connect: Microsoft Entra ID, Google Workspace), off unless
# SSO_CLIENT_ID is set. SSO_SERVER_URL is the issuer, e.g.
# https://login.microsoftonline.com/<tenant id>/v2.0 or https://accounts.google.com. Only
# existing users log in, matched by their e-mail; SSO_TRUST_EMAIL=1 takes the provider's e-mail
# as verified when it does not say so itself (Entra ID sends no email_verified claim).
SSO_PROVIDER_NAME = env("SSO_PROVIDER_NAME", "SSO")
SSO_SERVER_URL = env("SSO_SERVER_URL")
SSO_CLIENT_ID = env("SSO_CLIENT_ID")
SSO_CLIENT_SECRET = env("SSO_CLIENT_SECRET")
SSO_TRUST_EMAIL = env_bool("SSO_TRUST_EMAIL", False)
# The login page's button is a link: a form posting to the provider would be stopped by the
# Content-Security-Policy's form-action 'self' when it redirects off-site.
SOCIALACCOUNT_LOGIN_ON_GET = True
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "sso",
                "name": SSO_PROVIDER_NAME,
                "client_id": SSO_CLIENT_ID,
                "secret": SSO_CLIENT_SECRET,
                "settings": {"server_url": SSO_SERVER_URL},
            }
        ]
        if SSO_CLIENT_ID
        else [],
    }
}

# Privacy: a prospect with no contact for this many days is listed in the managers' digest,
# then anonymised after the grace period unless someone acts.
RETENTION_DAYS = int(env("RETENTION_DAYS", str(3 * 365)))
RETENTION_GRACE_DAYS = int(env("RETENTION_GRACE_DAYS", "30"))
# The anonymisation of prospects past RETENTION_DAYS + RETENTION_GRACE_DAYS (privacy/tasks.py),
# a quarter of an hour after the nightly job that lists them in the managers' digest.
CELERY_BEAT_SCHEDULE["privacy-retention"] = {
    "task": "privacy.tasks.retention_nightly",
    "schedule": crontab(
        hour=(NIGHTLY_HOUR + (NIGHTLY_MINUTE + 15) // 60) % 24, minute=(NIGHTLY_MINUTE + 15) % 60
    ),
}

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
