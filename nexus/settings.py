"""Nexus settings: one module, everything from the environment, embedded defaults.

Embedded mode (the default) runs with SQLite, an in-process cache, inline tasks and e-mail to the
console. NEXUS_MODE=production reads real services from DATABASE_URL, REDIS_URL,
CELERY_BROKER_URL and EMAIL_URL and refuses to start when a setting is unsafe.
"""

import base64
import hashlib
import os
import socket
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

EMBEDDED_SECRET_KEY = "nexus-embedded-insecure-key-do-not-use-in-production"

NEXUS_MODE = env.str("NEXUS_MODE", default="embedded")
if NEXUS_MODE not in {"embedded", "production"}:
    raise ImproperlyConfigured("NEXUS_MODE must be 'embedded' or 'production'.")
PRODUCTION = NEXUS_MODE == "production"

SECRET_KEY = env.str("SECRET_KEY", default=EMBEDDED_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
NEXUS_REPLICA = env.str("NEXUS_REPLICA", default=socket.gethostname())


def _production_problems() -> list[str]:
    problems = []
    if not SECRET_KEY or SECRET_KEY == EMBEDDED_SECRET_KEY or len(SECRET_KEY) < 32:
        problems.append(
            "SECRET_KEY is missing, the embedded default, or shorter than 32 characters"
        )
    if DEBUG:
        problems.append("DEBUG must be off")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS is empty")
    if "DATABASE_URL" not in os.environ:
        problems.append("DATABASE_URL is not set")
    elif (engine := env.db("DATABASE_URL")["ENGINE"]) != "django.db.backends.postgresql":
        # SQLite is the embedded mode's: one file, one writer, no replicas behind a balancer.
        problems.append(f"DATABASE_URL must name PostgreSQL, not {engine.rsplit('.', 1)[-1]}")
    if 0 < len(env.str("NEXUS_METRICS_TOKEN", default="")) < 32:
        problems.append("NEXUS_METRICS_TOKEN is shorter than 32 characters")
    return problems


if PRODUCTION and (problems := _production_problems()):
    raise ImproperlyConfigured("Unsafe production settings: " + "; ".join(problems) + ".")

# API mocks answer with whatever a spec holds; they are served inert (nexus/core/untrusted.py),
# and with NEXUS_MOCK_ORIGIN (e.g. https://mocks.nexus.example.com) from a host of their own too.
NEXUS_UNTRUSTED_PATHS = ["/mock/"]
NEXUS_MOCK_ORIGIN = env.str("NEXUS_MOCK_ORIGIN", default="").rstrip("/")
if NEXUS_MOCK_ORIGIN:
    _mock_origin = urlsplit(NEXUS_MOCK_ORIGIN)
    _is_origin = not (_mock_origin.path or _mock_origin.query or _mock_origin.fragment)
    if _mock_origin.scheme not in {"http", "https"} or not _mock_origin.hostname or not _is_origin:
        raise ImproperlyConfigured(
            "NEXUS_MOCK_ORIGIN must be an origin such as https://mocks.example.com (no path)."
        )
    ALLOWED_HOSTS.append(_mock_origin.hostname)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_prometheus",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "nexus.core",
    "nexus.accounts",
    "nexus.collab",
    "nexus.knowledge",
    "nexus.challenges",
    "nexus.journal",
    "nexus.importer",
    "nexus.mentorship",
    "nexus.payments",
    "nexus.funding",
    "nexus.notifications",
    "nexus.search",
    "nexus.csp",
]

