"""Data-quality checks on a submission before it is submitted, each tied to an indicator and
either blocking (an error) or a warning. Impossible values come from the engine's own findings,
so the workspace and the results can never disagree about them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from opendti import numbers
from opendti.assessments.models import Answer, Evidence, EvidenceLink, Submission
from opendti.frameworks.models import Node
from opendti.periods.models import Period
from opendti.scoring.model import PeriodResult

from . import source

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Check:
    node: str  # indicator code
    level: str  # ERROR blocks the submission, WARNING does not
    kind: str
    message: str


def period_span(period: Period) -> tuple[datetime.date, datetime.date]:
    """The dates an evidence document should fall within: the period's assessed window when it
    sets one (Đắk Nông 2023: 01/01/2023 to 20/12/2023), else the assessed year or quarter.

    Without a window, a document from the year before is accepted when the period is annual, as
    plans for a year are usually issued at the end of the previous one."""
    if period.assessed_from is not None and period.assessed_to is not None:
        return period.assessed_from, period.assessed_to
    if period.quarter:
        start = datetime.date(period.year, 3 * period.quarter - 2, 1)
        end_month = 3 * period.quarter
        end = (
            datetime.date(period.year, 12, 31)
            if end_month == 12
            else datetime.date(period.year, end_month + 1, 1) - datetime.timedelta(days=1)
        )
        return start, end
    return datetime.date(period.year - 1, 10, 1), datetime.date(period.year, 12, 31)


def previous_period_result(period: Period) -> PeriodResult | None:
    """The previous period's results (the large-change check compares with them; a period that
    carries values over from another, e.g. the last quarter, is still compared with its previous
    period, as docs/self-assessment.md says)."""
    before = source.previous(period)
    return before.result if before is not None else None


def checks_shown(
    *,
    submissions: list[Submission],
    result: PeriodResult,
    with_previous: bool = True,
) -> dict[int, list[Check]]:
    """The checks people see, for the workspace and the coordinator's dashboard alike (one
    function, so the two pages count the same errors and warnings): every check, with the
    large changes against the previous period. The live preview leaves those out
    (`with_previous=False`); they only warn, so the blocking count is the same."""
    if not submissions:
        return {}
    period = submissions[0].participation.period
    previous = previous_period_result(period) if with_previous else None
    return period_checks(submissions=submissions, result=result, previous=previous)


def submission_checks(
    *,
    submission: Submission,
    result: PeriodResult,
    previous: PeriodResult | None = None,
) -> list[Check]:
    return period_checks(submissions=[submission], result=result, previous=previous)[submission.pk]


def period_checks(
    *,
    submissions: list[Submission],
    result: PeriodResult,
    previous: PeriodResult | None = None,
) -> dict[int, list[Check]]:
    """The checks of several submissions of one period, with a fixed number of queries."""
    if not submissions:
        return {}
    period = submissions[0].participation.period
    nodes = {n.code: n for n in Node.objects.filter(framework=period.framework).exclude(rule="")}
    ids = [s.pk for s in submissions]
    findings: dict[str, list] = {}
    for finding in result.findings:
        findings.setdefault(finding.unit, []).append(finding)
    notes: dict[str, list] = {}
    for note in result.notes:
        notes.setdefault(note.unit, []).append(note)
    linked: dict[int, set[str]] = {}
    for submission_id, code in EvidenceLink.objects.filter(
        evidence__submission__in=ids
    ).values_list("evidence__submission_id", "node__code"):
        linked.setdefault(submission_id, set()).add(code)
    answers: dict[int, list[tuple[str, bool, bool]]] = {}
    for submission_id, code, estimate, carried in Answer.objects.filter(
        submission__in=ids
    ).values_list("submission_id", "node__code", "is_estimate", "carried_over"):
        answers.setdefault(submission_id, []).append((code, estimate, carried))
    evidence: dict[int, list[Evidence]] = {}
    for item in Evidence.objects.filter(submission__in=ids).prefetch_related("links__node"):
        evidence.setdefault(item.submission_id, []).append(item)
    return {
        s.pk: _unit_checks(
            unit=s.participation.unit.code,
            period=period,
            nodes=nodes,
            result=result,
            previous=previous,
            findings=findings.get(s.participation.unit.code, []),
            notes=notes.get(s.participation.unit.code, []),
            linked=linked.get(s.pk, set()),
            answers=answers.get(s.pk, []),
            evidence=evidence.get(s.pk, []),
        )
        for s in submissions
    }


def _unit_checks(
    *, unit, period, nodes, result, previous, findings, notes, linked, answers, evidence
) -> list[Check]:
    own = {code for code, n in nodes.items() if n.source == Node.Source.SELF}
    scores = result.unit(unit).nodes
    applicable = {code for code in own if scores.get(code) is not None}
    checks: list[Check] = []

    for note in notes:
        # An informational value (không tính điểm) not given: the engine's data-quality note,
        # not a finding. Such values are asked for, not required.
        if note.node in applicable:
            checks.append(
                Check(note.node, WARNING, "missing", _("Chưa nhập số liệu (chỉ số tham khảo)."))
            )
    for finding in findings:
        if finding.node not in applicable:
            continue
        if finding.kind == "missing":
            checks.append(Check(finding.node, ERROR, "missing", _("Chưa nhập số liệu.")))
        elif finding.kind == "out_of_bounds":
            checks.append(
                Check(
                    finding.node,
                    ERROR,
                    "out_of_bounds",
                    _("Giá trị %(found)s nằm ngoài giới hạn %(expected)s.")
                    % {"found": _vi(finding.found), "expected": _bounds(finding.expected)},
                )
            )
        elif finding.kind == "ratio_over_100":
            checks.append(
                Check(
                    finding.node,
                    ERROR,
                    "ratio_over_100",
                    _("Tử số lớn hơn mẫu số (tỷ lệ trên 100%%): %(found)s > %(limit)s.")
                    % {
                        "found": _vi(finding.found),
                        "limit": _vi(finding.expected.removeprefix("<=").strip()),
                    },
                )
            )
        else:
            checks.append(Check(finding.node, ERROR, finding.kind, finding.message))

    for code in sorted(applicable, key=lambda c: nodes[c].order):
        if nodes[code].evidence_required and code not in linked:
            checks.append(
                Check(code, ERROR, "evidence_missing", _("Chỉ số bắt buộc có tài liệu kiểm chứng."))
            )

    for code, estimate, carried in answers:
        if code not in applicable:
            continue
        if estimate:
            checks.append(Check(code, WARNING, "estimate", _("Số liệu được đánh dấu là ước tính.")))
        if carried:
            checks.append(
                Check(
                    code, WARNING, "carried_over", _("Số liệu chuyển từ kỳ trước, chưa xác nhận.")
                )
            )

    start, end = period_span(period)
    for item in evidence:
        codes = [link.node.code for link in item.links.all() if link.node.code in applicable]
        for code in codes:
            if item.doc_date and not start <= item.doc_date <= end:
                checks.append(
                    Check(
                        code,
                        WARNING,
                        "evidence_date",
                        _(
                            "Tài liệu “%(title)s” ngày %(date)s nằm ngoài thời gian đánh giá "
                            "(%(start)s – %(end)s)."
                        )
                        % {
                            "title": item.title,
                            "date": item.doc_date.strftime("%d/%m/%Y"),
                            "start": start.strftime("%d/%m/%Y"),
                            "end": end.strftime("%d/%m/%Y"),
                        },
                    )
                )
            if item.carried_over:
                checks.append(
                    Check(
                        code,
                        WARNING,
                        "evidence_carried_over",
                        _("Tài liệu “%(title)s” chuyển từ kỳ trước, chưa xác nhận.")
                        % {"title": item.title},
                    )
                )

    if previous is not None:
        # An unanswered indicator scores zero; it is reported as missing, not as a change.
        unanswered = {c.node for c in checks if c.kind == "missing"}
        checks.extend(_large_changes(unit, nodes, applicable - unanswered, scores, previous))
    return checks


def _large_changes(unit, nodes, applicable, scores, previous: PeriodResult) -> list[Check]:
    try:
        before = previous.unit(unit).nodes
    except KeyError:
        return []
    share = Decimal(settings.OPENDTI_LARGE_CHANGE_PERCENT) / 100
    checks = []
    for code in sorted(applicable, key=lambda c: nodes[c].order):
        now, then = scores.get(code), before.get(code)
        if now is None or then is None or not nodes[code].max_points:
            continue
        if abs(now - then) > share * nodes[code].max_points:
            checks.append(
                Check(
                    code,
                    WARNING,
                    "large_change",
                    _("Điểm thay đổi lớn so với kỳ trước: %(then)s → %(now)s.")
                    % {"then": numbers.vi(then), "now": numbers.vi(now)},
                )
            )
    return checks


def _vi(text: str) -> str:
    """An engine's finding holds plain decimal text (120.5): shown as the pages write it."""
    try:
        return numbers.vi(numbers.check_size(Decimal(text)), trim=True)
    except (ArithmeticError, ValueError):
        return text


def _bounds(text: str) -> str:
    """The engine's "[low, high]" (either may be empty) as "[0; 100]"."""
    low, comma, high = text.strip("[]").partition(",")
    if not comma:
        return text
    return "[" + "; ".join(_vi(part.strip()) if part.strip() else "" for part in (low, high)) + "]"


def blocking_count(checks: list[Check]) -> int:
    return sum(1 for c in checks if c.level == ERROR)
