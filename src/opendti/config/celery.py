"""The Celery application: background jobs (report files, daily reminders…), configured from
Django's settings (the CELERY_* names in settings/base.py). docs/deployment.md tells how to run it.

Worker and beat: `celery -A opendti.config worker` / `celery -A opendti.config beat`.
"""

from __future__ import annotations

from celery import Celery
from celery.signals import setup_logging

from opendti.config.fallback import choose_settings

# The same default as the `opendti` command: a worker started by hand on the embedded setup
# reads the embedded settings, said on standard error, DEBUG off; production exports
# DJANGO_SETTINGS_MODULE.
choose_settings("celery")

app = Celery("opendti")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Finds `tasks.py` in every installed app (opendti.appraisal.tasks…).
app.autodiscover_tasks()


@setup_logging.connect
def _django_logging(**kwargs: object) -> None:
    """Worker and beat log as the site does (JSON lines, settings.LOGGING), not in Celery's
    own format."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    import_string(settings.LOGGING_CONFIG)(settings.LOGGING)
