"""The production profile from the environment: `check --deploy` is clean with only the
documented variables, a missing required one stops it with its name, DEBUG never comes on by
default, every variable the code reads is in the one table of docs/deployment.md, and the logs
are JSON lines that keep no secret."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys

from django.test import Client

from opendti.core.logs import ContextFilter, JsonFormatter

from .conftest import ROOT, opendti

REQUIRED = {
    "DJANGO_SETTINGS_MODULE": "opendti.config.settings.production",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijkl",
    "DJANGO_ALLOWED_HOSTS": "dti.example.vn",
}


def _env(tmp_path, **extra: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "OPENDTI_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **REQUIRED,
        **extra,
    }


def test_check_deploy_is_clean_with_the_documented_variables(tmp_path):
    done = opendti("check", "--deploy", "--fail-level", "WARNING", env=_env(tmp_path))
    assert "System check identified no issues" in done.stdout


def test_a_missing_variable_stops_production_with_its_name(tmp_path):
    env = _env(tmp_path)
    del env["DATABASE_URL"]
    done = opendti("check", env=env, check=False)
    assert done.returncode != 0
    assert "DATABASE_URL must be set in production (docs/deployment.md)" in done.stderr


def test_plain_http_turns_off_the_https_settings_only_when_asked(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.DEBUG)"
    )
    on = opendti("shell", "-c", code, env=_env(tmp_path)).stdout.split()[-4:]
    assert on == ["True", "31536000", "True", "False"]
    off = opendti("shell", "-c", code, env=_env(tmp_path, OPENDTI_HTTPS="0")).stdout.split()[-4:]
    assert off == ["False", "0", "False", "False"]


def test_behind_a_proxy_that_does_https_one_variable_turns_off_redirect_and_hsts(tmp_path):
    """OPENDTI_HTTPS_AT_PROXY=1: the proxy redirects and sends HSTS, Django does neither; the
    cookies stay secure and `check --deploy` stays clean."""
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.DEBUG)"
    )
    env = _env(tmp_path, OPENDTI_HTTPS_AT_PROXY="1")
    assert opendti("shell", "-c", code, env=env).stdout.split()[-4:] == [
        "False",
        "0",
        "True",
        "False",
    ]
    done = opendti("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert "System check identified no issues" in done.stdout


def test_the_command_and_the_celery_app_never_fall_back_to_debug(tmp_path):
    """Without DJANGO_SETTINGS_MODULE both take the embedded settings, say so on standard error,
    and keep DEBUG off even if DJANGO_DEBUG asks for it (only chosen settings may turn it on)."""
    env = {"PATH": "/usr/bin:/bin", "OPENDTI_DATA_DIR": str(tmp_path), "DJANGO_DEBUG": "1"}
    code = "from django.conf import settings; print('DEBUG', settings.DEBUG)"
    command = opendti("shell", "-c", code, env=env)
    assert command.stdout.split()[-2:] == ["DEBUG", "False"]
    assert "DJANGO_SETTINGS_MODULE is not set: using the embedded settings" in command.stderr
    worker = subprocess.run(
        [
            sys.executable,
            "-c",
            "from opendti.config import celery_app; import django; django.setup(); " + code,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert worker.stdout.split()[-2:] == ["DEBUG", "False"]
    assert "celery: DJANGO_SETTINGS_MODULE is not set" in worker.stderr
    # Chosen by name, the embedded settings do honour DJANGO_DEBUG (`make demo`'s runserver).
    chosen = {**env, "DJANGO_SETTINGS_MODULE": "opendti.config.settings.local"}
    named = opendti("shell", "-c", code, env=chosen)
    assert named.stdout.split()[-2:] == ["DEBUG", "True"]
    assert "not set" not in named.stderr


def _read_variables() -> set[str]:
    """Every environment variable the settings, the WSGI and Celery apps and gunicorn.conf.py
    read."""
    config = ROOT / "src/opendti/config"
    sources = [*(config / "settings").glob("*.py"), *config.glob("*.py"), ROOT / "gunicorn.conf.py"]
    found: set[str] = set()
    for source in sources:
        if source.name == "test.py":
            continue
        text = source.read_text()
        found |= set(
            re.findall(r"""environ(?:\.get|\.setdefault)?[\[(]\s*["']([A-Z0-9_]+)["']""", text)
        )
        found |= set(re.findall(r"""_(?:required|flag)\(\s*["']([A-Z0-9_]+)["']""", text))
    return found


def test_every_variable_is_in_the_one_table_of_the_deployment_guide():
    guide = (ROOT / "docs/deployment.md").read_text()
    table = guide.split("<!-- variables -->")[1]
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)`", table, flags=re.MULTILINE))
    read = _read_variables()
    assert read - documented == set(), "variables missing from docs/deployment.md"
    assert documented - read == set(), "variables documented but never read"


def _render(logger: str, message: str, **extra) -> dict:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger(logger)
    log.addHandler(handler)
    try:
        log.warning(message, extra=extra)
    finally:
        log.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    return json.loads(line)


def test_the_audit_log_is_a_json_line_with_its_fields_and_no_secret():
    record = _render(
        "opendti.audit",
        "snapshot approved",
        event="snapshot.approve",
        actor_id=7,
        period="2025-communes",
        password="hunter2",
        api_token="abc",
        details={"session_key": "s3cr3t", "units": 7},
    )
    assert record["logger"] == "opendti.audit" and record["level"] == "WARNING"
    assert record["message"] == "snapshot approved"
    assert (record["event"], record["actor_id"], record["period"]) == (
        "snapshot.approve",
        7,
        "2025-communes",
    )
    assert record["password"] == record["api_token"] == "[redacted]"
    assert record["details"] == {"session_key": "[redacted]", "units": 7}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", record["time"])


def test_each_request_has_an_id_in_its_response(db):
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    # Another's id is taken only from a trusted proxy.
    assert Client().get("/healthz", HTTP_X_REQUEST_ID="abcdef-123456")["X-Request-ID"] != (
        "abcdef-123456"
    )


def test_a_request_id_from_a_trusted_proxy_is_kept(db, settings):
    settings.OPENDTI_TRUSTED_PROXIES = 1
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="abcdef-123456")
    assert response["X-Request-ID"] == "abcdef-123456"


def test_readyz_names_the_part_that_is_down(db, settings, redis):
    from .conftest import free_port

    closed = free_port()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed}/6",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed}/5"
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["down"] == ["broker", "cache"]
    assert body["checks"]["database"] == body["checks"]["storage"] == "ok"
    assert body["checks"]["cache"].startswith("down: ") and str(closed) not in str(body)
    settings.CELERY_BROKER_URL = redis
    assert Client().get("/readyz").json()["down"] == ["cache"]
