"""The web server as production runs it: static files collected by `make static` (the image's
build step), gunicorn started with gunicorn.conf.py and the production profile (DEBUG off) as a
subprocess, behind what a proxy would send (X-Forwarded-Proto). One server for the module.

Pages and hashed, compressed static files are served; plain HTTP is sent to HTTPS; the security
headers and secure cookies are set; /healthz and /readyz answer; each request is one JSON log
line with its id, status, duration and user id, and nothing of the password typed."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import subprocess
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest

from opendti.accounts.models import User

from .conftest import BIN, ROOT, Process, free_port, opendti, production_env

pytestmark = pytest.mark.django_db(transaction=True)
HOST = "dti.example.vn"
PASSWORD = "mật-khẩu-rất-dài-2026"


@pytest.fixture(scope="module")
def server(tmp_path_factory, django_db_setup, django_db_blocker, redis) -> Iterator[dict]:
    base = tmp_path_factory.mktemp("web")
    folders = {name: base / name for name in ("evidence", "reports")}
    with django_db_blocker.unblock():
        env = production_env(base, folders, OPENDTI_WEB_WORKERS="2")
    built = subprocess.run(
        ["make", "--no-print-directory", "static"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert (base / "static" / "staticfiles.json").is_file()
    port = free_port()
    web = Process(
        [
            str(BIN / "gunicorn"),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env,
        base,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, "/healthz", https=False)[0] == 200:
                    break
            except OSError:
                pass
            assert web.popen.poll() is None, web.tail()
            assert time.monotonic() < deadline, web.tail()
            time.sleep(0.1)
        yield {"port": port, "web": web, "base": base, "env": env}
    finally:
        web.stop()


def _request(
    port: int,
    method: str,
    path: str,
    *,
    https: bool = True,
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = {"Host": HOST, **({"X-Forwarded-Proto": "https"} if https else {}), **(headers or {})}
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def _get(port: int, path: str, **options) -> tuple[int, http.client.HTTPMessage, bytes]:
    return _request(port, "GET", path, **options)


def _cookies(headers: http.client.HTTPMessage) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return jar


def test_pages_and_hashed_static_files_with_debug_off(server):
    port = server["port"]
    status, headers, body = _get(port, "/dang-nhap/")
    assert status == 200
    page = body.decode()
    assert "Đăng nhập" in page
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    csrf = _cookies(headers)["__Host-csrftoken"]
    assert csrf["secure"] and csrf["httponly"]

    # Static files under hashed names, compressed, cached for good.
    script = re.search(r'src="(/static/vendor/htmx/htmx\.min\.[0-9a-f]{12}\.js)"', page)
    assert script, "the page names the hashed file"
    status, headers, data = _get(port, script[1], headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert (
        "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
    )
    source = (ROOT / "src/opendti/static/vendor/htmx/htmx.min.js").read_bytes()
    assert gzip.decompress(data) == source

    # DEBUG is off: a missing page is the site's 404, with nothing of the code in it.
    status, _, body = _get(port, "/khong-co-trang-nay/")
    assert status == 404
    assert b"Traceback" not in body and b"DEBUG" not in body and b"urlpatterns" not in body

    # Plain HTTP goes to HTTPS, except the probes.
    status, headers, _ = _get(port, "/dang-nhap/", https=False)
    assert status == 301 and headers["Location"] == f"https://{HOST}/dang-nhap/"
    assert _get(port, "/healthz", https=False)[0] == 200


def test_readyz_reports_every_part_up(server):
    status, headers, body = _get(server["port"], "/readyz", https=False)
    assert status == 200, body
    assert json.loads(body) == {
        "status": "ok",
        "down": [],
        "checks": {"database": "ok", "cache": "ok", "broker": "ok", "storage": "ok"},
    }
    assert headers["Cache-Control"].startswith("max-age=0")


def test_a_login_is_logged_as_json_without_the_password(server):
    # The account made by the production profile itself: its password hasher, not the tests'.
    create = f"from opendti.accounts.models import User; User.objects.create_user(username='canbo', password='{PASSWORD}', full_name='Cán bộ')"
    opendti("shell", "-c", create, env=server["env"])
    user = User.objects.get(username="canbo")
    port = server["port"]
    status, headers, _ = _get(port, "/dang-nhap/")
    token = _cookies(headers)["__Host-csrftoken"].value
    form = urlencode({"username": "canbo", "password": PASSWORD, "csrfmiddlewaretoken": token})
    status, headers, _ = _request(
        port,
        "POST",
        "/dang-nhap/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"__Host-csrftoken={token}",
            "Referer": f"https://{HOST}/dang-nhap/",
        },
    )
    assert status == 302, headers
    session = _cookies(headers)["__Host-sessionid"]
    assert session["secure"] and session["httponly"]
    request_id = headers["X-Request-ID"]
    status, headers, body = _get(port, "/", headers={"Cookie": f"__Host-sessionid={session.value}"})
    assert status == 200 and "Cán bộ" in body.decode()
    home_id = headers["X-Request-ID"]

    web = server["web"]
    # Each line is written when its request ends, which may be after the client has its answer:
    # wait for both lines read below, not only the login's.
    web.wait_for(lambda: request_id in "".join(web.lines), "log line of the login")
    web.wait_for(lambda: home_id in "".join(web.lines), "log line of the home page")
    records = web.records()  # every line a JSON object
    (login,) = [
        r for r in records if r.get("request_id") == request_id and r["logger"] == "opendti.request"
    ]
    assert login["status"] == 302
    assert login["method"] == "POST" and login["path"] == "/dang-nhap/"
    assert isinstance(login["duration_ms"], float)
    (home,) = [
        r for r in records if r.get("request_id") == home_id and r["logger"] == "opendti.request"
    ]
    assert home["user_id"] == user.pk
    text = "\n".join(web.lines)
    assert PASSWORD not in text and session.value not in text and "canbo" not in text


def test_a_body_over_its_cap_is_refused_before_it_is_read(server):
    """A request announcing 100 MB gets its 413 at once, with only a few bytes of the body
    sent: the worker never waits for (or reads) the rest (test_request_limits.py shows a body
    within its cap reaching the view)."""
    port = server["port"]
    for content_type in ("application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.putrequest("POST", "/dang-nhap/", skip_host=True)
            for name, value in {
                "Host": HOST,
                "X-Forwarded-Proto": "https",
                "Content-Type": content_type,
                "Content-Length": str(100 * 1024 * 1024),
            }.items():
                connection.putheader(name, value)
            connection.endheaders(b"username=a")
            # Within the 10 s timeout although 100 MB were announced and 10 bytes sent.
            response = connection.getresponse()
            assert response.status == 413, content_type
            assert "quá lớn" in response.read().decode()
        finally:
            connection.close()
