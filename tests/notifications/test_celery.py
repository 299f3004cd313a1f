"""The Celery app loads with the Django settings; the daily reminder job is on beat's schedule."""

from __future__ import annotations

import os
import subprocess
import sys

from celery.schedules import crontab

from opendti.config import celery_app


def test_the_celery_app_loads_from_the_django_settings() -> None:
    assert celery_app.main == "opendti"
    conf = celery_app.conf
    # Tests, like the embedded default, have no broker: tasks run in-process.
    assert conf.task_always_eager is True
    assert conf.broker_url == "memory://"
    assert conf.timezone == "Asia/Ho_Chi_Minh"


def test_beat_runs_the_daily_reminders_at_seven() -> None:
    entry = celery_app.conf.beat_schedule["daily-reminders"]
    assert entry["task"] == "opendti.appraisal.tasks.daily_reminders"
    assert entry["schedule"] == crontab(hour=7, minute=0)


def _settings(module: str, **env: str) -> str:
    """CELERY_* settings as a fresh process reads them from this environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    code = (
        f"from opendti.config.settings import {module} as s; "
        "print(s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_a_broker_in_the_environment_turns_eager_mode_off() -> None:
    assert _settings("base") == "memory:// True"
    assert (
        _settings("base", CELERY_BROKER_URL="redis://cache:6379/1") == "redis://cache:6379/1 False"
    )


def test_production_uses_redis_and_a_worker() -> None:
    secret = {
        "DJANGO_SECRET_KEY": "tests-only",
        "DJANGO_ALLOWED_HOSTS": "dti.example.vn",
        "DATABASE_URL": "sqlite://:memory:",
    }
    assert _settings("production", **secret) == "redis://127.0.0.1:6379/0 False"
    assert (
        _settings("production", CELERY_BROKER_URL="redis://cache:6379/2", **secret)
        == "redis://cache:6379/2 False"
    )