MIDDLEWARE = [
    # First, so that every later reader of REMOTE_ADDR sees the client's address.
    "nexus.core.client_address.ClientAddressMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "nexus.core.middleware.RequestIdMiddleware",
    # Before the rest: the session, CSRF and auth middleware never see a mock's credentials, and
    # every answer on a mock route (redirects and errors too) leaves through it, made inert.
    "nexus.core.untrusted.UntrustedContentMiddleware",
    "nexus.core.middleware.RequestBodyLimitMiddleware",
    "nexus.core.middleware.RefuseNulInQueryMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETags on every response without one and 304s for them; after the rest, it hashes the
    # final body.
    "django.middleware.http.ConditionalGetMiddleware",
    "nexus.core.middleware.PrivateByDefaultMiddleware",
    "nexus.csp.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "nexus.accounts.middleware.LoginRefusalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "nexus.urls"
WSGI_APPLICATION = "nexus.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "nexus" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=1),
        "max_size": env.int("DATABASE_POOL_MAX", default=10),
        # How long a request waits for a connection. A gunicorn worker or a Celery pool process
        # serves one at a time, so it only ever waits when the database does not answer: then
        # a page, /readyz and a Prometheus scrape fail in seconds instead of hanging for the
        # pool's default 30 (beyond the scrape's 10 s and the readiness probe's 5 s).
        "timeout": env.float("DATABASE_POOL_TIMEOUT_SECONDS", default=3.0),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the embedded server, tasks and tests share one file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Two views of one cache. `default` lets Redis errors through, so what guards something with it
# (login limits, throttles) fails closed; `best_effort` (nexus.core.cache) turns them into misses,
# for values that can always be recomputed (rendered Markdown, popular lists).
if REDIS_URL:
    _redis_cache = {
        "BACKEND": "nexus.core.cache.StrictRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="nexus"),
        # A Redis that hangs must not hold requests: give up after a second.
        "OPTIONS": {
            "socket_connect_timeout": env.float("REDIS_TIMEOUT_SECONDS", default=1.0),
            "socket_timeout": env.float("REDIS_TIMEOUT_SECONDS", default=1.0),
        },
    }
    CACHES = {
        "default": _redis_cache,
        "best_effort": {**_redis_cache, "BACKEND": "nexus.core.cache.BestEffortRedisCache"},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "best_effort": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "best-effort",
        },
    }

