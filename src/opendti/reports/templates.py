"""Which Word template the report's DOCX is filled from: the coordinator's upload (the newest
ReportTemplate row), else the file OPENDTI_REPORT_TEMPLATE names, else the shipped one
(docx_report.default_template). An upload is checked by filling it with a sample report before it
is kept, so a template that cannot be filled is refused with the reason, not discovered when the
report is due."""

from __future__ import annotations

import datetime
import hashlib
import uuid
import zipfile
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from docxtpl import DocxTemplate
from jinja2 import TemplateError

from opendti.assessments.access import is_coordinator
from opendti.audit.services import Kind as AuditKind
from opendti.audit.services import audit_record
from opendti.core.storage import REPORTS, storage

from .content import ReportContent, Section
from .docx_report import default_template, template_context
from .models import ReportTemplate

MAX_BYTES = 10 * 1024 * 1024
FOLDER = "mau-bao-cao"


def current_template() -> ReportTemplate | None:
    """The uploaded template in use, None when the shipped (or configured) one is."""
    newest = ReportTemplate.objects.order_by("-uploaded_at", "-pk").first()
    return newest if newest is not None and newest.storage_path else None


def report_template() -> bytes:
    uploaded = current_template()
    if uploaded is not None:
        with storage(REPORTS).open(uploaded.storage_path, "rb") as handle:
            return handle.read()
    configured = getattr(settings, "OPENDTI_REPORT_TEMPLATE", "")
    if configured:
        return Path(configured).read_bytes()
    return default_template()


def _sample() -> ReportContent:
    return ReportContent(
        period_code="mau",
        title="Báo cáo mẫu",
        year=2024,
        issuer="ỦY BAN NHÂN DÂN TỈNH",
        issuer_parent="",
        place="Tỉnh",
        date=datetime.date(2024, 1, 1),
        decision_number="",
        signer="",
        provisional=True,
        sections=tuple(Section("Mục", ("Đoạn văn.",), part=n) for n in (1, 2, 3)),
        recipients=("Lưu: VT.",),
    )


def template_check(data: bytes) -> None:
    """Refuse (ValidationError, in Vietnamese) a file that is not a Word document or that cannot
    be filled: a tag left open, an unknown filter."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("Tệp mẫu lớn hơn %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    if not zipfile.is_zipfile(BytesIO(data)):
        raise ValidationError(_("Tệp mẫu phải là tài liệu Word (.docx)."))
    try:
        document = DocxTemplate(BytesIO(data))
        document.render(template_context(_sample(), document), autoescape=True)
        document.save(BytesIO())
    except TemplateError as error:
        number = getattr(error, "lineno", None)
        line = f" (dòng {number})" if number else ""
        raise ValidationError(
            _("Mẫu có thẻ không đúng cú pháp%(line)s: %(message)s")
            % {"line": line, "message": error.message or error.__class__.__name__}
        ) from error
    except Exception as error:
        raise ValidationError(
            _("Không đọc được tệp mẫu như tài liệu Word: %(error)s") % {"error": error}
        ) from error


@transaction.atomic
def template_upload(*, data: bytes, name: str, reason: str, actor) -> ReportTemplate:
    """Keep a province's template (after template_check) as the one in use."""
    if not is_coordinator(actor):
        raise PermissionDenied(_("Chỉ bộ phận điều phối được thay mẫu báo cáo."))
    template_check(data)
    stored = storage(REPORTS).save(f"{FOLDER}/{uuid.uuid4().hex}.docx", ContentFile(data))
    row = ReportTemplate.objects.create(
        storage_path=stored,
        name=name[:200],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        reason=reason.strip(),
        uploaded_by=actor,
    )
    audit_record(
        AuditKind.PERIOD_CONFIGURED,
        actor=actor,
        target="report_template",
        detail={"template": name[:200], "sha256": row.sha256},
    )
    return row


@transaction.atomic
def template_reset(*, reason: str, actor) -> ReportTemplate:
    """Back to the shipped (or configured) template; the uploads stay in the history."""
    if not is_coordinator(actor):
        raise PermissionDenied(_("Chỉ bộ phận điều phối được thay mẫu báo cáo."))
    row = ReportTemplate.objects.create(reason=reason.strip(), uploaded_by=actor)
    audit_record(
        AuditKind.PERIOD_CONFIGURED,
        actor=actor,
        target="report_template",
        detail={"template": "default"},
    )
    return row
