"""Requesting a report file of a period and generating it (in a background job, with progress).

GENERATORS is the registry of the kinds this installation can make: a kind without a generator is
not offered in the page and a request for it is refused.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opendti.accounts.roles import ADMINISTRATOR, APPROVER, COORDINATOR
from opendti.assessments.access import has_role
from opendti.core.storage import REPORTS, storage, stored_exists
from opendti.periods.models import Period
from opendti.publication.models import Snapshot
from opendti.publication.selectors import final_scores

# `from . import tasks` (a module, its attributes read at call time) rather than importing names:
# tasks imports this module too, and this form works whichever of the two is imported first.
from . import tasks
from .build import report_content
from .content import ReportContent
from .docx_report import decision_docx, report_docx
from .models import ReportFile
from .pdf import report_pdf
from .pdf_scorecards import scorecards_pdf
from .xlsx import results_xlsx

logger = logging.getLogger(__name__)

Kind = ReportFile.Kind
Status = ReportFile.Status
# A generator reports its progress as (steps done, steps in all).
Progress = Callable[[int, int], None]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
CONTENT_TYPES = {"xlsx": XLSX, "docx": DOCX, "pdf": PDF}


@dataclass(frozen=True)
class Generator:
    extension: str
    content_type: str
    filename: str  # the download's name, before the period code and the extension
    make: Callable[..., bytes]  # (period, progress[, also=periods]) -> the file
    # Whether one file can cover other periods of the same year (`also`).
    several: bool = False


def reports_storage() -> Storage:
    """Where report files are kept (settings.STORAGES["reports"])."""
    return storage(REPORTS)


def _results_xlsx(period: Period, progress: Progress) -> bytes:
    scores, snapshot = final_scores(period)
    return results_xlsx(scores, period=period, snapshot=snapshot, progress=progress)


def _from_content(write: Callable[[ReportContent], bytes]) -> Callable[..., bytes]:
    """A generator for a document written from the report's content: two steps, building the
    content (tables, charts) and writing the file. It may cover other periods of the year."""

    def make(period: Period, progress: Progress, also: Sequence[Period] = ()) -> bytes:
        progress(0, 2)
        content = report_content(period, also=also)
        progress(1, 2)
        data = write(content)
        progress(2, 2)
        return data

    return make


def _scorecards_pdf(period: Period, progress: Progress) -> bytes:
    return scorecards_pdf(period, progress=progress)


GENERATORS: dict[str, Generator] = {
    Kind.RESULTS_XLSX: Generator("xlsx", XLSX, "bang-ket-qua", _results_xlsx),
    Kind.REPORT_DOCX: Generator("docx", DOCX, "bao-cao", _from_content(report_docx), True),
    Kind.REPORT_PDF: Generator("pdf", PDF, "bao-cao", _from_content(report_pdf), True),
    Kind.DECISION_DOCX: Generator(
        "docx", DOCX, "du-thao-quyet-dinh", _from_content(decision_docx), True
    ),
    Kind.SCORECARDS_PDF: Generator("pdf", PDF, "phieu-ket-qua", _scorecards_pdf),
}


def has_snapshot(period: Period) -> bool:
    """Whether the period's numbers are approved (reports then print the snapshot's)."""
    return Snapshot.objects.filter(period=period).exists()


def registered_kinds() -> list[Kind]:
    """The kinds that can be made here, in the order of the choices."""
    return [kind for kind in Kind if kind.value in GENERATORS]


def may_request(user) -> bool:
    """Reports are for the coordinator, the approver and the administrator."""
    return has_role(user, COORDINATOR, APPROVER, ADMINISTRATOR)


# A period another report may include: approved or published, as the decision that covers them.
INCLUDABLE = (Period.Status.APPROVED, Period.Status.PUBLISHED)


def includable_periods(period: Period) -> list[Period]:
    """The other periods of the same year a report of `period` may cover (departments and
    districts in one decision, as 401/QĐ-UBND does): approved or published ones."""
    return list(
        Period.objects.filter(year=period.year, status__in=INCLUDABLE)
        .exclude(pk=period.pk)
        .order_by("code")
    )


def _also(period: Period, kind: str, codes: Sequence[str]) -> list[Period]:
    codes = list(dict.fromkeys(c for c in codes if c))
    if not codes:
        return []
    if not GENERATORS[kind].several:
        raise ValidationError(_("Loại tệp này chỉ làm cho từng kỳ, không gộp được nhiều kỳ."))
    allowed = {p.code: p for p in includable_periods(period)}
    refused = [code for code in codes if code not in allowed]
    if refused:
        raise ValidationError(
            _(
                "Không gộp được kỳ %(codes)s: chỉ gộp các kỳ khác cùng năm %(year)d đã phê duyệt "
                "hoặc đã công bố."
            )
            % {"codes": ", ".join(refused), "year": period.year}
        )
    return [allowed[code] for code in codes]


def report_request(*, period: Period, kind: str, actor, also: Sequence[str] = ()) -> ReportFile:
    """Queue a report file of the period (with `also`, the codes of other periods of the same
    year it covers too); the generation starts once the row is committed (a worker must be
    able to read it)."""
    if not may_request(actor):
        raise PermissionDenied(_("Chỉ bộ phận điều phối và lãnh đạo phê duyệt được tạo báo cáo."))
    if kind not in GENERATORS:
        raise ValidationError(_("Loại báo cáo này không có trong hệ thống."))
    others = _also(period, kind, also)
    report = ReportFile.objects.create(
        period=period,
        kind=kind,
        created_by=actor,
        from_snapshot=has_snapshot(period),
    )
    report.also.set(others)
    transaction.on_commit(lambda: tasks.report_start(report.pk))
    return report


def _progress(pk: int) -> Progress:
    """A progress callback that writes only when the shown percentage changes: one cheap
    conditional UPDATE, at most about a hundred per file."""
    last = [-1]

    def report(done: int, total: int) -> None:
        percent = done * 100 // total if total else 0
        if percent == last[0] and done != total:
            return
        last[0] = percent
        ReportFile.objects.filter(pk=pk, status=Status.RUNNING).update(done=done, total=total)

    return report


def error_text(exc: BaseException) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__


def interrupted_message() -> str:
    return _(
        "Việc tạo tệp bị dừng giữa chừng (tiến trình nền đã dừng hoặc khởi động lại); "
        "chưa có tệp nào được lưu. Hãy bấm “Tạo lại”."
    )


def report_fail(pk: int, message: str) -> bool:
    """Mark a report that has not finished as failed with the message (a job interrupted outside
    report_generate: its worker killed). True if the row changed."""
    return bool(
        ReportFile.objects.filter(pk=pk, status__in=[Status.QUEUED, Status.RUNNING]).update(
            status=Status.FAILED, error=message, finished_at=timezone.now()
        )
    )


def report_generate(pk: int) -> ReportFile:
    """Make the file of a queued report: run its generator, keep the file in the "reports"
    storage under the period's folder, and record the outcome. A failure leaves no file and keeps
    the error's message. Idempotent: a row already done or failed is returned as it is."""
    # Claim the row (queued → running): a task delivered twice runs once.
    claimed = ReportFile.objects.filter(pk=pk, status=Status.QUEUED).update(status=Status.RUNNING)
    report = ReportFile.objects.select_related("period__framework__level").get(pk=pk)
    if not claimed:
        if report.status == Status.RUNNING:
            # Tasks are acknowledged only when they end: a job found running when its message
            # comes again is one whose worker died in the middle (docs/deployment.md).
            report_fail(pk, interrupted_message())
            report.refresh_from_db()
        return report
    generator = GENERATORS.get(report.kind)
    period = report.period
    name = f"{period.code}/{uuid.uuid4().hex}.{generator.extension if generator else 'bin'}"
    store = reports_storage()
    stored = ""
    try:
        if generator is None:
            raise ValidationError(_("Loại báo cáo này không có trong hệ thống."))
        from_snapshot = has_snapshot(period)
        # An official document is in the site's language, whoever asked and wherever it runs.
        also = list(report.also.select_related("framework__level").order_by("code"))
        with translation.override(settings.LANGUAGE_CODE):
            if also:
                data = generator.make(period, _progress(pk), also=also)
            else:
                data = generator.make(period, _progress(pk))
        # The storage shows a file whole or not at all (LocalStorage renames a finished file
        # into place; an S3 object exists once its upload completes).
        stored = store.save(name, ContentFile(data))
    except Exception as exc:
        if stored:
            store.delete(stored)
        logger.exception("report %s (%s of %s) failed", pk, report.kind, period.code)
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else error_text(exc)
        report_fail(pk, message)
        report.refresh_from_db()
        return report
    report.refresh_from_db()
    steps = max(report.total, report.done, 1)
    ReportFile.objects.filter(pk=pk).update(
        status=Status.DONE,
        done=steps,
        total=steps,
        storage_path=stored,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        from_snapshot=from_snapshot,
        finished_at=timezone.now(),
    )
    report.refresh_from_db()
    return report


def report_open(report: ReportFile) -> File:
    """The stored file of a finished report, open for reading (FileNotFoundError if it is
    missing or its name leaves the storage)."""
    if report.status != Status.DONE or not stored_exists(reports_storage(), report.storage_path):
        raise FileNotFoundError(report.pk)
    return reports_storage().open(report.storage_path, "rb")


def download_name(report: ReportFile) -> tuple[str, str]:
    """The download's file name (period code, kind, number) and content type."""
    extension = report.storage_path.rsplit(".", 1)[-1]
    generator = GENERATORS.get(report.kind)
    stem = generator.filename if generator else report.kind.replace("_", "-")
    name = f"{report.period.code}-{stem}-{report.pk}.{extension}"
    return name, CONTENT_TYPES.get(extension, "application/octet-stream")
