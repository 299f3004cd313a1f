"""Files in an S3-compatible store (OPENDTI_STORAGE=s3), against a real S3 server: moto's server
mode, speaking the S3 protocol over HTTP on 127.0.0.1 (nothing in boto is patched). One server
for the module, one bucket per test.

Evidence uploaded on the page lands in the bucket under the evidence prefix; a refused upload
leaves nothing; downloading is still checked first, then redirected to a short-lived signed URL
that makes the store answer with the file as an attachment; report files go there too; /readyz
says when the bucket cannot be reached; a backup reads every file from the bucket and a restore
writes them back into another one."""

from __future__ import annotations

import hashlib
import json
import tarfile
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, unquote, urlsplit

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer

from opendti.accounts.models import User
from opendti.assessments.models import Evidence
from opendti.config.settings.base import file_storage
from opendti.reports.models import ReportFile
from opendti.reports.services import report_generate
from opendti.results.demo import OPEN_PERIOD, demo_load
from tests.login import login

from .conftest import opendti, production_env, request_results_workbook

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UNIT = "xa-hoa-binh"
WORKSPACE = f"/ky/{OPEN_PERIOD}/don-vi/{UNIT}/"
CREDENTIALS = {"aws_access_key_id": "opendti-test", "aws_secret_access_key": "opendti-test"}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _use_bucket(endpoint: str, bucket: str, settings, monkeypatch) -> None:
    """Point the evidence and report storages at the bucket, as the environment would."""
    for name, value in {
        "OPENDTI_S3_BUCKET": bucket,
        "OPENDTI_S3_ENDPOINT_URL": endpoint,
        "OPENDTI_S3_REGION": "us-east-1",
        "OPENDTI_S3_ACCESS_KEY": CREDENTIALS["aws_access_key_id"],
        "OPENDTI_S3_SECRET_KEY": CREDENTIALS["aws_secret_access_key"],
    }.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": file_storage("s3", settings.OPENDTI_EVIDENCE_ROOT, "evidence"),
        "reports": file_storage("s3", settings.OPENDTI_REPORTS_ROOT, "reports"),
    }


@pytest.fixture
def s3(endpoint, settings, monkeypatch):
    """A new private bucket that the storages use; the boto3 client to look into it."""
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS)
    bucket = f"opendti-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    _use_bucket(endpoint, bucket, settings, monkeypatch)
    client.bucket = bucket
    return client


def _keys(s3, bucket: str | None = None) -> list[str]:
    listed = s3.list_objects_v2(Bucket=bucket or s3.bucket)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def _client(username: str) -> Client:
    client = Client()
    login(client, User.objects.get(username=username))
    return client


def _upload(name: str, data: bytes):
    return _client("daumoi").post(
        WORKSPACE + "tai-lieu/",
        {
            "kind": "file",
            "nodes": ["1.1"],
            "title": "",
            "file": SimpleUploadedFile(name, data, content_type="application/pdf"),
        },
    )


def test_evidence_goes_to_the_bucket_and_downloads_through_a_signed_url(db, s3):
    demo_load()
    assert _upload("quyết định số 1.pdf", PDF).status_code == 302
    evidence = Evidence.objects.get()
    assert _keys(s3) == [f"evidence/{evidence.storage_path}"]
    stored = s3.get_object(Bucket=s3.bucket, Key=f"evidence/{evidence.storage_path}")
    assert stored["Body"].read() == PDF and evidence.sha256 == hashlib.sha256(PDF).hexdigest()

    # A refused file leaves nothing in the bucket.
    _upload("macro.pdf", b"MZ not a pdf")
    assert Evidence.objects.count() == 1 and len(_keys(s3)) == 1

    url = reverse("portal:evidence_download", args=[OPEN_PERIOD, UNIT, evidence.pk])
    # The permission first: another unit's focal point learns nothing, not even a redirect.
    assert _client("daumoi2").get(url).status_code == 404
    assert Client().get(url)["Location"].startswith("/dang-nhap/")
    response = _client("daumoi").get(url)
    assert response.status_code == 302 and response["Cache-Control"] == "private, no-store"
    signed = response["Location"]
    parts = urlsplit(signed)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}" == s3.meta.endpoint_url
    assert query["X-Amz-Expires"] == ["60"] and query["X-Amz-Signature"]
    with urllib.request.urlopen(signed, timeout=10) as answer:
        assert answer.read() == PDF
        assert answer.headers["Content-Type"] == "application/pdf"
        disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("''", 1)[1]) == "quyết định số 1.pdf"
    # Without its signature the object is not readable: the bucket is private.
    unsigned = f"{s3.meta.endpoint_url}/{s3.bucket}/evidence/{evidence.storage_path}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned, timeout=10)
    assert refused.value.code == 403


def test_report_files_go_to_the_bucket(db, s3):
    demo_load()
    report = request_results_workbook()
    report = report_generate(report.pk)
    assert report.status == ReportFile.Status.DONE, report.error
    key = f"reports/{report.storage_path}"
    assert _keys(s3) == [key]
    data = s3.get_object(Bucket=s3.bucket, Key=key)["Body"].read()
    assert hashlib.sha256(data).hexdigest() == report.sha256
    url = reverse("portal:report_download", args=["2023-districts", report.pk])
    assert _client("daumoi").get(url).status_code == 404
    response = _client("dieuphoi").get(url)
    assert response.status_code == 302
    with urllib.request.urlopen(response["Location"], timeout=10) as answer:
        assert answer.read() == data


def test_readyz_says_when_the_bucket_is_unreachable(db, s3, endpoint, settings, monkeypatch):
    assert Client().get("/readyz").json()["checks"]["storage"] == "ok"
    _use_bucket(endpoint, "no-such-bucket", settings, monkeypatch)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["down"] == ["storage"]
    assert response.json()["checks"]["storage"].startswith("down: ")


@pytest.mark.django_db(transaction=True)
def test_backup_reads_the_bucket_and_restore_fills_another(s3, endpoint, tmp_path, file_storages):
    demo_load()
    _upload("bien-ban.pdf", PDF)
    evidence = Evidence.objects.get()
    s3_env = {
        "OPENDTI_STORAGE": "s3",
        "OPENDTI_S3_BUCKET": s3.bucket,
        "OPENDTI_S3_ENDPOINT_URL": endpoint,
        "OPENDTI_S3_REGION": "us-east-1",
        "OPENDTI_S3_ACCESS_KEY": CREDENTIALS["aws_access_key_id"],
        "OPENDTI_S3_SECRET_KEY": CREDENTIALS["aws_secret_access_key"],
    }
    env = production_env(tmp_path, file_storages, **s3_env)
    backup = tmp_path / "backup.tar"
    opendti("backup", str(backup), env=env)
    with tarfile.open(backup) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        assert tar.extractfile(f"files/evidence/{evidence.storage_path}").read() == PDF
    assert [(f["storage"], f["name"], f["sha256"]) for f in manifest["files"]] == [
        ("evidence", evidence.storage_path, evidence.sha256)
    ]
    other = f"opendti-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=other)
    # Into this same database (its rows are replaced by the backup's) and another bucket.
    opendti("restore", "--replace", str(backup), env={**env, "OPENDTI_S3_BUCKET": other})
    assert _keys(s3, other) == [f"evidence/{evidence.storage_path}"]
    assert s3.get_object(Bucket=other, Key=_keys(s3, other)[0])["Body"].read() == PDF
    assert Evidence.objects.get().sha256 == evidence.sha256
