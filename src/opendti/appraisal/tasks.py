"""Celery tasks (run eagerly, in process, in the embedded default)."""

from celery import shared_task

from .reminders import daily_reminders as send_daily_reminders


@shared_task(name="opendti.appraisal.tasks.daily_reminders")
def daily_reminders() -> int:
    return send_daily_reminders()
