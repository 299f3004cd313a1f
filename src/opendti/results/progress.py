"""The coordinator's view of a period's self-assessment: one row per participating unit with its
progress, errors and warnings (counted by `checks.checks_shown`, the workspace's own function),
provisional total and status; filtered, searched and sorted as people ask. Reads only."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any, NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from opendti.assessments.models import Submission
from opendti.cells import xlsx_append
from opendti.core.vietnamese import SortKey, search_matches, sort_key
from opendti.periods.models import Participation, Period, Phase

from . import source
from .checks import blocking_count, period_result_checks, stored_unit_checks

# The status filter's values (in the page's address): the submission's, and "late".
OVERDUE = "qua-han"
STATUSES = (Submission.Status.DRAFT, Submission.Status.SUBMITTED, OVERDUE)


class ProgressUnit(NamedTuple):
    code: str
    name: str


@dataclass(frozen=True)
class ProgressRow:
    """One unit's row, as values: a national period has thousands, read on every request."""

    unit: ProgressUnit
    group_code: str  # the unit's ranking group in the period ("" without one)
    group_name: str
    status: str  # its submission's (a draft when it has no submission row yet)
    sent_at: datetime.datetime | None  # the submission's `submitted_at`
    reopened_until: datetime.date | None
    applicable: int  # the unit's own indicators that apply to it
    answered: int
    missing: int
    errors: int
    warnings: int
    total: Decimal | None
    overdue: bool

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def submitted(self) -> bool:
        return self.status == Submission.Status.SUBMITTED

    @property
    def submitted_at(self) -> datetime.datetime | None:
        """When the standing submission was sent: none once it is recalled or reopened."""
        return self.sent_at if self.submitted else None


STATUS_LABELS = dict(Submission.Status.choices)


def period_progress(period: Period, *, on: datetime.date) -> list[ProgressRow]:
    """Every participating unit's row, in the period's order of participants. A participant
    without its submission row (made as a unit joins: assessments' Participation receiver; a
    restore of older data may lack it) reads as an empty draft: a page that only reads writes
    nothing."""
    phase = period.phase(Phase.Kind.SELF_ASSESSMENT)
    computed = source.settled(period)
    result = computed.result
    # Values, not model instances: 3,400 participants, units and submissions made into objects
    # on every request cost more than everything else the page does, and their garbage makes
    # the collector walk the whole process (the kept national results included) again.
    participants = list(
        Participation.objects.filter(period=period)
        .order_by("order", "pk")
        .values_list("pk", "unit__code", "unit__name", "group__code", "group__name")
    )
    states = {
        participation: (pk, status, sent_at, reopened_until)
        for participation, pk, status, sent_at, reopened_until in Submission.objects.filter(
            participation__period=period
        ).values_list("participation_id", "pk", "status", "submitted_at", "reopened_until")
    }
    # The same checks as the workspace's `checks_shown`, with what follows from the results
    # alone kept per results revision (results.checks.stored_checks).
    checks = stored_unit_checks(
        period=period,
        units={states[p[0]][0]: p[1] for p in participants if p[0] in states},
        computed=computed,
    )
    derived = period_result_checks(period, computed)
    late = phase is not None and on > phase.ends_on
    draft = (None, Submission.Status.DRAFT, None, None)
    rows = []
    for participation, code, name, group_code, group_name in participants:
        submission, status, sent_at, reopened_until = states.get(participation, draft)
        kept = derived[code]
        found = checks[submission] if submission is not None else kept.without_records()
        errors = blocking_count(found)
        missing = sum(1 for c in found if c.kind == "missing")
        reopened = reopened_until is not None and on <= reopened_until
        rows.append(
            ProgressRow(
                unit=ProgressUnit(code, name),
                group_code=group_code or "",
                group_name=group_name or "",
                status=status,
                sent_at=sent_at,
                reopened_until=reopened_until,
                applicable=kept.applicable,
                answered=kept.applicable - missing,
                missing=missing,
                errors=errors,
                warnings=len(found) - errors,
                total=result.unit(code).total,
                overdue=late and status != Submission.Status.SUBMITTED and not reopened,
            )
        )
    return rows


def _by_status(rows: Iterable[ProgressRow], status: str) -> list[ProgressRow]:
    if status == OVERDUE:
        return [r for r in rows if r.overdue]
    return [r for r in rows if r.status == status]


