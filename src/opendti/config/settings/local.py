"""The embedded default: one machine, SQLite under ./var, a development secret generated once."""

from __future__ import annotations

import os
import secrets

from .base import *  # noqa: F403
from .base import DATA_DIR

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
DATA_DIR.mkdir(parents=True, exist_ok=True)
_secret_file = DATA_DIR / "secret_key"
if not os.environ.get("DJANGO_SECRET_KEY"):
    # Never a secret in the repository: generate one per installation and keep it beside the data.
    if not _secret_file.exists():
        _secret_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = _secret_file.read_text().strip()
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
