"""One settings file, driven by the environment.

With nothing set it runs on SQLite with Celery tasks executed eagerly, so a
newcomer needs only Python. DATABASE_URL and CELERY_BROKER_URL switch to
PostgreSQL and Redis with a real worker (the production path).
"""
import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# A key that is only good for a developer's laptop. With DEBUG off the app
# refuses to start without a real one.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET_KEY)


def _weak_secret_key(key) -> bool:
    """Django's own rule (check --deploy, security.W009): under 50 characters, under 5 different ones, or the
    prefix of a key Django generated for development."""
    from django.core.checks.security.base import (
        SECRET_KEY_INSECURE_PREFIX,
        SECRET_KEY_MIN_LENGTH,
        SECRET_KEY_MIN_UNIQUE_CHARACTERS,
    )

    return (key == _DEV_SECRET_KEY or len(key) < SECRET_KEY_MIN_LENGTH
            or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS or key.startswith(SECRET_KEY_INSECURE_PREFIX))


if not DEBUG and _weak_secret_key(SECRET_KEY):
    raise ImproperlyConfigured(
        "DEBUG=False 时必须通过环境变量 SECRET_KEY 提供随机密钥：至少 50 个字符、至少 5 种不同字符，"
        "且不以 django-insecure- 开头（与 manage.py check --deploy 的要求相同）。")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "axes",
    # The project's apps, in the direction of their imports (conventions.md): each imports only those above it.
    "township",
    "villages",
    "records",
    "ledgers",
    "cadres",
    "economy",
    "study",
    "committee",
    "submissions",
    "reports",
]

MIDDLEWARE = [
    # First: a request for a host not in ALLOWED_HOSTS gets the Chinese 400 page, DEBUG or not.
    "township.middleware.DisallowedHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "township.middleware.ContentSecurityPolicyMiddleware",
    "township.middleware.RequestAuditMiddleware",
    "township.middleware.SessionIdleTimeoutMiddleware",
    "township.middleware.NoStoreMiddleware",
    "township.middleware.SQLiteReadTransactionMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

# Login throttling: five failures for one username from one address lock it for 15 minutes, and
# AXES_IP_FAILURE_LIMIT failures from one address, whatever the user names, lock the address
# (one password tried across many accounts): township/login_throttle.py.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "township.backends.UserBackend",  # ModelBackend reading the township and village with the user
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_IP_FAILURE_LIMIT = int(os.environ.get("AXES_IP_FAILURE_LIMIT", "30"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "township.login_throttle.TieredLockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "township.views.locked_out"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0")) or None

if not DEBUG:
    # Static files from the web process itself in production (runserver serves them in DEBUG).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "township.urls"

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
                "records.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "township.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_health_checks=True)
}
_SQLITE = DATABASES["default"]["ENGINE"].endswith("sqlite3")
# A PostgreSQL connection is a server process: opening one per request cost a fifth of the throughput under load
# (bench/load_bench.py, 17.6 → 22.1 requests/s), so each worker keeps its connection for a minute, checked before
# reuse. SQLite opens a file: nothing to keep.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "0" if _SQLITE else "60"))
# Every request is one transaction: a view that fails half-way writes nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if _SQLITE:
    # Several web workers on the embedded SQLite: a deferred transaction that reads, then writes, fails at
    # once with "database is locked" when another worker writes (bench/load_bench.py found 500s on upload).
    # IMMEDIATE takes the write lock at BEGIN and waits for it (up to `timeout` seconds) instead.
    # Write-ahead logging lets readers run beside the writer; a read-only request begins DEFERRED and so does not
    # wait for the lock at all (township.middleware.SQLiteReadTransactionMiddleware).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20,
                                                           "init_command": "PRAGMA journal_mode=WAL"})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "township.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Expiring, revocable tokens whose database row holds only a digest (township/api_auth.py). First, so that
        # a refused or expired token answers 401 with WWW-Authenticate: Token.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "党建工作管理 API",
    "DESCRIPTION": "镇党委党建工作记录、村月度报表与年度工作总结的接口。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from drf-spectacular-sidecar: the product must work on a closed network.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema and its viewers are for logged-in users (session or token), like the API they describe.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Two record kinds share the choices of organisational life (meetings and the requirements for them).
    "ENUM_NAME_OVERRIDES": {"OrgLifeKindEnum": "study.models.OrgLifeKind"},
}

# Celery: eager in the embedded default, a real broker when one is configured.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_RESULT_BACKEND = os.environ.get(
    "CELERY_RESULT_BACKEND", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL" not in os.environ)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_WORKER_MAX_TASKS_PER_CHILD = 200
