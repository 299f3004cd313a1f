"""Structured logs: one JSON object per line, for every logger (Django's, Celery's, ours, the
audit log `opendti.audit`), with the id of the request or task it belongs to and the user's id.

What never goes into a log: passwords, tokens, keys, cookies or session ids (a field whose name
says so is replaced by "[redacted]"), query strings (they can carry tokens), user names, e-mail
addresses or client addresses (a request is known by its id and its user's numeric id only).

`RequestLogMiddleware` gives each request an id (the proxy's X-Request-ID when OPENDTI_TRUSTED_PROXIES
says there is one, otherwise a new one), sends it back in the response, and writes one line per
request on the `opendti.request` logger: method, path, status, duration in milliseconds, user id.
"""

from __future__ import annotations

import contextvars
import datetime
import logging
import logging.config
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "opendti_request", default=None
)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
SENSITIVE = re.compile(
    r"passw|secret|token|api_?key|authoriz|cookie|session|csrf|credential|signature",
    re.IGNORECASE,
)
REDACTED = "[redacted]"
# The attributes every LogRecord has; anything else came in through `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "user_id",
    "task_id",
}

request_logger = logging.getLogger("opendti.request")


def _user_id(request: HttpRequest | None, *, evaluate: bool) -> int | None:
    """The logged-in user's id; without `evaluate`, only if the request already knows its user
    (a log line must never cost a database query)."""
    if request is None:
        return None
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty and not evaluate:
        return None
    return user.pk if user.is_authenticated else None


def _task_id() -> str | None:
    from celery import current_task

    request = getattr(current_task, "request", None) if current_task else None
    return getattr(request, "id", None)


class ContextFilter(logging.Filter):
    """Adds request_id, user_id and task_id to every record, and redacts what must not be kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _request.get()
        record.request_id = getattr(request, "request_id", None) or "-"
        record.user_id = _user_id(request, evaluate=False)
        record.task_id = _task_id()
        for name, value in list(vars(record).items()):
            if name in _STANDARD:
                continue
            if SENSITIVE.search(name):
                setattr(record, name, REDACTED)
            elif isinstance(value, HttpRequest):
                # Django's own records carry the request: its method and path, nothing more.
                setattr(record, name, f"{value.method} {value.path}")
            elif isinstance(value, dict):
                setattr(record, name, _redact(value))
        return True


def _redact(data: dict[Any, Any]) -> dict[Any, Any]:
    return {
        key: REDACTED
        if SENSITIVE.search(str(key))
        else _redact(value)
        if isinstance(value, dict)
        else value
        for key, value in data.items()
    }


class JsonFormatter(_JsonFormatter):
    """time (ISO 8601, UTC, milliseconds), level, logger, message, then the context and extras."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)
        kwargs.setdefault("json_default", str)
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s", *args, **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        return moment.isoformat(timespec="milliseconds")

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        fields = dict(log_data)
        log_data.clear()
        log_data["time"] = fields.pop("asctime", None) or self.formatTime(record)
        for name, value in fields.items():
            if value is not None or name not in ("task_id", "user_id"):  # only where there is one
                log_data[name] = value


def configure(config: dict[str, Any]) -> None:
    """settings.LOGGING_CONFIG: the LOGGING dictionary, and Python's warnings as log records
    (on the `py.warnings` logger), so that every line a process writes is a JSON object."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


def _request_id(request: HttpRequest) -> str:
    given = request.headers.get("X-Request-ID", "")
    if settings.OPENDTI_TRUSTED_PROXIES and _SAFE_ID.match(given):
        return given
    return uuid.uuid4().hex


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        request.request_id = _request_id(request)  # type: ignore[attr-defined]
        token = _request.set(request)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                    "user_id": _user_id(request, evaluate=True),
                },
            )
            return response
        finally:
            _request.reset(token)
