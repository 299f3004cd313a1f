"""The embedded default: one machine, SQLite under ./var, a development secret generated once."""

from __future__ import annotations

import os
import secrets

from opendti.config import fallback

from .base import *  # noqa: F403
from .base import DATA_DIR, STATIC_ROOT

# Never on unless asked for, and never when the `opendti` command or the Celery app took these
# settings because DJANGO_SETTINGS_MODULE was unset (config/fallback.py): `make demo` names the
# settings and asks for DEBUG for runserver only.
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1" and not fallback.used
DATA_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise looks there first
_secret_file = DATA_DIR / "secret_key"
if not os.environ.get("DJANGO_SECRET_KEY"):
    # Never a secret in the repository: generate one per installation and keep it beside the data.
    if not _secret_file.exists():
        _secret_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = _secret_file.read_text().strip()
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Logs for a person at a terminal unless told otherwise.
if "OPENDTI_LOG_FORMAT" not in os.environ:
    LOGGING["handlers"]["console"]["formatter"] = "text"  # type: ignore[index]  # noqa: F405