def _missing_last(value: Any) -> tuple[bool, Any]:
    return value is None, value if value is not None else 0


_STATUS_ORDER: dict[str, int] = {Submission.Status.DRAFT: 0, Submission.Status.SUBMITTED: 1}


@functools.lru_cache(maxsize=4096)
def _name_key(name: str) -> SortKey:
    """A unit name's Vietnamese sort key, kept: every dashboard request orders every unit of the
    period by name (3,400 keys at national scale, each a walk over the name's letters). A name is
    its own key, so a kept key is never stale; 4,096 keys hold a national period's communes."""
    return sort_key(name)


# The sort keys in the page's address (Vietnamese, like the public ranking's "sap-xep").
SORTS: dict[str, Callable[[ProgressRow], Any]] = {
    "ten": lambda r: _name_key(r.unit.name),
    "trang-thai": lambda r: (not r.overdue, _STATUS_ORDER.get(r.status, 9)),
    "da-nhap": lambda r: (r.answered, r.applicable),
    "chua-nhap": lambda r: r.missing,
    "loi": lambda r: r.errors,
    "canh-bao": lambda r: r.warnings,
    "diem": lambda r: _missing_last(r.total),
    "gui-luc": lambda r: _missing_last(r.submitted_at),
}


@dataclass(frozen=True)
class ProgressQuery:
    status: str = ""
    group: str = ""
    search: str = ""
    sort: str = "ten"
    descending: bool = False

    @classmethod
    def from_params(cls, params) -> ProgressQuery:
        """From the page's address; unknown values fall back to "everything, by name"."""
        status = params.get("trang-thai", "")
        sort = params.get("sap-xep", "ten")
        return cls(
            status=status if status in STATUSES else "",
            group=params.get("nhom", ""),
            search=" ".join(params.get("q", "").split())[:200],
            sort=sort if sort in SORTS else "ten",
            descending=params.get("chieu") == "giam",
        )


def progress_select(rows: list[ProgressRow], query: ProgressQuery) -> list[ProgressRow]:
    """The rows the query asks for, in its order; ties always by name, in Vietnamese order."""
    chosen = rows
    if query.status:
        chosen = _by_status(chosen, query.status)
    if query.group:
        chosen = [r for r in chosen if r.group_code == query.group]
    if query.search:
        chosen = [
            r
            for r in chosen
            if search_matches(r.unit.name, query.search) or query.search in r.unit.code
        ]
    chosen = sorted(chosen, key=SORTS["ten"])
    if query.sort != "ten" or query.descending:
        chosen.sort(key=SORTS[query.sort], reverse=query.descending)
    return chosen


def progress_groups(rows: Iterable[ProgressRow]) -> list[tuple[str, str]]:
    """The ranking groups present, as (code, name), in Vietnamese order of their names."""
    groups = {r.group_code: r.group_name for r in rows if r.group_code}
    return sorted(groups.items(), key=lambda pair: sort_key(pair[1]))


def progress_xlsx(period: Period, rows: list[ProgressRow]) -> bytes:
    """The rows as the page shows them, as an Excel file (every cell through opendti.cells;
    scores and counts stay numbers so that a spreadsheet sums them)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Tiến độ")[:31]
    xlsx_append(sheet, [_("Tiến độ tự đánh giá"), period.title])
    header = [
        _("Mã đơn vị"),
        _("Đơn vị"),
        _("Nhóm xếp hạng"),
        _("Trạng thái"),
        _("Quá hạn"),
        _("Đã nhập"),
        _("Số chỉ số phải nhập"),
        _("Chưa nhập"),
        _("Lỗi"),
        _("Cảnh báo"),
        _("Tổng điểm (tạm tính)"),
        _("Gửi lúc"),
    ]
    xlsx_append(sheet, header)
    for row in rows:
        sent = row.submitted_at
        xlsx_append(
            sheet,
            [
                row.unit.code,
                row.unit.name,
                row.group_name,
                row.status_label,
                _("Có") if row.overdue else _("Không"),
                row.answered,
                row.applicable,
                row.missing,
                row.errors,
                row.warnings,
                row.total,
                timezone.localtime(sent).strftime("%H:%M %d/%m/%Y") if sent else "",
            ],
        )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