# Anonymous pages and lists (nexus/core/pagecache.py): kept in `best_effort` this long at most
# (writes make them obsolete sooner), and shared caches (nginx) may serve them this long.
NEXUS_PAGE_CACHE_SECONDS = env.int("NEXUS_PAGE_CACHE_SECONDS", default=600)
NEXUS_SHARED_CACHE_SECONDS = env.int("NEXUS_SHARED_CACHE_SECONDS", default=1)

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# The only backend: Django's e-mail and password check behind the login limiter.
AUTHENTICATION_BACKENDS = ["nexus.accounts.backends.LimitedModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)

# --- Client addresses and login limits --------------------------------------------------------
# How many reverse proxies stand in front of the app and write X-Forwarded-For: 0 (the header is
# ignored) when clients reach the app directly, 1 behind the deploy configs' nginx or ingress.
NEXUS_TRUSTED_PROXIES = env.int("NEXUS_TRUSTED_PROXIES", default=0)
if NEXUS_TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("NEXUS_TRUSTED_PROXIES must be 0 or more.")
# Every way to present a password (nexus/accounts/login_limits.py): after this many failures an
# account, or a client address, is refused until the cool-off ends. The address limit is higher
# because a classroom or an office shares one address.
NEXUS_LOGIN_FAILURES_PER_ACCOUNT = env.int("NEXUS_LOGIN_FAILURES_PER_ACCOUNT", default=10)
NEXUS_LOGIN_FAILURES_PER_ADDRESS = env.int("NEXUS_LOGIN_FAILURES_PER_ADDRESS", default=30)
NEXUS_LOGIN_COOL_OFF_SECONDS = env.int("NEXUS_LOGIN_COOL_OFF_SECONDS", default=15 * 60)

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
# The programme's time zone: what "today" and "this month" mean for journal dates, streaks and
# digests. Timestamps are stored in UTC whatever it is.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "nexus" / "static"]
# Outside production, static files are served straight from the apps and nexus/static.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = not PRODUCTION
# Precompressed brotli copies of static files beside the gzip ones (needs the brotli package).
NEXUS_STATIC_BROTLI = env.bool("NEXUS_STATIC_BROTLI", default=False)
# --- Uploaded files (editor attachments) ----------------------------------------------------
# Local files in the embedded mode; an S3-compatible bucket (AWS, MinIO, Ceph...) when
# NEXUS_MEDIA_S3_BUCKET is set, so every web replica reads the same files. Either way attachments
# are served through nexus.knowledge's view, never straight from MEDIA_URL or the bucket.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
NEXUS_MEDIA_S3_BUCKET = env.str("NEXUS_MEDIA_S3_BUCKET", default="")
_default_storage: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if NEXUS_MEDIA_S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": NEXUS_MEDIA_S3_BUCKET,
            "endpoint_url": env.str("NEXUS_MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("NEXUS_MEDIA_S3_REGION", default="") or None,
            "access_key": env.str("NEXUS_MEDIA_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("NEXUS_MEDIA_S3_SECRET_KEY", default="") or None,
            # Private objects: the bucket is never a second, unguarded way to the files.
            "default_acl": "private",
            "file_overwrite": False,
        },
    }
# Backups (docs/backups.md): a folder, or an S3-compatible bucket when NEXUS_BACKUP_S3_BUCKET is
# set; encrypted when NEXUS_BACKUP_KEY (a Fernet key) is set.
NEXUS_BACKUP_DIR = env.path("NEXUS_BACKUP_DIR", default=BASE_DIR / "backups")
NEXUS_BACKUP_KEY = env.str("NEXUS_BACKUP_KEY", default="")
NEXUS_BACKUP_S3_BUCKET = env.str("NEXUS_BACKUP_S3_BUCKET", default="")
NEXUS_BACKUP_S3_PREFIX = env.str("NEXUS_BACKUP_S3_PREFIX", default="backups/")
NEXUS_BACKUP_S3_ENDPOINT_URL = env.str("NEXUS_BACKUP_S3_ENDPOINT_URL", default="")
NEXUS_BACKUP_S3_REGION = env.str("NEXUS_BACKUP_S3_REGION", default="")
NEXUS_BACKUP_S3_ACCESS_KEY = env.str("NEXUS_BACKUP_S3_ACCESS_KEY", default="")
NEXUS_BACKUP_S3_SECRET_KEY = env.str("NEXUS_BACKUP_S3_SECRET_KEY", default="")
NEXUS_BACKUP_KEEP_DAILY = env.int("NEXUS_BACKUP_KEEP_DAILY", default=7)
NEXUS_BACKUP_KEEP_WEEKLY = env.int("NEXUS_BACKUP_KEEP_WEEKLY", default=4)
NEXUS_ATTACHMENT_MAX_BYTES = env.int("NEXUS_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
# Decoded size an image may have: a small PNG can unpack to gigabytes (a decompression bomb).
NEXUS_ATTACHMENT_MAX_PIXELS = env.int("NEXUS_ATTACHMENT_MAX_PIXELS", default=25_000_000)
NEXUS_ATTACHMENTS_PER_HOUR = env.int("NEXUS_ATTACHMENTS_PER_HOUR", default=60)

STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "nexus.core.staticfiles.ManifestGzipStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Outbound requests to user-given URLs ---------------------------------------------------
# Only tests that run a receiver on 127.0.0.1 turn this on; loopback is refused everywhere else.
NEXUS_OUTBOUND_ALLOW_LOOPBACK = env.bool("NEXUS_OUTBOUND_ALLOW_LOOPBACK", default=False)

# --- Request limits ---------------------------------------------------------------------------
NEXUS_MAX_JSON_BODY_BYTES = env.int("NEXUS_MAX_JSON_BODY_BYTES", default=1024 * 1024)
NEXUS_MAX_UPLOAD_BYTES = env.int("NEXUS_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
# Levels of arrays and objects a JSON body may nest (REST, GraphQL, mock requests).
NEXUS_MAX_JSON_DEPTH = env.int("NEXUS_MAX_JSON_DEPTH", default=32)
DATA_UPLOAD_MAX_MEMORY_SIZE = NEXUS_MAX_JSON_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = NEXUS_MAX_UPLOAD_BYTES

# --- Importer (nexus import, /imports/) --------------------------------------------------------
# One Markdown file; everything a source expands to (zip bomb cap); files per import; git clones.
NEXUS_IMPORT_MAX_FILE_BYTES = env.int("NEXUS_IMPORT_MAX_FILE_BYTES", default=500 * 1024)
NEXUS_IMPORT_MAX_TOTAL_BYTES = env.int("NEXUS_IMPORT_MAX_TOTAL_BYTES", default=50 * 1024 * 1024)
NEXUS_IMPORT_MAX_FILES = env.int("NEXUS_IMPORT_MAX_FILES", default=2000)
NEXUS_IMPORT_GIT_TIMEOUT_SECONDS = env.int("NEXUS_IMPORT_GIT_TIMEOUT_SECONDS", default=60)
NEXUS_IMPORT_GIT_MAX_BYTES = env.int("NEXUS_IMPORT_GIT_MAX_BYTES", default=100 * 1024 * 1024)

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "nexus.accounts.authentication.JWTAuthentication",
        "nexus.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "nexus.core.pagination.CursorPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "nexus.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "nexus.core.openapi.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "nexus.core.errors.problem_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": env.str("AUTH_THROTTLE_RATE", default="30/minute")},
    # ClientAddressMiddleware has already put the client's address in REMOTE_ADDR and dropped
    # X-Forwarded-For; DRF must not read the header itself (its default, None, trusts it).
    "NUM_PROXIES": 0,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": True,
    # A refresh token is good once: using it blacklists it and hands out the next one.
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    # Tokens carry the account's credentials fingerprint and die with it (nexus/accounts/jwt.py).
    "TOKEN_OBTAIN_SERIALIZER": "nexus.accounts.jwt.TokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "nexus.accounts.jwt.TokenRefreshSerializer",
    "TOKEN_VERIFY_SERIALIZER": "nexus.accounts.jwt.TokenVerifySerializer",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Nexus API",
    "DESCRIPTION": "Knowledge hub and collaboration platform for engineering learners.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "IssueStatusEnum": "nexus.collab.models.IssueStatus",
        "IssueKindEnum": "nexus.collab.models.IssueKind",
        "SponsorshipKindEnum": "nexus.funding.models.SponsorshipKind",
        "ImportStatusEnum": "nexus.collab.models.ImportStatus",
        "TeamRoleEnum": "nexus.accounts.models.TeamRole",
        "UserRoleEnum": "nexus.accounts.models.Role",
        "ArticleKindEnum": "nexus.knowledge.models.ArticleKind",
        "ArticleStatusEnum": "nexus.knowledge.models.ArticleStatus",
        "ReactionKindEnum": "nexus.knowledge.models.ReactionKind",
        "ChallengeStatusEnum": "nexus.challenges.models.ChallengeStatus",
        "MilestoneStatusEnum": "nexus.journal.models.MilestoneStatus",
        "JournalVisibilityEnum": "nexus.journal.models.Visibility",
        "ReviewDecisionEnum": "nexus.mentorship.models.Decision",
        "ReviewRequestStatusEnum": "nexus.mentorship.models.ReviewRequestStatus",
    },
}

