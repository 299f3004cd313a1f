"""Data-quality checks on a submission before it is submitted, each tied to an indicator and
either blocking (an error) or a warning. Impossible values come from the engine's own findings,
so the workspace and the results can never disagree about them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from opendti import numbers
from opendti.assessments.models import Answer, Evidence, EvidenceLink, Submission
from opendti.frameworks.models import Node
from opendti.periods.models import Period
from opendti.scoring.model import PeriodResult

from . import derived, source

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
    frame = _frame(period)
    units = [(s.pk, s.participation.unit.code) for s in submissions]
    derived = _result_checks(frame, result, previous, {unit for _, unit in units})
    return _with_records(period, frame, result, units, derived)


def stored_checks(
    *, period: Period, submissions: list[Submission], computed: source.Computed
) -> dict[int, list[Check]]:
    """`checks_shown` of the stored results `computed` (with the large changes), for many units
    at once (the coordinator's dashboard). What follows from the results alone is kept per
    results revision (`period_result_checks`); what the submissions' own records say (evidence,
    estimates, carried-over values: none of them raises the revision) is read on every call."""
    units = {s.pk: s.participation.unit.code for s in submissions}
    return stored_unit_checks(period=period, units=units, computed=computed)


def stored_unit_checks(
    *, period: Period, units: Mapping[int, str], computed: source.Computed
) -> dict[int, list[Check]]:
    """`stored_checks` of submissions given by id, with their unit's code (the dashboard reads
    thousands of them as values, not as model instances)."""
    if not units:
        return {}
    frame = _frame(period)
    derived = _kept_result_checks(period, frame, computed)
    return _with_records(period, frame, computed.result, list(units.items()), derived)


def period_result_checks(period: Period, computed: source.Computed) -> dict[str, ResultChecks]:
    """Every unit's checks that follow from the stored results `computed` alone, by unit code."""
    return _kept_result_checks(period, _frame(period), computed)


@dataclass(frozen=True)
class ResultChecks:
    """A unit's checks that follow from the results alone (engine's notes and findings, which
    indicators apply, which of them need evidence, the large changes): the same for every
    request of one results revision."""

    head: tuple[Check, ...]  # the engine's notes and findings on applicable indicators
    required: tuple[Check, ...]  # "evidence missing" of each applicable indicator needing it
    tail: tuple[Check, ...]  # the large changes against the previous period
    applicable: int  # how many of the unit's own indicators apply to it

    def without_records(self) -> list[Check]:
        """The checks of a unit whose submission holds no record yet (no row at all)."""
        return [*self.head, *self.required, *self.tail]


@dataclass(frozen=True)
class _Indicator:
    code: str
    order: int
    max_points: Decimal
    evidence_required: bool


@dataclass(frozen=True)
class _Frame:
    """The period's scored indicators as the checks read them, read once per call."""

    own: tuple[_Indicator, ...]  # the units' own (self-reported) indicators, in order
    fingerprint: tuple  # everything above: part of the kept checks' key


def _frame(period: Period) -> _Frame:
    rows = sorted(
        Node.objects.filter(framework=period.framework, source=Node.Source.SELF)
        .exclude(rule="")
        .values_list("order", "code", "max_points", "evidence_required"),
        key=lambda row: row[0],  # a stable sort: ties keep the database's order, as before
    )
    own = tuple(_Indicator(code, order, points, required) for order, code, points, required in rows)
    return _Frame(own, tuple(rows))


