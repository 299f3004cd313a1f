"""The coordinator's text for Part III of a period's report (general assessment, limitations and
causes, tasks for next year): saved with its history, printed in the report as written."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opendti.assessments.access import is_coordinator
from opendti.audit.services import Kind as AuditKind
from opendti.audit.services import audit_record
from opendti.periods.models import Period

from .models import ReportText, ReportTextChange

Field = ReportText.Field
FIELDS: tuple[str, ...] = tuple(Field.values)
# A part of the report is a few pages at most; a longer text is a pasting mistake.
MAX_LENGTH = 20_000


def report_text(period: Period) -> ReportText:
    """The period's text (unsaved and empty when nobody has written any)."""
    found = ReportText.objects.filter(period=period).first()
    return found if found is not None else ReportText(period=period)


def _clean(value: str) -> str:
    # Line endings as a browser sends them (CRLF) kept as one newline; the text itself as written.
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


@transaction.atomic
def report_text_save(
    *, period: Period, values: Mapping[str, str], reason: str, actor
) -> list[ReportTextChange]:
    """Save the parts that changed, each with a history row (before, after, reason, who, when).
    Changing a part that already had text needs a reason; the first text does not. Nothing is
    saved when any part is refused."""
    if not is_coordinator(actor):
        raise PermissionDenied(_("Chỉ bộ phận điều phối được soạn nội dung báo cáo."))
    text = ReportText.objects.select_for_update().filter(period=period).first()
    if text is None:
        text = ReportText(period=period)
    reason = reason.strip()
    changed: list[tuple[str, str, str]] = []
    errors: dict[str, str] = {}
    for field in FIELDS:
        if field not in values:
            continue
        after, before = _clean(values[field]), getattr(text, field)
        if after == before:
            continue
        label = Field(field).label
        if len(after) > MAX_LENGTH:
            errors[field] = _("Phần “%(part)s” dài quá %(max)s ký tự (hiện có %(n)s).") % {
                "part": label,
                "max": f"{MAX_LENGTH:,}".replace(",", "."),
                "n": f"{len(after):,}".replace(",", "."),
            }
        elif before and not reason:
            errors[field] = _(
                "Phần “%(part)s” đã có nội dung: hãy ghi lý do thay đổi (được lưu trong lịch sử)."
            ) % {"part": label}
        changed.append((field, before, after))
    if errors:
        raise ValidationError(errors)
    if not changed:
        return []
    for field, _before, after in changed:
        setattr(text, field, after)
    text.updated_by = actor
    text.save()
    rows = ReportTextChange.objects.bulk_create(
        ReportTextChange(
            text=text, field=field, before=before, after=after, reason=reason, actor=actor
        )
        for field, before, after in changed
    )
    audit_record(
        AuditKind.PERIOD_CONFIGURED,
        actor=actor,
        target=f"period:{period.code}",
        detail={"report_text": [field for field, _b, _a in changed], "reason": reason},
    )
    return rows


def report_text_history(period: Period) -> list[ReportTextChange]:
    """Every change of the period's text, newest first."""
    return list(
        ReportTextChange.objects.filter(text__period=period)
        .select_related("actor")
        .order_by("-at", "-pk")
    )