# --- GraphQL ----------------------------------------------------------------------------------
NEXUS_GRAPHQL_MAX_DEPTH = env.int("NEXUS_GRAPHQL_MAX_DEPTH", default=8)
NEXUS_GRAPHQL_MAX_ALIASES = env.int("NEXUS_GRAPHQL_MAX_ALIASES", default=15)
NEXUS_GRAPHQL_MAX_TOKENS = env.int("NEXUS_GRAPHQL_MAX_TOKENS", default=2000)
# Mutations answer errors in their own payloads (nexus.core.graphql.MutationErrors), so
# strawberry_django's union of each payload with its OperationInfo stays off.
STRAWBERRY_DJANGO = {"MUTATIONS_DEFAULT_HANDLE_ERRORS": False}

# --- Background jobs --------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Broker tests give each run its own queue, so workers of other checkouts never take its tasks.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_RESULT_BACKEND = REDIS_URL or None
# Nothing reads task results: storing them would make every task (and every enqueue, which
# subscribes to its result) depend on Redis as well as RabbitMQ.
CELERY_TASK_IGNORE_RESULT = True
# Embedded mode has no broker: tasks run inline, in the request that enqueues them.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# ...except a task marked runs_long (an import): it runs on a background thread of the web
# process, so the request answers at once and the page shows its progress (nexus.core.background).
NEXUS_LONG_TASKS_IN_BACKGROUND = env.bool("NEXUS_LONG_TASKS_IN_BACKGROUND", default=True)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task whose pool process died (killed, out of memory) is retried and counts against its
# max_retries, instead of going back to the queue forever: a task that always kills its process
# ends as a dead letter (nexus.core.deadletters) like one that always raises.
CELERY_TASK_RETRY_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that publishes while the broker is down must not hang: the outbox sweep catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The beat schedule is in nexus/celery.py: its crontabs would load Celery with the settings.
CELERY_TIMEZONE = TIME_ZONE

