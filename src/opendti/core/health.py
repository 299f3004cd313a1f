"""Health endpoints for the load balancer and the operator (docs/deployment.md).

`/healthz`: the process is up and answers (no database, nothing else): restart it if this fails.
`/readyz`: the parts a request needs are reachable — the database, the cache, the Celery broker
and the file storages; 200 when all are, 503 naming each part that is not (with the kind of
error only: no address, user name or password).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# The storages files are kept in (core/storage.py).
FILE_STORAGES = ("evidence", "reports")
BROKER_TIMEOUT_SECONDS = 2


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key, value = "opendti:readyz", uuid.uuid4().hex
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not keep a value")


def check_broker() -> None:
    from kombu import Connection

    with Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=BROKER_TIMEOUT_SECONDS,
        transport_options={"socket_timeout": BROKER_TIMEOUT_SECONDS},
    ) as connection:
        connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)


def check_storage() -> None:
    for alias in FILE_STORAGES:
        store = storages[alias]
        if isinstance(store, FileSystemStorage):
            # Local disk: the folder is there (made on first use) and the server may write.
            os.makedirs(store.location, exist_ok=True)
            if not os.access(store.location, os.W_OK | os.X_OK):
                raise PermissionError(f"{alias}: not writable")
        elif hasattr(store, "bucket_name"):
            # S3: one request, whatever the bucket holds: it exists and answers to these keys.
            store.connection.meta.client.head_bucket(Bucket=store.bucket_name)  # type: ignore[attr-defined]
        else:
            store.listdir("")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure of a part is that part being down
            logger.warning("readiness: %s is down (%s)", name, type(exc).__name__)
            results[name] = f"down: {type(exc).__name__}"
        else:
            results[name] = "ok"
    down = sorted(name for name, result in results.items() if result != "ok")
    return JsonResponse(
        {"status": "unavailable" if down else "ok", "down": down, "checks": results},
        status=503 if down else 200,
    )
