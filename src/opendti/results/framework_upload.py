"""A framework version imported from the coordinator's console (docs/console.md): upload, preview
of the difference from the period's current version, confirm. All of it or nothing.

The uploaded file is kept in the default storage under its SHA-256 between the two steps; the
confirming form carries only that digest, and the server reads, checks and compares the stored
bytes again (nothing the browser sends back is trusted). The preview builds the new version inside
a transaction that is rolled back, so the difference is computed by frameworks.diff exactly as
for two stored versions, and confirming writes the same rows again.

Here rather than in frameworks: the upload's bounds (size, type, unpacked size) are the
assessments app's upload gate, and the period is changed along with the import.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from opendti.assessments.uploads import UploadRejected, upload_check
from opendti.core.storage import storage, stored_exists, stored_sha256
from opendti.frameworks.diff import Change, framework_diff
from opendti.frameworks.exchange import framework_check, framework_create, read_framework_xlsx
from opendti.frameworks.exchange.messages import message_text
from opendti.frameworks.models import Framework
from opendti.periods.models import Period
from opendti.workbook.errors import CellError, WorkbookError

from .framework_switch import period_for_framework_switch, period_framework_switch

STORE = "default"
FOLDER = "framework-imports"
MAX_BYTES = 5 * 1024 * 1024
DIGEST_LENGTH = 64


def _stored_name(token: str) -> str:
    if len(token) != DIGEST_LENGTH or any(c not in "0123456789abcdef" for c in token):
        raise ValidationError(_("Mã tệp tải lên không hợp lệ: hãy tải tệp lên lại."))
    return f"{FOLDER}/{token}.xlsx"


def framework_upload_store(*, file: Any, name: str) -> str:
    """Keep an uploaded framework file (XLSX, within the size bounds); its SHA-256, the token
    the preview and the confirmation name it by."""
    try:
        checked = upload_check(file, name=name, max_bytes=MAX_BYTES)
    except UploadRejected as rejected:
        raise ValidationError(str(rejected)) from None
    if checked.kind != "xlsx":
        raise ValidationError(_("Hãy tải lên tệp bộ chỉ số dạng Excel (.xlsx)."))
    store = storage(STORE)
    stored = _stored_name(checked.sha256)
    if not stored_exists(store, stored):
        file.seek(0)
        store.save(stored, ContentFile(file.read()))
    return checked.sha256


@dataclass(frozen=True)
class Line:
    part: str
    kind: str
    code: str
    text: str


@dataclass
class FrameworkPlan:
    token: str
    current: Framework
    code: str = ""
    name: str = ""
    version: int = 0  # the version the file would become
    nodes: int = 0
    errors: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # by kind of change

    @property
    def ok(self) -> bool:
        return not self.errors


def error_text(error: CellError) -> str:
    """A file's error with its place in Vietnamese (sheet, row, column)."""
    place = _("Trang “%(sheet)s”") % {"sheet": error.sheet}
    if error.row is not None:
        place += _(", dòng %(row)d") % {"row": error.row}
    if error.column:
        column = f"{error.letter} " if error.letter else ""
        place += _(", cột %(column)s“%(name)s”") % {"column": column, "name": error.column}
    return f"{place}: {message_text(error.message)}"


class _Rollback(Exception):
    pass


def _read(token: str) -> Any:
    store = storage(STORE)
    stored = _stored_name(token)
    if not stored_exists(store, stored) or stored_sha256(store, stored) != token:
        raise ValidationError(
            _("Không còn tệp đã tải lên (hoặc tệp đã bị thay đổi): hãy tải lên lại.")
        )
    with store.open(stored, "rb") as handle:
        content = handle.read()
    return framework_check(read_framework_xlsx(io.BytesIO(content), "framework.xlsx"), code=None)


def framework_upload_plan(*, period: Period, token: str) -> FrameworkPlan:
    """What importing the stored file would do: its errors (then nothing can be confirmed), or
    the new version's differences from the period's current framework version."""
    current = period.framework
    plan = FrameworkPlan(token=token, current=current)
    try:
        checked = _read(token)
    except WorkbookError as error:
        plan.errors = [error_text(e) for e in error.errors]
        return plan
    if checked.meta.code != current.code or checked.meta.level != current.level.code:
        plan.errors.append(
            _(
                "Trang “meta”: tệp là bộ chỉ số “%(code)s” cấp “%(level)s”, không phải “%(ours)s” "
                "cấp “%(our_level)s” của kỳ này (sửa dòng code và level)."
            )
            % {
                "code": checked.meta.code,
                "level": checked.meta.level,
                "ours": current.code,
                "our_level": current.level.code,
            }
        )
        return plan
    try:
        with transaction.atomic():
            new = framework_create(checked)
            diff = framework_diff(current, new)
            plan.code, plan.name, plan.version = new.code, new.name, new.version
            plan.nodes = new.nodes.count()
            plan.lines = [Line(c.part, c.kind, c.code, str(c)) for c in diff.entries]
            raise _Rollback  # a preview writes nothing
    except _Rollback:
        pass
    plan.counts = dict(Counter(line.kind for line in plan.lines))
    return plan


@transaction.atomic
def framework_upload_confirm(
    *, period: Period, token: str, actor: Any, seen_framework: int
) -> Framework:
    """Import the stored file as a new version of the period's framework, and give the period
    that version (it has not opened: no unit has entered anything). Refused when the period's
    framework changed since the preview (another import), or the file no longer checks."""
    period = period_for_framework_switch(
        period=period,
        seen_framework=seen_framework,
        stale=_(
            "Bộ chỉ số của kỳ vừa được thay đổi sau khi xem trước: hãy tải tệp lên lại để "
            "xem khác biệt so với phiên bản hiện tại."
        ),
    )
    try:
        checked = _read(token)
    except WorkbookError as error:
        raise ValidationError([error_text(e) for e in error.errors]) from None
    old = period.framework
    if checked.meta.code != old.code or checked.meta.level != old.level.code:
        raise ValidationError(_("Tệp không phải bộ chỉ số của kỳ này."))
    new = framework_create(checked)
    # The kept upload has served: removed once the import is committed (its digest stays in the
    # history row; the new version itself is the record of what was imported).
    transaction.on_commit(lambda: storage(STORE).delete(_stored_name(token)))
    period_framework_switch(period=period, new=new, actor=actor, detail={"sha256": token})
    return new


def change_kinds() -> dict[str, str]:
    """The words for the kinds of change, for the preview's summary."""
    return {
        "added": _("thêm mới"),
        "removed": _("bỏ"),
        "renamed": _("đổi tên"),
        "repointed": _("đổi chỉ số cha"),
        "recoded": _("đổi mã"),
        "changed": _("thay đổi"),
    }


__all__ = [
    "Change",
    "FrameworkPlan",
    "framework_upload_confirm",
    "framework_upload_plan",
    "framework_upload_store",
]