CELERY_TIMEZONE = TIME_ZONE

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dangjian@localhost")

# Production behind a TLS-terminating proxy.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SESSION_COOKIE_HTTPONLY = True
# A session ends after this many hours without a request (township.middleware.SessionIdleTimeoutMiddleware);
# the login page says so. The cookie lives as long, renewed while the user works.
SESSION_IDLE_HOURS = float(os.environ.get("SESSION_IDLE_HOURS", "8"))
SESSION_COOKIE_AGE = int(SESSION_IDLE_HOURS * 3600)
# API tokens (django-rest-knox) end after API_TOKEN_TTL_HOURS; logging in again gives a new one.
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=float(os.environ.get("API_TOKEN_TTL_HOURS", "8"))),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # 身份证号 and phone numbers are masked in every line (404 paths, access lines with ?q=, tracebacks):
    # township/log_filters.py. Every handler carries the filter, and Django's own loggers are routed to it:
    # Django's default configuration gives "django" (the 404 lines with DEBUG on) and "django.server" (the
    # runserver access lines) handlers of their own, which would print the number unmasked. gunicorn's
    # access and error logs are configured the same way in gunicorn.conf.py.
    "filters": {"personal_data": {"()": "township.log_filters.PersonalDataFilter"}},
    "formatters": {"server": {"format": "[{server_time}] {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
        "server": {"class": "logging.StreamHandler", "filters": ["personal_data"], "formatter": "server"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
}
# A Celery worker keeps this configuration (and its filter) instead of installing its own root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# A user who is refused this many 身份证号 in a day (registered, but not for them to know: township/audit.py)
# may register none until the next day.
ID_NUMBER_REFUSALS_PER_DAY = int(os.environ.get("ID_NUMBER_REFUSALS_PER_DAY", "10"))

# Records per page on list pages.
RECORDS_PER_PAGE = 50

# ---------------------------------------------------------------- monthly workbook (submissions)
# Owned by the submissions app; every value can be set from the environment.
from celery.schedules import crontab  # noqa: E402

# A village-month is on time when first confirmed by this day of the next month (end of day).
SUBMISSION_DEADLINE_DAY = int(os.environ.get("SUBMISSION_DEADLINE_DAY", "10"))
# On this day of each month secretaries whose last month is missing get a reminder.
SUBMISSION_REMINDER_DAY = int(os.environ.get("SUBMISSION_REMINDER_DAY", "5"))
SUBMISSION_REMINDER_HOUR = int(os.environ.get("SUBMISSION_REMINDER_HOUR", "9"))
# Reminders also go by e-mail only where a mail server is configured.
SUBMISSION_REMINDER_EMAIL = env_bool("SUBMISSION_REMINDER_EMAIL", "EMAIL_HOST" in os.environ)
if "EMAIL_HOST" in os.environ:
    EMAIL_HOST = os.environ["EMAIL_HOST"]
# Upload limits: the body is refused while it streams in past SUBMISSION_MAX_BYTES.
SUBMISSION_MAX_BYTES = int(os.environ.get("SUBMISSION_MAX_BYTES", str(5 * 1024 * 1024)))
SUBMISSION_MAX_UNPACKED_BYTES = int(os.environ.get("SUBMISSION_MAX_UNPACKED_BYTES", str(50 * 1024 * 1024)))
SUBMISSION_MAX_ZIP_MEMBERS = int(os.environ.get("SUBMISSION_MAX_ZIP_MEMBERS", "100"))
SUBMISSION_MAX_ROWS = int(os.environ.get("SUBMISSION_MAX_ROWS", "2000"))
CELERY_BEAT_SCHEDULE = {
    "submissions-monthly-reminders": {
        "task": "submissions.tasks.send_reminders_task",
        "schedule": crontab(minute=0, hour=SUBMISSION_REMINDER_HOUR, day_of_month=SUBMISSION_REMINDER_DAY),
    },
}
# ---------------------------------------------------------------- end of monthly workbook settings

# ---------------------------------------------------------------- reports (annual work summary)
# Village secretaries may read (never change) the township's annual report when this is on.
REPORTS_VISIBLE_TO_SECRETARIES = env_bool("REPORTS_VISIBLE_TO_SECRETARIES", False)

# ---------------------------------------------------------------- cache (scale, issue 9)
# A final report's frozen figures are served from the cache (reports.models.ReportFinal);
# live figures never are. Per-process memory by default; REDIS_URL shares one cache
# between web processes (the cached content is immutable, so either is correct).
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["REDIS_URL"], "KEY_PREFIX": "dangjian"}}
