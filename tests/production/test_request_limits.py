"""Request bodies are capped before they are read (opendti.core.limits, issue 14): the announced
Content-Length alone decides. The test client's body holds only the bytes really sent, and reading
past them fails the test: a 413 here proves the body was not read. The real server's answer
(gunicorn, 100 MB announced, ten bytes sent) is in test_gunicorn.py."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opendti.core.limits import body_cap

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/dang-nhap/", "application/x-www-form-urlencoded"),
        ("/api/v1/periods/", "application/json"),
        ("/dang-nhap/", "multipart/form-data; boundary=x"),
    ],
)
def test_a_body_announced_over_its_cap_gets_413_unread(db, path, content_type):
    cap = body_cap(content_type)
    response = Client().post(path, b"a=1", content_type=content_type, CONTENT_LENGTH=str(cap + 1))
    assert response.status_code == 413
    assert response["Connection"] == "close"
    assert "Nội dung gửi lên quá lớn" in response.content.decode()


def test_uploads_have_the_larger_cap_of_evidence(settings):
    assert body_cap("application/x-www-form-urlencoded") == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert body_cap("application/json") == 5 * MB
    assert (
        body_cap("multipart/form-data; boundary=x") == (settings.OPENDTI_EVIDENCE_MAX_MB + 1) * MB
    )
    assert body_cap("Multipart/Form-Data;boundary=x") > 20 * MB


def test_a_body_within_its_cap_reaches_the_view(db):
    # A multipart upload of 6 MB (over the 5 MB of a plain form, within the upload cap) is read
    # and answered by the view (the login page's form error), not refused.
    upload = SimpleUploadedFile("a.pdf", b"x" * (6 * MB), content_type="application/pdf")
    response = Client().post("/dang-nhap/", {"username": "x", "password": "y", "file": upload})
    assert response.status_code == 200
    assert int(response.wsgi_request.META["CONTENT_LENGTH"]) > 6 * MB


def test_an_unreadable_content_length_is_a_400(db):
    response = Client().post(
        "/dang-nhap/", b"a=1", content_type="application/x-www-form-urlencoded", CONTENT_LENGTH="x"
    )
    assert response.status_code == 400
