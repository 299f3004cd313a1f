"""Evidence services: add a file, a link or a document reference, link it to indicators, confirm
an item carried over from last period. Files pass the upload gate (`uploads.py`) before anything
is stored or written, so a refused file leaves nothing behind.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from opendti.core.storage import EVIDENCE, storage
from opendti.frameworks.models import Node

from . import history_codes
from .access import Action, require
from .models import Change, Evidence, EvidenceLink, Submission
from .uploads import UploadRejected, upload_check, upload_store


def evidence_storage() -> Storage:
    """Where evidence files are kept (settings.STORAGES["evidence"])."""
    return storage(EVIDENCE)


def _max_length(field: str) -> int:
    limit = getattr(Evidence._meta.get_field(field), "max_length", None)
    assert isinstance(limit, int), field
    return limit


def _title(text: str) -> str:
    """A title that fits its column: one made from a long URL or summary is shortened."""
    text = text.strip()
    limit = _max_length("title")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fits(field: str, value: str) -> str:
    """The value, or ValidationError naming the field when it is longer than its column."""
    limit = _max_length(field)
    if len(value) > limit:
        label = getattr(Evidence._meta.get_field(field), "verbose_name", field)
        raise ValidationError(
            _("%(label)s dài quá %(max)d ký tự: hãy rút gọn.")
            % {"label": str(label).capitalize(), "max": limit}
        )
    return value


def _link_all(evidence: Evidence, nodes: list[Node], actor) -> None:
    for node in nodes:
        _, created = EvidenceLink.objects.get_or_create(evidence=evidence, node=node)
        if created:
            Change.objects.create(
                submission=evidence.submission,
                node=node,
                kind=Change.Kind.EVIDENCE,
                field="link",
                before="",
                after=evidence.title,
                actor=actor,
            )


def _check_nodes(submission: Submission, nodes: list[Node], actor) -> None:
    # Checked per indicator: a colleague may add evidence to the indices handed to them.
    if not nodes:
        raise ValidationError(_("Chọn ít nhất một chỉ số mà tài liệu kiểm chứng."))
    for node in nodes:
        if node.framework_id != submission.participation.period.framework_id:
            raise ValidationError(_("Chỉ số không thuộc bộ chỉ số của kỳ."))
        require(actor, Action.EDIT, submission, node)


def evidence_add_file(
    *,
    submission: Submission,
    file,
    name: str,
    title: str,
    nodes: list[Node],
    actor,
    doc_date: datetime.date | None = None,
) -> Evidence:
    _check_nodes(submission, nodes, actor)
    max_bytes = settings.OPENDTI_EVIDENCE_MAX_MB * 1024 * 1024
    try:
        checked = upload_check(file, name=name, max_bytes=max_bytes)
    except UploadRejected as rejected:
        raise ValidationError(str(rejected)) from None
    file.seek(0)
    try:
        relative = upload_store(file, checked, storage=evidence_storage())
    except UploadRejected as rejected:
        raise ValidationError(str(rejected)) from None
    try:
        with transaction.atomic():
            evidence = Evidence.objects.create(
                submission=submission,
                kind=Evidence.Kind.FILE,
                title=_title(title.strip() or checked.original_name),
                storage_path=relative,
                original_name=checked.original_name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                doc_date=doc_date,
                created_by=actor,
            )
            _link_all(evidence, nodes, actor)
    except Exception:
        # The row was not written: the stored file must not outlive it.
        evidence_storage().delete(relative)
        raise
    return evidence


def evidence_add_link(
    *, submission: Submission, url: str, title: str, nodes: list[Node], actor
) -> Evidence:
    _check_nodes(submission, nodes, actor)
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(_("Đường dẫn phải bắt đầu bằng http:// hoặc https://.")) from None
    _fits("url", url)
    with transaction.atomic():
        evidence = Evidence.objects.create(
            submission=submission,
            kind=Evidence.Kind.LINK,
            title=_title(title.strip() or url),
            url=url,
            created_by=actor,
        )
        _link_all(evidence, nodes, actor)
    return evidence


def evidence_add_document(
    *,
    submission: Submission,
    doc_number: str,
    doc_date: datetime.date | None,
    issuer: str,
    summary: str,
    nodes: list[Node],
    actor,
) -> Evidence:
    _check_nodes(submission, nodes, actor)
    if not doc_number.strip() or doc_date is None:
        raise ValidationError(_("Văn bản cần có số và ngày ban hành."))
    _fits("doc_number", doc_number.strip())
    _fits("issuer", issuer.strip())
    with transaction.atomic():
        evidence = Evidence.objects.create(
            submission=submission,
            kind=Evidence.Kind.DOCUMENT,
            title=_title(f"{doc_number.strip()} {summary.strip()}"),
            doc_number=doc_number.strip(),
            doc_date=doc_date,
            issuer=issuer.strip(),
            summary=summary.strip(),
            created_by=actor,
        )
        _link_all(evidence, nodes, actor)
    return evidence


def evidence_link(*, evidence: Evidence, node: Node, actor) -> None:
    """Let an existing item back one more indicator."""
    _check_nodes(evidence.submission, [node], actor)
    with transaction.atomic():
        _link_all(evidence, [node], actor)


def evidence_unlink(*, evidence: Evidence, node: Node, actor, reason: str = "") -> None:
    _check_nodes(evidence.submission, [node], actor)
    with transaction.atomic():
        if EvidenceLink.objects.filter(evidence=evidence, node=node).delete()[0]:
            Change.objects.create(
                submission=evidence.submission,
                node=node,
                kind=Change.Kind.EVIDENCE,
                field="link",
                before=evidence.title,
                after="",
                actor=actor,
                reason=reason,
            )


def evidence_confirm(*, evidence: Evidence, actor) -> None:
    nodes = [link.node for link in evidence.links.select_related("node")]
    for node in nodes:  # as for adding: each indicator the item backs
        require(actor, Action.EDIT, evidence.submission, node)
    if not nodes:
        require(actor, Action.EDIT, evidence.submission)
    with transaction.atomic():
        if Evidence.objects.filter(pk=evidence.pk, carried_over=True).update(carried_over=False):
            for link in evidence.links.select_related("node"):
                Change.objects.create(
                    submission=evidence.submission,
                    node=link.node,
                    kind=Change.Kind.FLAG,
                    field="evidence_carried_over",
                    before=evidence.title,
                    after=history_codes.CONFIRMED,
                    actor=actor,
                )
