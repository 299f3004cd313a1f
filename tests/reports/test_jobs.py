"""Report files as background jobs: requesting, generating with progress, failures, the thread
that stands in for the worker in the embedded default, and who may see and download them."""

from __future__ import annotations

import hashlib
import io
import threading
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from opendti.accounts.models import User
from opendti.periods.models import Period
from opendti.publication.demo import demo_load_all
from opendti.reports import services, tasks
from opendti.reports.models import ReportFile
from opendti.reports.services import Generator, report_generate, report_open, report_request
from opendti.results.demo import demo_load
from tests.login import login

Kind = ReportFile.Kind
Status = ReportFile.Status
PERIOD = "2023-districts"


@pytest.fixture
def world(db, file_storages) -> SimpleNamespace:
    demo_load_all()
    return SimpleNamespace(
        root=file_storages["reports"],
        period=Period.objects.get(code=PERIOD),
        **{u.username: u for u in User.objects.all()},
    )


def _request(
    world, django_capture_on_commit_callbacks, kind: str = Kind.RESULTS_XLSX, *, user=None
):
    """Request a file; the job would start after commit, which a test transaction never
    reaches: the callback is captured (proving it is deferred) and not run."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = report_request(period=world.period, kind=kind, actor=user or world.dieuphoi)
    assert len(callbacks) == 1
    assert report.status == Status.QUEUED and report.done == 0
    return report


def test_coordinator_gets_the_results_workbook(world, django_capture_on_commit_callbacks):
    report = _request(world, django_capture_on_commit_callbacks)
    report = report_generate(report.pk)
    assert report.status == Status.DONE, report.error
    with report_open(report) as handle:
        data = handle.read()
    path = world.root / report.storage_path
    assert path.read_bytes() == data
    assert hashlib.sha256(data).hexdigest() == report.sha256
    assert len(data) == report.size
    assert report.total > 0 and report.done == report.total
    assert report.from_snapshot  # 2023-districts is approved and published
    assert report.finished_at is not None and report.error == ""
    # Kept with the period, outside the web root.
    assert path.parent == (world.root / PERIOD).resolve()
    assert path.suffix == ".xlsx"
    assert "Xếp hạng" in load_workbook(io.BytesIO(data), read_only=True).sheetnames


MAGIC = {"xlsx": b"PK", "docx": b"PK", "pdf": b"%PDF"}


@pytest.mark.parametrize("kind", list(services.GENERATORS))
def test_every_registered_kind_makes_its_file(world, django_capture_on_commit_callbacks, kind):
    report = report_generate(_request(world, django_capture_on_commit_callbacks, kind).pk)
    assert report.status == Status.DONE, report.error
    path = world.root / report.storage_path
    assert path.suffix == "." + services.GENERATORS[kind].extension
    assert path.read_bytes().startswith(MAGIC[services.GENERATORS[kind].extension])
    assert report.done == report.total > 0


def test_generating_twice_runs_once(world, django_capture_on_commit_callbacks):
    report = _request(world, django_capture_on_commit_callbacks)
    first = report_generate(report.pk)
    again = report_generate(report.pk)  # a task delivered twice
    assert again.sha256 == first.sha256 and again.storage_path == first.storage_path
    assert len(list(world.root.rglob("*.xlsx"))) == 1


def test_progress_is_written_while_generating(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    seen: list[tuple[str, int, int]] = []

    def make(period, progress) -> bytes:
        for done in range(1, 4):
            progress(done, 3)
            row = ReportFile.objects.get(pk=report.pk)
            seen.append((row.status, row.done, row.total))
        return b"%PDF-1.4 test"

    monkeypatch.setitem(
        services.GENERATORS, Kind.REPORT_PDF, Generator("pdf", services.PDF, "bao-cao", make)
    )
    report = _request(world, django_capture_on_commit_callbacks, Kind.REPORT_PDF)
    report = report_generate(report.pk)
    assert seen == [("running", 1, 3), ("running", 2, 3), ("running", 3, 3)]
    assert (report.status, report.done, report.total, report.size) == ("done", 3, 3, 13)


def test_a_failing_generator_marks_the_file_failed(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    def make(period, progress) -> bytes:
        progress(1, 2)
        raise RuntimeError("Không vẽ được biểu đồ")

    monkeypatch.setitem(
        services.GENERATORS, Kind.REPORT_PDF, Generator("pdf", services.PDF, "bao-cao", make)
    )
    report = _request(world, django_capture_on_commit_callbacks, Kind.REPORT_PDF)
    report = report_generate(report.pk)
    assert report.status == Status.FAILED
    assert report.error == "Không vẽ được biểu đồ"
    assert report.storage_path == "" and report.sha256 == "" and report.finished_at
    assert not [p for p in world.root.rglob("*") if p.is_file()]  # no partial file left
    with pytest.raises(FileNotFoundError):
        report_open(report)


def test_only_coordinators_approvers_and_admins_may_request(world):
    for user in (world.daumoi, world.lanhdao, world.thamdinh, world.tichhop):
        with pytest.raises(PermissionDenied):
            report_request(period=world.period, kind=Kind.RESULTS_XLSX, actor=user)
    for user in (world.dieuphoi, world.pheduyet, world.quantri):
        report_request(period=world.period, kind=Kind.RESULTS_XLSX, actor=user)
    assert ReportFile.objects.count() == 3


def test_a_kind_without_a_generator_is_refused_and_not_offered(world, monkeypatch):
    monkeypatch.delitem(services.GENERATORS, Kind.DECISION_DOCX, raising=False)
    with pytest.raises(ValidationError):
        report_request(period=world.period, kind=Kind.DECISION_DOCX, actor=world.dieuphoi)
    with pytest.raises(ValidationError):
        report_request(period=world.period, kind="nonsense", actor=world.dieuphoi)
    assert Kind.DECISION_DOCX not in services.registered_kinds()
    assert ReportFile.objects.count() == 0
    client = Client()
    login(client, world.dieuphoi)
    page = client.get(reverse("portal:reports", args=[PERIOD])).content.decode()
    assert 'value="results_xlsx"' in page and 'value="decision_docx"' not in page
    response = client.post(
        reverse("portal:report_create", args=[PERIOD]), {"kind": "decision_docx"}
    )
    assert response.status_code == 422


def _urls(report: ReportFile) -> list[tuple[str, str]]:
    period = report.period.code
    return [
        ("GET", reverse("portal:reports", args=[period])),
        ("POST", reverse("portal:report_create", args=[period])),
        ("GET", reverse("portal:report_status", args=[period, report.pk])),
        ("GET", reverse("portal:report_download", args=[period, report.pk])),
    ]


def test_unit_people_and_reviewers_never_see_reports(world, django_capture_on_commit_callbacks):
    report = report_generate(_request(world, django_capture_on_commit_callbacks).pk)
    for username in ("daumoi", "lanhdao", "daumoi2", "thamdinh", "tichhop"):
        client = Client()
        login(client, getattr(world, username))
        for method, url in _urls(report):
            response = (
                client.post(url, {"kind": "results_xlsx"}) if method == "POST" else client.get(url)
            )
            assert response.status_code == 404, (username, url)
    anonymous = Client()
    for method, url in _urls(report):
        response = (
            anonymous.post(url, {"kind": "results_xlsx"})
            if method == "POST"
            else anonymous.get(url)
        )
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"], url
    assert ReportFile.objects.count() == 1  # none of them queued a file


def test_download_is_checked_and_typed(world, django_capture_on_commit_callbacks):
    report = report_generate(_request(world, django_capture_on_commit_callbacks).pk)
    client = Client()
    login(client, world.pheduyet)
    response = client.get(reverse("portal:report_download", args=[PERIOD, report.pk]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == report.sha256
    assert response["Content-Type"] == services.XLSX
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"{PERIOD}-bang-ket-qua-{report.pk}.xlsx" in response["Content-Disposition"]
    # The same file asked for under another period is not found.
    other = reverse("portal:report_download", args=["2023-departments", report.pk])
    assert client.get(other).status_code == 404


def test_the_row_polls_until_the_file_is_done(world, django_capture_on_commit_callbacks):
    report = _request(world, django_capture_on_commit_callbacks)
    client = Client()
    login(client, world.dieuphoi)
    url = reverse("portal:report_status", args=[PERIOD, report.pk])
    running = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in running and "<progress" in running and "tai-ve" not in running
    report_generate(report.pk)
    done = client.get(url).content.decode()
    assert "hx-trigger" not in done and "<progress" not in done
    assert reverse("portal:report_download", args=[PERIOD, report.pk]) in done


@pytest.mark.django_db(transaction=True)
def test_the_page_returns_at_once_and_a_thread_makes_the_file(settings, monkeypatch):
    """The embedded default (eager Celery): the request queues the file and returns while a
    daemon thread generates it; the row then shows done."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    demo_load()
    release = threading.Event()

    def make(period, progress) -> bytes:
        progress(1, 2)
        assert release.wait(20), "the test never released the generator"
        progress(2, 2)
        return b"%PDF-1.4 test"

    monkeypatch.setitem(
        services.GENERATORS, Kind.REPORT_PDF, Generator("pdf", services.PDF, "bao-cao", make)
    )
    client = Client()
    login(client, User.objects.get(username="dieuphoi"))
    response = client.post(
        reverse("portal:report_create", args=["2026-communes"]), {"kind": "report_pdf"}
    )
    assert response.status_code == 302  # returned while the generator is still waiting
    report = ReportFile.objects.get()
    assert report.status in (Status.QUEUED, Status.RUNNING)
    release.set()
    for thread in threading.enumerate():
        if thread.name == f"{tasks.THREAD_PREFIX}{report.pk}":
            thread.join(30)
            assert thread.daemon and not thread.is_alive()
    report.refresh_from_db()
    assert (report.status, report.done, report.total) == (Status.DONE, 2, 2), report.error
    assert not report.from_snapshot
    with report_open(report) as handle:
        assert handle.read() == b"%PDF-1.4 test"
