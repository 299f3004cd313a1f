"""gunicorn for OpenDTI (docs/deployment.md): `gunicorn -c gunicorn.conf.py`.

Sized for the machine: (2 × cores) + 1 synchronous workers by default, the usual rule for
requests that mostly wait on the database. Slow clients never hold a worker: nginx in front
buffers uploads and responses (deploy/nginx.conf). Long work (report files, reminders) runs in
the Celery worker, never in a request, so the timeout can stay short.
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "opendti.config.wsgi:application"
bind = os.environ.get("OPENDTI_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("OPENDTI_WEB_WORKERS") or 2 * multiprocessing.cpu_count() + 1)
timeout = int(os.environ.get("OPENDTI_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter, not all at once): the PDF and
# chart libraries keep memory they allocated.
max_requests = 1000
max_requests_jitter = 100
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Only the local proxy may say the request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("OPENDTI_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# No access log here: Django writes one JSON line per request (opendti.request) with its id,
# status, duration and user id, and without the query string. gunicorn's own messages (start,
# workers, timeouts) are JSON lines on standard error too.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("OPENDTI_LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "opendti.core.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}