# --- Payments (Chapa) -------------------------------------------------------------------------
# Secrets come from the environment only; with any of the three unset, payments are off and every
# payment page and endpoint says so. Embedded mode (`make run`) points them at the local Chapa test
# server (nexus/payments/sandbox) it starts beside Nexus; production points CHAPA_BASE_URL at Chapa.
CHAPA_SECRET_KEY = env.str("CHAPA_SECRET_KEY", default="")
CHAPA_WEBHOOK_SECRET = env.str("CHAPA_WEBHOOK_SECRET", default="")
CHAPA_BASE_URL = env.str("CHAPA_BASE_URL", default="").rstrip("/")
CHAPA_TIMEOUT_SECONDS = env.float("CHAPA_TIMEOUT_SECONDS", default=10.0)
# A webhook whose event is older than this is refused as stale (a replay of an old delivery).
CHAPA_WEBHOOK_TOLERANCE_SECONDS = env.int("CHAPA_WEBHOOK_TOLERANCE_SECONDS", default=300)
# A checkout nobody finished is abandoned after this long.
PAYMENTS_ABANDON_AFTER_SECONDS = env.int("PAYMENTS_ABANDON_AFTER_SECONDS", default=60 * 60)
# Payouts above this amount (in the payout's currency) wait for an admin's approval.
PAYMENTS_PAYOUT_APPROVAL_ABOVE = Decimal(
    env.str("PAYMENTS_PAYOUT_APPROVAL_ABOVE", default="1000.00")
)
PAYMENTS_MAX_AMOUNT = Decimal(env.str("PAYMENTS_MAX_AMOUNT", default="1000000.00"))
# A transfer Chapa could not take (timeout, 5xx) is tried again after 1, 2, 4 ... times this, at
# most PAYMENTS_PAYOUT_MAX_ATTEMPTS times in all; then the money goes back to the user's credit.
PAYMENTS_PAYOUT_MAX_ATTEMPTS = env.int("PAYMENTS_PAYOUT_MAX_ATTEMPTS", default=5)
PAYMENTS_PAYOUT_RETRY_SECONDS = env.int("PAYMENTS_PAYOUT_RETRY_SECONDS", default=60)

# --- E-mail -----------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Nexus <nexus@localhost>")

# --- Notifications and webhooks ---------------------------------------------------------------
# Links in e-mails are absolute: the address people reach the site at.
NEXUS_BASE_URL = env.str("NEXUS_BASE_URL", default="http://127.0.0.1:8000")
NEXUS_NOTIFICATION_RETENTION_DAYS = env.int("NEXUS_NOTIFICATION_RETENTION_DAYS", default=90)
# How often an open page asks for the unread count (the bell in the navigation).
NEXUS_BELL_POLL_SECONDS = env.int("NEXUS_BELL_POLL_SECONDS", default=15)
NEXUS_WEBHOOK_TIMEOUT = env.float("NEXUS_WEBHOOK_TIMEOUT", default=5.0)
NEXUS_WEBHOOK_MAX_RESPONSE_BYTES = env.int("NEXUS_WEBHOOK_MAX_RESPONSE_BYTES", default=64 * 1024)
NEXUS_WEBHOOK_MAX_ATTEMPTS = env.int("NEXUS_WEBHOOK_MAX_ATTEMPTS", default=8)
NEXUS_WEBHOOK_RETRY_BASE_SECONDS = env.int("NEXUS_WEBHOOK_RETRY_BASE_SECONDS", default=30)
NEXUS_WEBHOOK_RETRY_MAX_SECONDS = env.int("NEXUS_WEBHOOK_RETRY_MAX_SECONDS", default=6 * 3600)
NEXUS_WEBHOOK_MAX_CONSECUTIVE_FAILURES = env.int(
    "NEXUS_WEBHOOK_MAX_CONSECUTIVE_FAILURES", default=20
)

