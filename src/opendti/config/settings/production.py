"""Production: everything from the environment (the table in docs/deployment.md); refuses to
start without a secret, a database and the site's host names.

Served by gunicorn (gunicorn.conf.py) behind a reverse proxy that ends TLS (deploy/nginx/opendti.conf);
PostgreSQL with persistent connections; Redis as the Celery broker and the cache; a Celery worker
and beat (deploy/systemd/); static files collected, hashed and compressed (`make static`) and
served by whitenoise; files on local disk or S3; JSON-line logs on standard error.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import dj_database_url

from .base import *  # noqa: F403
from .base import OPENDTI_SITE_URL


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise RuntimeError(f"{name} must be set in production (docs/deployment.md)")
    return value


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


SECRET_KEY = _required("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in _required("DJANGO_ALLOWED_HOSTS").split(",") if h.strip()]

# Persistent connections, checked before reuse: one per gunicorn worker (and Celery process)
# instead of one per request.
DATABASES = {
    "default": dj_database_url.parse(
        _required("DATABASE_URL"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update({"connect_timeout": 5})
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )

# HTTPS: the proxy ends TLS and says so in X-Forwarded-Proto. On by default; OPENDTI_HTTPS=0 only
# for a site served over plain HTTP on a closed network (then no redirect, HSTS or secure cookies).
OPENDTI_HTTPS = _flag("OPENDTI_HTTPS", True)
# Behind a proxy that already redirects plain HTTP and sends Strict-Transport-Security itself,
# OPENDTI_HTTPS_AT_PROXY=1 stops Django doing both a second time (cookies stay secure).
OPENDTI_HTTPS_AT_PROXY = _flag("OPENDTI_HTTPS_AT_PROXY", False)
_django_https = OPENDTI_HTTPS and not OPENDTI_HTTPS_AT_PROXY
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _django_https
# The load balancer's probes may come over plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = (
    int(os.environ.get("OPENDTI_HSTS_SECONDS", "31536000")) if _django_https else 0
)
if OPENDTI_HTTPS and OPENDTI_HTTPS_AT_PROXY:
    # `check --deploy` cannot see the proxy: the two warnings it would give are the proxy's job.
    SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008"]
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = OPENDTI_HTTPS
CSRF_COOKIE_SECURE = OPENDTI_HTTPS
LANGUAGE_COOKIE_SECURE = OPENDTI_HTTPS
if OPENDTI_HTTPS:
    # ASVS 5.0 V3.3.1/V3.3.3: the browser keeps a `__Host-` cookie only if it is Secure, has
    # Path=/ and no Domain, so no other host of the domain (nor plain HTTP) can set or read it.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-language"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
_site = urlsplit(OPENDTI_SITE_URL)
CSRF_TRUSTED_ORIGINS = [
    o.strip()
    for o in os.environ.get(
        "DJANGO_CSRF_TRUSTED_ORIGINS", f"{_site.scheme}://{_site.netloc}"
    ).split(",")
    if o.strip()
]

# Static files: collected once (`make static`) with hashed names and gzip copies; whitenoise
# serves them with a far-future cache for the hashed names.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False

# Redis: the Celery broker and the cache (two databases of one server by default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"
CELERY_TASK_ALWAYS_EAGER = False
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("OPENDTI_CACHE_URL") or "redis://127.0.0.1:6379/1",
        "KEY_PREFIX": "opendti",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

# E-mail over SMTP (notifications, reminders, password resets).
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _flag("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _flag("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"OpenDTI <no-reply@{_site.hostname}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# QĐ 742/QĐ-BTTTT: administrators work from the agency's own networks. Unset, production allows
# the loopback and the private ranges only (an administrator on the internal network, or through
# the proxy's VPN); `*` allows any network, which `opendti check --deploy` then warns about.
PRIVATE_NETWORKS = [
    "127.0.0.0/8",
    "::1/128",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "fc00::/7",
]
_admin_networks = os.environ.get("OPENDTI_ADMIN_NETWORKS", "").strip()
if not _admin_networks:
    OPENDTI_ADMIN_NETWORKS = PRIVATE_NETWORKS
elif _admin_networks == "*":
    OPENDTI_ADMIN_NETWORKS = []
