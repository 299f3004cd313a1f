"""Tests: the database comes from DATABASE_URL (SQLite in memory when unset)."""

from __future__ import annotations

import os
import tempfile

import dj_database_url

from .base import *  # noqa: F403

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL") or "sqlite://:memory:")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: threads in the concurrency tests then get real SQLite
    # locking (busy timeout), as the embedded default has.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"opendti-test-{os.getpid()}.sqlite3")
    }
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Nothing is collected for the tests: whitenoise serves the apps' own static files.
STATIC_ROOT = None  # type: ignore[assignment]