# --- Operations -------------------------------------------------------------------------------
# The bearer token Prometheus sends for /metrics (deploy/monitoring); unset, there is no /metrics.
NEXUS_METRICS_TOKEN = env.str("NEXUS_METRICS_TOKEN", default="")
# A Celery worker has no /metrics: with a port set, its main process serves its task counters there.
NEXUS_WORKER_METRICS_PORT = env.int("NEXUS_WORKER_METRICS_PORT", default=0)
# prometheus_client's multiprocess directory (read from the environment at import); set for the
# worker only, so its exporter adds up the counters of every pool process.
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PRODUCTION)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
# The load balancer's probes and Prometheus call each replica over plain HTTP, from inside.
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz|metrics)$"]
# nginx and the Ingress terminate TLS and say so in X-Forwarded-Proto; with no proxy in front, a
# client could say so itself, and the app would take plain HTTP for HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if NEXUS_TRUSTED_PROXIES else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

# --- Content-Security-Policy (nexus.csp) ------------------------------------------------------
# Scripts and <style> elements only from our origin or with the response's nonce; no inline
# handlers, no eval. The one kind of style attribute allowed, by hash, is the alignment of table
# cells: the only style the Markdown sanitiser keeps.


def _style_attribute_hash(declaration: str) -> str:
    digest = base64.b64encode(hashlib.sha256(declaration.encode()).digest()).decode()
    return f"'sha256-{digest}'"


CSP_TABLE_CELL_ALIGNMENTS = [
    f"text-align:{side}" for side in ("left", "center", "right", "justify", "start", "end")
]
NEXUS_CSP_REPORT_PATH = "/csp-reports/"
NEXUS_CSP_REPORT_GROUP = "csp-violations"
NEXUS_CSP_POLICY = {
    "default-src": [CSP.SELF],
    # 'report-sample': a report quotes the start of what was blocked.
    "script-src": [CSP.SELF, CSP.NONCE, CSP.REPORT_SAMPLE],
    "style-src": [CSP.SELF, CSP.NONCE, CSP.REPORT_SAMPLE],
    "style-src-attr": [
        CSP.UNSAFE_HASHES,
        CSP.REPORT_SAMPLE,
        *map(_style_attribute_hash, CSP_TABLE_CELL_ALIGNMENTS),
    ],
    # Images in Markdown may point anywhere; extra image origins are an operator's choice.
    "img-src": [CSP.SELF, "data:", *env.list("CSP_EXTRA_IMG_SRC", default=[])],
    # GraphiQL's stylesheet carries its fonts as data: URLs.
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "report-uri": NEXUS_CSP_REPORT_PATH,
    "report-to": NEXUS_CSP_REPORT_GROUP,
}
# CSP_REPORT_ONLY=true sends the same policy as Content-Security-Policy-Report-Only: a way to try
# a stricter policy on a live site, reports collected, nothing blocked.
CSP_REPORT_ONLY = env.bool("CSP_REPORT_ONLY", default=False)
SECURE_CSP = {} if CSP_REPORT_ONLY else NEXUS_CSP_POLICY
SECURE_CSP_REPORT_ONLY = NEXUS_CSP_POLICY if CSP_REPORT_ONLY else {}

# Violation reports: per client address, per request, and distinct rows kept (each row counts
# its repeats, so a noisy page cannot grow the table).
NEXUS_CSP_REPORT_RATE = env.str("NEXUS_CSP_REPORT_RATE", default="60/minute")
NEXUS_CSP_REPORT_MAX_BYTES = env.int("NEXUS_CSP_REPORT_MAX_BYTES", default=64 * 1024)
NEXUS_CSP_MAX_VIOLATIONS = env.int("NEXUS_CSP_MAX_VIOLATIONS", default=1000)

# --- Logging ----------------------------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "nexus.core.logging.RequestIdFilter"}},
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s [%(request_id)s %(client_address)s "
            "user=%(user_id)s] %(name)s: %(message)s"
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s "
            "%(client_address)s %(user_id)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # At DEBUG it logs a template's whole context on every missing variable: CSRF tokens,
        # CSP nonces and a just-created API token with it (tests/core/test_log_secrets.py).
        "django.template": {"level": "INFO"},
        # Inline tasks would print a line each to the embedded server's console.
        "celery.app.trace": {"level": "INFO" if PRODUCTION else "WARNING"},
    },
}
