"""The coordinator's view of a period's self-assessment: one row per participating unit with its
progress, errors and warnings (counted by `checks.checks_shown`, the workspace's own function),
provisional total and status; filtered, searched and sorted as people ask. Reads only."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from opendti.assessments.models import Submission
from opendti.cells import xlsx_append
from opendti.core.vietnamese import search_matches, sort_key
from opendti.periods.models import Participation, Period, Phase, RankingGroup

from . import source
from .checks import blocking_count, checks_shown, period_result_checks, stored_checks

# The status filter's values (in the page's address): the submission's, and "late".
OVERDUE = "qua-han"
STATUSES = (Submission.Status.DRAFT, Submission.Status.SUBMITTED, OVERDUE)


@dataclass(frozen=True)
class ProgressRow:
    participation: Participation
    submission: Submission
    applicable: int  # the unit's own indicators that apply to it
    answered: int
    missing: int
    errors: int
    warnings: int
    total: Decimal | None
    overdue: bool

    @property
    def unit(self):
        return self.participation.unit

    @property
    def submitted(self) -> bool:
        return self.submission.status == Submission.Status.SUBMITTED

    @property
    def submitted_at(self) -> datetime.datetime | None:
        """When the standing submission was sent: none once it is recalled or reopened."""
        return self.submission.submitted_at if self.submitted else None

    @property
    def group_code(self) -> str:
        group = self.participation.group
        return group.code if group else ""


def period_progress(period: Period, *, on: datetime.date) -> list[ProgressRow]:
    """Every participating unit's row, in the period's order of participants. Units without a
    submission row yet (none should be: they are created when a unit joins) are left out."""
    phase = period.phase(Phase.Kind.SELF_ASSESSMENT)
    computed = source.settled(period)
    result = computed.result
    # The period and its few ranking groups are read once and shared by every row, not made
    # again for each of thousands of participants by a join.
    participations = list(
        Participation.objects.filter(period=period).select_related("unit").order_by("order", "pk")
    )
    groups = RankingGroup.objects.in_bulk({p.group_id for p in participations if p.group_id})
    saved = {s.participation_id: s for s in Submission.objects.filter(participation__period=period)}
    submissions = []
    for participation in participations:
        participation.period = period
        participation.group = groups.get(participation.group_id)
        # A participant without its row yet (made as a unit joins: assessments' Participation
        # receiver; a restore of older data may lack it) reads as an empty draft: a page that
        # only reads writes nothing.
        submission = saved.get(participation.pk) or Submission(participation=participation)
        submission.participation = participation
        submissions.append(submission)
    # The same checks as the workspace's `checks_shown`, with what follows from the results
    # alone kept per results revision (results.checks.stored_checks).
    checks = stored_checks(
        period=period, submissions=[s for s in submissions if s.pk], computed=computed
    )
    derived = period_result_checks(period, computed)
    late = phase is not None and on > phase.ends_on
    rows = []
    for submission in submissions:
        unit = submission.participation.unit.code
        unit_result = result.unit(unit)
        if submission.pk:
            found = checks[submission.pk]
        else:
            found = next(iter(checks_shown(submissions=[submission], result=result).values()))
        errors = blocking_count(found)
        missing = sum(1 for c in found if c.kind == "missing")
        applicable = derived[unit].applicable
        reopened = submission.reopened_until is not None and on <= submission.reopened_until
        rows.append(
            ProgressRow(
                participation=submission.participation,
                submission=submission,
                applicable=applicable,
                answered=applicable - missing,
                missing=missing,
                errors=errors,
                warnings=len(found) - errors,
                total=unit_result.total,
                overdue=late and submission.status != Submission.Status.SUBMITTED and not reopened,
            )
        )
    return rows


def _by_status(rows: Iterable[ProgressRow], status: str) -> list[ProgressRow]:
    if status == OVERDUE:
        return [r for r in rows if r.overdue]
    return [r for r in rows if r.submission.status == status]


def _missing_last(value: Any) -> tuple[bool, Any]:
    return value is None, value if value is not None else 0


_STATUS_ORDER: dict[str, int] = {Submission.Status.DRAFT: 0, Submission.Status.SUBMITTED: 1}
# The sort keys in the page's address (Vietnamese, like the public ranking's "sap-xep").
SORTS: dict[str, Callable[[ProgressRow], Any]] = {
    "ten": lambda r: sort_key(r.unit.name),
    "trang-thai": lambda r: (not r.overdue, _STATUS_ORDER.get(r.submission.status, 9)),
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
    groups = {
        r.participation.group.code: r.participation.group.name
        for r in rows
        if r.participation.group is not None
    }
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
                row.participation.group.name if row.participation.group else "",
                str(row.submission.get_status_display()),
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
