"""The report generation job: a Celery task in production (the worker runs it), a daemon thread
in the embedded default where Celery is eager."""

from __future__ import annotations

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import connection

# A module, not names: services imports this module too (see there).
from . import services

logger = logging.getLogger(__name__)

THREAD_PREFIX = "opendti-report-"


@shared_task(name="opendti.reports.tasks.generate_report")
def generate_report(pk: int) -> None:
    services.report_generate(pk)


def _run_in_thread(pk: int) -> None:
    try:
        services.report_generate(pk)
    except Exception:  # report_generate records its own failures; this is the unexpected rest
        logger.exception("report %s: the background thread failed", pk)
    finally:
        # The thread opened its own database connection: close it, or it lingers until exit.
        connection.close()


def report_start(pk: int) -> threading.Thread | None:
    """Start generating a committed report. With an eager Celery (no broker: the embedded
    default) `delay` would run the whole generation inside the request that asked for it, and
    the page could not show its progress; a daemon thread runs it instead and the page returns
    at once. In production the worker runs the task. Returns the thread, if one was started."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        thread = threading.Thread(
            target=_run_in_thread, args=(pk,), name=f"{THREAD_PREFIX}{pk}", daemon=True
        )
        thread.start()
        return thread
    generate_report.delay(pk)
    return None
