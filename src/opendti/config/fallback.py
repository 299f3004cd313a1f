"""Which settings the `opendti` command and the Celery app use when DJANGO_SETTINGS_MODULE is
unset: the embedded ones (settings/local.py), said out loud on standard error, and never with
DEBUG (issue 14: debug pages appeared on errors). Production exports DJANGO_SETTINGS_MODULE
(deploy/systemd/, the image); `make demo` asks for local settings, and DEBUG for runserver only.
"""

from __future__ import annotations

import os
import sys

EMBEDDED = "opendti.config.settings.local"

# Set when the embedded settings were taken by default: settings/local.py then ignores
# DJANGO_DEBUG, which only a person who chose the settings may turn on.
used = False


def choose_settings(program: str) -> None:
    global used
    if os.environ.get("DJANGO_SETTINGS_MODULE", "").strip():
        return
    os.environ["DJANGO_SETTINGS_MODULE"] = EMBEDDED
    used = True
    print(
        f"{program}: DJANGO_SETTINGS_MODULE is not set: using the embedded settings "
        f"({EMBEDDED}) with DEBUG off. Production sets "
        "DJANGO_SETTINGS_MODULE=opendti.config.settings.production (docs/deployment.md).",
        file=sys.stderr,
    )