def _kept_result_checks(
    period: Period, frame: _Frame, computed: source.Computed
) -> dict[str, ResultChecks]:
    """`_result_checks` of every unit, kept in this process (results.derived) by what it depends
    on: the results (their key holds the period's revision, or the snapshot's rows hash), the
    previous period's results (likewise), the indicators as read now, the threshold and the
    language of the messages. Nothing else goes into them, so a kept value is never stale; and,
    as results are, nothing worked out inside a transaction is kept (store.keep)."""
    before = source.previous(period)
    previous = before.result if before is not None else None

    def build() -> dict[str, ResultChecks]:
        units = {u.code for u in computed.result.units}
        return _result_checks(frame, computed.result, previous, units)

    extra = (
        before.key if before is not None else None,
        frame.fingerprint,
        settings.OPENDTI_LARGE_CHANGE_PERCENT,
    )
    return derived.kept(computed.key, "checks", build, extra=extra)


def _result_checks(
    frame: _Frame, result: PeriodResult, previous: PeriodResult | None, units: set[str]
) -> dict[str, ResultChecks]:
    """What `units` are told from the results alone. Per period, not per unit: the messages are
    translated once and each indicator's threshold of a large change is worked out once."""
    messages = _Messages()
    findings: dict[str, list] = {}
    for finding in result.findings:
        if finding.unit in units:
            findings.setdefault(finding.unit, []).append(finding)
    notes: dict[str, list] = {}
    for note in result.notes:
        if note.unit in units:
            notes.setdefault(note.unit, []).append(note)
    evidence = {
        i.code: Check(i.code, ERROR, "evidence_missing", messages.evidence) for i in frame.own
    }
    # A change larger than this share of an indicator's points is large; none without points.
    share = Decimal(settings.OPENDTI_LARGE_CHANGE_PERCENT) / 100
    limits = [(i.code, share * i.max_points) for i in frame.own if i.max_points]
    empty: tuple[Check, ...] = ()
    derived = {}
    for unit in units:
        scores = result.unit(unit).nodes
        applicable = [i for i in frame.own if scores.get(i.code) is not None]
        codes = {i.code for i in applicable}
        head = _engine_checks(notes.get(unit, ()), findings.get(unit, ()), codes, messages)
        required = tuple(evidence[i.code] for i in applicable if i.evidence_required)
        tail = empty
        if previous is not None:
            # An unanswered indicator scores zero; it is reported as missing, not as a change.
            unanswered = {c.node for c in head if c.kind == "missing"}
            tail = _large_changes(unit, limits, codes - unanswered, scores, previous, messages)
        derived[unit] = ResultChecks(head or empty, required or empty, tail, len(applicable))
    return derived


class _Messages:
    """The fixed messages, translated once per computation rather than once per check."""

    def __init__(self) -> None:
        self.informational = _("Chưa nhập số liệu (chỉ số tham khảo).")
        self.missing = _("Chưa nhập số liệu.")
        self.evidence = _("Chỉ số bắt buộc có tài liệu kiểm chứng.")
        self.estimate = _("Số liệu được đánh dấu là ước tính.")
        self.carried_over = _("Số liệu chuyển từ kỳ trước, chưa xác nhận.")
        self.bounds = _("Giá trị %(found)s nằm ngoài giới hạn %(expected)s.")
        self.ratio = _("Tử số lớn hơn mẫu số (tỷ lệ trên 100%%): %(found)s > %(limit)s.")
        self.large = _("Điểm thay đổi lớn so với kỳ trước: %(then)s → %(now)s.")


def _engine_checks(notes, findings, applicable: set[str], messages: _Messages) -> tuple[Check, ...]:
    checks: list[Check] = []
    for note in notes:
        # An informational value (không tính điểm) not given: the engine's data-quality note,
        # not a finding. Such values are asked for, not required.
        if note.node in applicable:
            checks.append(Check(note.node, WARNING, "missing", messages.informational))
    for finding in findings:
        if finding.node not in applicable:
            continue
        if finding.kind == "missing":
            checks.append(Check(finding.node, ERROR, "missing", messages.missing))
        elif finding.kind == "out_of_bounds":
            found = {"found": _vi(finding.found), "expected": _bounds(finding.expected)}
            checks.append(Check(finding.node, ERROR, "out_of_bounds", messages.bounds % found))
        elif finding.kind == "ratio_over_100":
            found = {
                "found": _vi(finding.found),
                "limit": _vi(finding.expected.removeprefix("<=").strip()),
            }
            checks.append(Check(finding.node, ERROR, "ratio_over_100", messages.ratio % found))
        else:
            checks.append(Check(finding.node, ERROR, finding.kind, finding.message))
    return tuple(checks)


