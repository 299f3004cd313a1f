"""The Celery application: background jobs (daily reminders…), configured from Django's settings
(the CELERY_* names in settings/base.py). docs/notifications.md tells how to run it.

Worker and beat: `celery -A opendti.config worker` / `celery -A opendti.config beat`.
"""

from __future__ import annotations

import os

from celery import Celery

# The same default as the `opendti` command: a worker started by hand on the embedded setup
# reads the same settings as the site; production exports DJANGO_SETTINGS_MODULE itself.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendti.config.settings.local")

app = Celery("opendti")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Finds `tasks.py` in every installed app (opendti.appraisal.tasks…).
app.autodiscover_tasks()
