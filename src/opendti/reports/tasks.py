"""The report generation job: a Celery task in production (the worker runs it), a daemon thread
in the embedded default where Celery is eager."""

from __future__ import annotations

import logging
import threading

from billiard.exceptions import WorkerLostError
from celery import shared_task
from celery.exceptions import TimeLimitExceeded
from celery.signals import task_failure
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import override

# A module, not names: services imports this module too (see there).
from . import services

logger = logging.getLogger(__name__)

THREAD_PREFIX = "opendti-report-"


@shared_task(name="opendti.reports.tasks.generate_report", acks_late=True)
def generate_report(pk: int) -> None:
    """Idempotent: a report already claimed, done or failed is not made again (services)."""
    services.report_generate(pk)


@task_failure.connect
def _record_lost_job(sender=None, exception=None, args=None, **kwargs) -> None:
    """The worker process running the job died (killed, out of memory) or ran past the time
    limit: the worker's main process acknowledges the message and reports it here, where the
    job is marked failed with a message a person can act on. No file was kept: the storage shows
    a file only once it is whole, and the row names it only after that."""
    if getattr(sender, "name", None) != generate_report.name or not args:
        return
    with override(settings.LANGUAGE_CODE):
        if isinstance(exception, TimeLimitExceeded):
            message = _(
                "Việc tạo tệp vượt quá thời gian cho phép (%(minutes)d phút) và đã bị dừng; "
                "chưa có tệp nào được lưu."
            ) % {"minutes": settings.CELERY_TASK_TIME_LIMIT // 60}
        elif isinstance(exception, WorkerLostError):
            message = services.interrupted_message()
        else:
            message = services.error_text(exception)
        if services.report_fail(int(args[0]), message):
            logger.error("report %s: the job was lost (%s)", args[0], type(exception).__name__)


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