def _large_changes(
    unit: str,
    limits: list[tuple[str, Decimal]],
    applicable: set[str],
    scores,
    previous: PeriodResult,
    messages: _Messages,
) -> tuple[Check, ...]:
    try:
        before = previous.unit(unit).nodes
    except KeyError:
        return ()
    checks = []
    for code, limit in limits:
        if code not in applicable:
            continue
        now, then = scores.get(code), before.get(code)
        if now is None or then is None:
            continue
        if abs(now - then) > limit:
            shown = {"then": numbers.vi(then), "now": numbers.vi(now)}
            checks.append(Check(code, WARNING, "large_change", messages.large % shown))
    return tuple(checks)


def _with_records(
    period: Period,
    frame: _Frame,
    result: PeriodResult,
    units: list[tuple[int, str]],
    derived: dict[str, ResultChecks],
) -> dict[int, list[Check]]:
    """The results' checks of each submission with what its own records say, in the order the
    workspace lists them: the engine's, evidence missing, estimates and carried-over values,
    evidence dates, large changes."""
    ids = [pk for pk, _ in units]
    # Many submissions: the period's rows (one join) rather than thousands of ids in a query.
    scope = (
        {"submission__participation__period": period}
        if len(ids) > MANY
        else {"submission__in": ids}
    )
    linked: dict[int, set[str]] = {}
    for submission_id, code in EvidenceLink.objects.filter(
        **{f"evidence__{k}": v for k, v in scope.items()}
    ).values_list("evidence__submission_id", "node__code"):
        linked.setdefault(submission_id, set()).add(code)
    answers: dict[int, list[tuple[str, bool, bool]]] = {}
    # Only the flagged answers say anything: the rest (nearly all of them) are not read.
    for submission_id, code, estimate, carried in (
        Answer.objects.filter(**scope)
        .filter(Q(is_estimate=True) | Q(carried_over=True))
        .values_list("submission_id", "node__code", "is_estimate", "carried_over")
    ):
        answers.setdefault(submission_id, []).append((code, estimate, carried))
    evidence: dict[int, list[Evidence]] = {}
    for item in Evidence.objects.filter(**scope).prefetch_related("links__node"):
        evidence.setdefault(item.submission_id, []).append(item)
    messages = _Messages()
    span = period_span(period)
    own = [i.code for i in frame.own]
    shown: dict[int, list[Check]] = {}
    for pk, unit in units:
        found = derived[unit]
        checks = list(found.head)
        if found.required:
            has = linked.get(pk, ())
            checks.extend(c for c in found.required if c.node not in has)
        if pk in answers or pk in evidence:
            scores = result.unit(unit).nodes
            applicable = {code for code in own if scores.get(code) is not None}
            checks.extend(_answer_checks(answers.get(pk, ()), applicable, messages))
            checks.extend(_evidence_checks(evidence.get(pk, ()), applicable, span))
        checks.extend(found.tail)
        shown[pk] = checks
    return shown


MANY = 50  # submissions above which the records are read by period


def _answer_checks(answers, applicable: set[str], messages: _Messages) -> list[Check]:
    checks = []
    for code, estimate, carried in answers:
        if code not in applicable:
            continue
        if estimate:
            checks.append(Check(code, WARNING, "estimate", messages.estimate))
        if carried:
            checks.append(Check(code, WARNING, "carried_over", messages.carried_over))
    return checks


def _evidence_checks(evidence, applicable: set[str], span) -> list[Check]:
    start, end = span
    checks = []
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
