"""The production settings with the daily reminder job due every second instead of at seven:
beat's own scheduling, run for real (tests/production/test_worker.py), without the wait. The
seven o'clock schedule itself is checked in tests/notifications/test_celery.py."""

from opendti.config.settings.production import *  # noqa: F403
from opendti.config.settings.production import CELERY_BEAT_SCHEDULE

CELERY_BEAT_SCHEDULE = {
    "daily-reminders": {**CELERY_BEAT_SCHEDULE["daily-reminders"], "schedule": 1.0},
}
