"""Tests: the database comes from DATABASE_URL (SQLite in memory when unset)."""

from __future__ import annotations

import os

import dj_database_url

from .base import *  # noqa: F403

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL") or "sqlite://:memory:")
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
