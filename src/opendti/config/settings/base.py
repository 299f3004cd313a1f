"""Settings shared by every environment. Values come from the environment with safe defaults."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("OPENDTI_DATA_DIR", Path.cwd() / "var")).resolve()

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [
    h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "opendti.core",
    "opendti.audit",
    "opendti.accounts",
    "opendti.units",
    "opendti.frameworks",
    "opendti.periods",
    "opendti.assessments",
    "opendti.notifications",
    "opendti.results",
    "opendti.appraisal",
    "opendti.publication",
    "opendti.reports",
    "opendti.portal",
    "opendti.api",
    "opendti.backup",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp",
]

MIDDLEWARE = [
    # First: every request gets an id and one log line with its status and duration.
    "opendti.core.logs.RequestLogMiddleware",
    # A body larger than its cap is refused (413) from its Content-Length, before it is read.
    "opendti.core.limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Static files with DEBUG off, from STATIC_ROOT (collected, hashed and compressed in
    # production; from the apps' folders in the embedded default and the tests).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether the session was verified by a second-factor device (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    # TRACE refused; a signed-in person's pages never cached (core/hardening.py).
    "opendti.core.hardening.HardeningMiddleware",
    # Keeps the request's address and user for the security events recorded while it is served.
    "opendti.audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "opendti.accounts.middleware.SecondFactorMiddleware",
    "opendti.accounts.middleware.AbsoluteSessionLimitMiddleware",
    "opendti.accounts.middleware.PasswordPolicyMiddleware",
    # A sealed snapshot that no longer matches its seal is refused wherever it would be served.
    "opendti.publication.middleware.SealMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opendti.config.urls"
WSGI_APPLICATION = "opendti.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opendti.core.context_processors.language_switch",
                "opendti.notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'opendti.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue (BEGIN IMMEDIATE + busy timeout) instead of failing with "database is locked"
    # when two people save at once on the embedded database.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id for new and changed passwords; a password stored under an older hasher is re-hashed
# with Argon2id at the person's next login (Django does it when the first hasher differs).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Password rules (QĐ 742/QĐ-BTTTT): a minimum length, how many of the four kinds of characters
# (lower case, capitals, digits, symbols) a password mixes (0 turns the rule off), and how many
# recent passwords may not be chosen again.
OPENDTI_PASSWORD_MIN_LENGTH = int(os.environ.get("OPENDTI_PASSWORD_MIN_LENGTH", "10"))
OPENDTI_PASSWORD_CLASSES = int(os.environ.get("OPENDTI_PASSWORD_CLASSES", "3"))
OPENDTI_PASSWORD_HISTORY = int(os.environ.get("OPENDTI_PASSWORD_HISTORY", "5"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "opendti.accounts.passwords.LengthValidator",
        "OPTIONS": {"min_length": OPENDTI_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "opendti.accounts.passwords.ComplexityValidator"},
    {"NAME": "opendti.accounts.passwords.HistoryValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("OPENDTI_STATIC_ROOT", DATA_DIR / "static"))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
# Without collected files (the embedded default, the tests), whitenoise serves the apps' own.
WHITENOISE_USE_FINDERS = True

# Sessions end after 30 idle minutes (the cookie is renewed on every request) and after 12 hours
# however active (AbsoluteSessionLimitMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
OPENDTI_SESSION_MAX_AGE = int(os.environ.get("OPENDTI_SESSION_MAX_AGE", str(12 * 3600)))

# Login throttling (django-axes). Locking by username AND address together: one person's typos
# never lock out a whole office that shares one public address, and guessing one account's
# password from one address stops after a few tries, for a cool-off period.
AXES_FAILURE_LIMIT = int(os.environ.get("OPENDTI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("OPENDTI_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# django-axes would log each login with the user name and the address: personal data that the
# logs never hold (core/logs.py).
AXES_VERBOSE = False
# Behind reverse proxies, how many of them append to X-Forwarded-For (0: use REMOTE_ADDR).
OPENDTI_TRUSTED_PROXIES = int(os.environ.get("OPENDTI_TRUSTED_PROXIES", "0"))
# The key that seals approved snapshots (HMAC). Kept apart from SECRET_KEY so that rotating the
# session secret does not make every published snapshot fail verification; empty = SECRET_KEY.
OPENDTI_SEAL_KEY = os.environ.get("OPENDTI_SEAL_KEY", "")
# How many days before a deadline the daily job reminds people.
OPENDTI_REMINDER_DAYS = int(os.environ.get("OPENDTI_REMINDER_DAYS", "3"))
AXES_CLIENT_IP_CALLABLE = "opendti.core.network.client_ip"
# Password spraying: an address is refused for the cool-off once this many logins (passwords or
# second-factor codes, whatever the usernames) failed from it within the cool-off; 0 turns it off.
OPENDTI_LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("OPENDTI_LOGIN_ADDRESS_FAILURE_LIMIT", "30")
)
# The second factor (TOTP, any authenticator app): the roles that must use it (comma-separated
# group names; an administrator includes staff accounts). Anyone who enrolled a device uses it.
OPENDTI_MFA_ROLES = [
    r.strip()
    for r in os.environ.get(
        "OPENDTI_MFA_ROLES", "coordinator,approver,reviewer,administrator"
    ).split(",")
    if r.strip()
]
OTP_TOTP_ISSUER = os.environ.get("OPENDTI_TOTP_ISSUER", "OpenDTI")
# QĐ 742: the networks administrators work from (addresses or CIDR ranges, comma-separated); the
# admin site and administrator accounts are refused from anywhere else. Empty: no restriction
# (the embedded default; production's default is the private networks, see production.py).
OPENDTI_ADMIN_NETWORKS = [
    n.strip() for n in os.environ.get("OPENDTI_ADMIN_NETWORKS", "").split(",") if n.strip()
]

# Password policy: a forced change at first login (User.must_change_password, set for accounts
# created by an administrator) and, when this is above zero, a change every N days.
OPENDTI_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("OPENDTI_PASSWORD_MAX_AGE_DAYS", "0"))
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Files (core/storage.py): evidence files (tài liệu kiểm chứng) and generated reports (XLSX, DOCX,
# PDF) are kept outside the web root and served only by views that check permissions. On local
# disk by default (OPENDTI_EVIDENCE_ROOT, OPENDTI_REPORTS_ROOT); OPENDTI_STORAGE=s3 keeps them in an
# S3-compatible store (AWS S3, MinIO, Ceph, a provider's object storage) under two prefixes of one
# private bucket, and downloads redirect to signed URLs valid for OPENDTI_S3_URL_SECONDS.
OPENDTI_EVIDENCE_ROOT = Path(os.environ.get("OPENDTI_EVIDENCE_ROOT", DATA_DIR / "evidence"))
OPENDTI_EVIDENCE_MAX_MB = int(os.environ.get("OPENDTI_EVIDENCE_MAX_MB", "20"))
OPENDTI_REPORTS_ROOT = Path(os.environ.get("OPENDTI_REPORTS_ROOT", DATA_DIR / "reports"))
OPENDTI_STORAGE = os.environ.get("OPENDTI_STORAGE", "local")
OPENDTI_S3_URL_SECONDS = int(os.environ.get("OPENDTI_S3_URL_SECONDS", "60"))


def file_storage(kind: str, location: Path, prefix: str) -> dict[str, object]:
    """A STORAGES entry: local disk at location, or the S3 bucket under prefix."""
    if kind == "local":
        return {
            "BACKEND": "opendti.core.storage.LocalStorage",
            "OPTIONS": {
                "location": location,
                "base_url": None,
                "file_permissions_mode": 0o640,
                "directory_permissions_mode": 0o750,
            },
        }
    if kind == "s3":
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": os.environ.get("OPENDTI_S3_BUCKET", ""),
                "endpoint_url": os.environ.get("OPENDTI_S3_ENDPOINT_URL") or None,
                "region_name": os.environ.get("OPENDTI_S3_REGION") or None,
                # Credentials: these, or boto3's own (AWS_ACCESS_KEY_ID…, an instance role).
                "access_key": os.environ.get("OPENDTI_S3_ACCESS_KEY") or None,
                "secret_key": os.environ.get("OPENDTI_S3_SECRET_KEY") or None,
                "addressing_style": os.environ.get("OPENDTI_S3_ADDRESSING_STYLE", "path"),
                "signature_version": "s3v4",
                "location": prefix,
                "default_acl": None,  # the bucket's own: private
                "querystring_auth": True,
                "querystring_expire": OPENDTI_S3_URL_SECONDS,
                "file_overwrite": False,
            },
        }
    raise ValueError(f"OPENDTI_STORAGE must be local or s3, not {kind!r}")


STORAGES = {
    "default": file_storage(OPENDTI_STORAGE, MEDIA_ROOT, "media"),
    "evidence": file_storage(OPENDTI_STORAGE, OPENDTI_EVIDENCE_ROOT, "evidence"),
    "reports": file_storage(OPENDTI_STORAGE, OPENDTI_REPORTS_ROOT, "reports"),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Who issues the official report and decision, and where (the demo's province by default).
OPENDTI_REPORT_ISSUER = os.environ.get("OPENDTI_REPORT_ISSUER", "ỦY BAN NHÂN DÂN TỈNH ĐẮK NÔNG")
OPENDTI_REPORT_ISSUER_PARENT = os.environ.get("OPENDTI_REPORT_ISSUER_PARENT", "")
OPENDTI_REPORT_PLACE = os.environ.get("OPENDTI_REPORT_PLACE", "Đắk Nông")
# A province's own Word template for the report (docs/reports.md), as a file path; the
# coordinator's upload on the report's content page takes precedence. Empty: the shipped one.
OPENDTI_REPORT_TEMPLATE = os.environ.get("OPENDTI_REPORT_TEMPLATE", "")
# Request bodies. A form or JSON body is read into memory: at most DATA_UPLOAD_MAX_MEMORY_SIZE,
# and a request announcing more is refused with 413 before its body is read
# (opendti.core.limits). A multipart upload (evidence, the Excel template, a workbook) may be as
# large as the evidence cap plus room for the form's other fields; files above
# FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, not memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
OPENDTI_UPLOAD_MAX_BYTES = (OPENDTI_EVIDENCE_MAX_MB + 1) * 1024 * 1024
# Uploaded XLSX (the unit's Excel template) are read in streaming mode within these bounds: the
# unpacked size of any part of the archive, the sheet's rows, columns and cells, and the time.
OPENDTI_XLSX_MAX_PART_MB = int(os.environ.get("OPENDTI_XLSX_MAX_PART_MB", "10"))
OPENDTI_XLSX_MAX_ROWS = int(os.environ.get("OPENDTI_XLSX_MAX_ROWS", "5000"))
OPENDTI_XLSX_MAX_COLUMNS = int(os.environ.get("OPENDTI_XLSX_MAX_COLUMNS", "30"))
OPENDTI_XLSX_MAX_CELLS = int(os.environ.get("OPENDTI_XLSX_MAX_CELLS", "100000"))
OPENDTI_XLSX_MAX_SECONDS = float(os.environ.get("OPENDTI_XLSX_MAX_SECONDS", "20"))
# Data-quality check: a change against the unit's previous period larger than this share of the
# indicator's max points is flagged (a warning, not a block).
OPENDTI_LARGE_CHANGE_PERCENT = int(os.environ.get("OPENDTI_LARGE_CHANGE_PERCENT", "50"))

# The site's public address, for the links in e-mails (notifications store site-relative paths).
OPENDTI_SITE_URL = os.environ.get("OPENDTI_SITE_URL") or "http://127.0.0.1:8000"
# How many days an invitation link (set your password, for a new account) stays valid.
OPENDTI_INVITATION_DAYS = int(os.environ.get("OPENDTI_INVITATION_DAYS", "7"))

# Background jobs (Celery, docs/notifications.md). Without a broker in the environment (the
# embedded default) every task runs in-process, at once, where it is called: nothing else to run.
# Production sets CELERY_BROKER_URL (Redis) and runs a worker and beat.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://"
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
# An eager task has no worker log: its error must reach the caller rather than vanish.
CELERY_TASK_EAGER_PROPAGATES = True
# Jobs are fire-and-forget (reminders, e-mails): no result backend to fill.
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task is acknowledged when it ends, not when it starts, and a worker takes one at a time: a
# worker that dies in the middle leaves the message to be delivered again (tasks are idempotent).
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No task runs longer than this (its process is stopped, and a report job marked failed); the
# broker hands an unacknowledged message out again only after the visibility timeout, which is
# longer, so one job never runs twice at once.
CELERY_TASK_TIME_LIMIT = int(os.environ.get("OPENDTI_TASK_TIME_LIMIT", str(30 * 60)))
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT}
# The worker keeps the logging of the Django settings (JSON lines) instead of its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "daily-reminders": {
        "task": "opendti.appraisal.tasks.daily_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
}

# The cache: each process's memory by default; Redis in production (OPENDTI_CACHE_URL).
CACHES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Logs (core/logs.py): one JSON object per line on standard error, every logger, with the
# request's id and user id; values that look like secrets are dropped. OPENDTI_LOG_FORMAT=text
# gives plain lines for a person at a terminal.
OPENDTI_LOG_LEVEL = os.environ.get("OPENDTI_LOG_LEVEL", "INFO").upper()
OPENDTI_LOG_FORMAT = os.environ.get("OPENDTI_LOG_FORMAT", "json")
LOGGING_CONFIG = "opendti.core.logs.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "opendti.core.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "opendti.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": OPENDTI_LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": OPENDTI_LOG_LEVEL},
    "loggers": {
        # Django's own handlers (mail to admins, runserver's lines) give way to the root's.
        "django": {"handlers": [], "level": OPENDTI_LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "level": OPENDTI_LOG_LEVEL, "propagate": True},
        # Every SQL statement at DEBUG: never, whatever the level.
        "django.db.backends": {"level": "INFO"},
    },
}

# Content-Security-Policy (django-csp): scripts, style sheets, fonts and requests from the site
# itself only, never inline (no <script> or <style> blocks, style="" or on…="" attributes in any
# template: everything is in static/opendti/); images from the site and data: URIs (the
# second-factor QR code, Swagger UI's icons). No plugins, no <base>, forms post to the site only,
# and the site's pages may not be framed by others (the embeddable chart page widens
# frame-ancestors for itself: portal/views/open_data.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}

# The REST API (/api/v1/, docs/api.md): integrator tokens first so that a request without
# credentials gets 401 with a WWW-Authenticate header; the site's session (CSRF enforced) next.
# Nothing is public until publication exists.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "opendti.api.authentication.IntegratorTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON nested beyond what can be parsed is a 400 with a message, not a 500 (api/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["opendti.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "opendti.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OpenDTI API",
    "DESCRIPTION": "Frameworks, units, periods, submissions, values, evidence metadata and "
    "results (published ones for everyone); the appraisal workflow; integrators push "
    "auto-measured values. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from our own static files (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
