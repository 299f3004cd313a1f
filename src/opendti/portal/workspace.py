"""The unit workspace as the page shows it: main indices as sections, each indicator with its
inputs, current values, score, checks, evidence and progress; once the period is past
self-assessment, also the appraisal as the unit sees it (reviewers' decisions, requests to answer,
own against final scores, objections, the published result). Reads only."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opendti import numbers
from opendti.appraisal.models import Decision, Explanation, Objection
from opendti.appraisal.services.objections import OBJECTING_ROLES
from opendti.assessments import history_codes
from opendti.assessments.access import (
    Action,
    can,
    submission_deadline,
    submission_is_open,
    today,
    unit_roles,
)
from opendti.assessments.forms import box_text, value_display
from opendti.assessments.models import (
    Answer,
    AppraisedScore,
    Change,
    Evidence,
    IndexAssignment,
    InputValue,
    Submission,
)
from opendti.assessments.services import Field, indicator_fields, previous_submission
from opendti.frameworks.models import Node
from opendti.periods.models import Membership, Period
from opendti.publication.models import Snapshot
from opendti.publication.services import published_snapshot
from opendti.results import source
from opendti.results.checks import ERROR, Check, checks_shown
from opendti.results.preview import Overrides, unit_preview
from opendti.scoring.model import UnitResult

from . import history_text


@dataclass
class IndicatorView:
    node: Node
    fields: list[tuple[Field, str]]
    answer: Answer | None
    score: Decimal | None
    checks: list[Check]
    evidence: list[Evidence]
    editable: bool
    applicable: bool
    # The appraisal (empty during self-assessment).
    explaining: bool = False  # a reviewer's request opened this indicator again, until its date
    may_edit: bool = False  # the user may edit this indicator (role), whatever the lock says
    own_score: Decimal | None = None  # from the unit's values, before the appraisal
    final_score: Decimal | None = None  # after the appraisal (or as published)
    decisions: list[Decision] = field(default_factory=list)  # every round, superseded ones too
    requests: list[Decision] = field(default_factory=list)  # requests the unit may answer now
    objections: list[Objection] = field(default_factory=list)
    can_object: bool = False
    invalid: set[str] = field(default_factory=set)  # inputs a refused save marks

    @property
    def answering(self) -> bool:
        """The user may write an explanation (and add evidence) for this indicator now."""
        return bool(self.requests) and self.may_edit

    @property
    def evidence_editable(self) -> bool:
        return self.editable or self.answering

    @property
    def adjusted(self) -> bool:
        return self.final_score != self.own_score

    @property
    def answered(self) -> bool:
        return bool(self.fields) and all(value != "" for _, value in self.fields)

    @property
    def blocking(self) -> bool:
        return any(c.level == ERROR for c in self.checks)

    @property
    def version(self) -> int:
        return self.answer.version if self.answer else 0


@dataclass
class SectionView:
    node: Node
    score: Decimal | None
    indicators: list[IndicatorView] = field(default_factory=list)
    assignee: object | None = None

    def _own(self) -> list[IndicatorView]:
        return [i for i in self.indicators if i.applicable and i.node.source == Node.Source.SELF]

    @property
    def answered(self) -> int:
        return sum(1 for i in self._own() if i.answered)

    @property
    def total(self) -> int:
        return len(self._own())

    @property
    def evidence_required(self) -> int:
        return sum(1 for i in self._own() if i.node.evidence_required)

    @property
    def evidence_attached(self) -> int:
        return sum(1 for i in self._own() if i.node.evidence_required and i.evidence)

    @property
    def passing(self) -> int:
        return sum(1 for i in self._own() if not i.blocking)


def _main_of(node: Node, by_pk: dict[int, Node]) -> Node | None:
    while node.kind != Node.Kind.MAIN and node.parent_id is not None:
        node = by_pk[node.parent_id]
    return node if node.kind == Node.Kind.MAIN else None


def request_answerable(decision: Decision, on: datetime.date) -> bool:
    """A reviewer's request the unit may still answer (the explain service's own conditions)."""
    return (
        decision.kind == Decision.Kind.REQUEST
        and decision.state in (Decision.State.OPEN, Decision.State.ANSWERED)
        and decision.due_on is not None
        and decision.due_on >= on
    )


Row = TypeVar("Row", Decision, Objection)


def _by_node(rows: Iterable[Row]) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row.node_id, []).append(row)
    return grouped


def _own_result(period: Period, unit_code: str, final: UnitResult) -> UnitResult:
    """The unit's own scores (from its values alone). Only settled appraised scores make them
    differ from the final ones, so the period is scored a second time only when there are some."""
    if not AppraisedScore.objects.filter(submission__participation__period=period).exists():
        return final
    return source.provisional(period).result.unit(unit_code)


def _published_result(snapshot: Snapshot, unit_code: str) -> UnitResult | None:
    """The unit's result as frozen in the published snapshot (cached per snapshot)."""
    try:
        frozen = source.frozen(snapshot.period, snapshot)
        return frozen.result.unit(unit_code) if frozen is not None else None
    except KeyError:
        return None


def workspace_build(
    *, submission: Submission, user, overrides: Overrides | None = None, with_previous: bool = True
) -> dict:
    participation = submission.participation
    period = participation.period
    unit = participation.unit.code
    _, result = unit_preview(period=period, unit_code=unit, overrides=overrides)
    unit_result = result.unit(unit)
    checks = checks_shown(submissions=[submission], result=result, with_previous=with_previous)[
        submission.pk
    ]
    carry_source = previous_submission(submission)
    nodes = list(Node.objects.filter(framework=period.framework).prefetch_related("inputs"))
    by_pk = {n.pk: n for n in nodes}
    by_code = {n.code: n for n in nodes}
    values: dict[int, dict[str, str]] = {}
    for node_id, name, value in InputValue.objects.filter(submission=submission).values_list(
        "node_id", "input_name", "value"
    ):
        values.setdefault(node_id, {})[name] = value
    for code, inputs in (overrides or {}).items():
        node = next((n for n in nodes if n.code == code), None)
        if node is not None:
            values[node.pk] = dict(inputs)
    answers = {
        a.node_id: a
        for a in Answer.objects.filter(submission=submission).select_related("updated_by")
    }
    evidence_by_node: dict[int, list[Evidence]] = {}
    evidence = list(Evidence.objects.filter(submission=submission).prefetch_related("links"))
    for item in evidence:
        for link in item.links.all():
            evidence_by_node.setdefault(link.node_id, []).append(item)
    assignments = {
        a.node_id: a.user
        for a in IndexAssignment.objects.filter(submission=submission).select_related("user")
    }
    checks_by_node: dict[str, list[Check]] = {}
    for check in checks:
        checks_by_node.setdefault(check.node, []).append(check)
    is_open = submission_is_open(submission) and submission.status == Submission.Status.DRAFT

    # The appraisal as the unit sees it: a fixed number of queries for the whole submission.
    on = today()
    appraising = period.status != Period.Status.SELF_ASSESSMENT
    decisions: dict[int, list[Decision]] = {}
    objections: dict[int, list[Objection]] = {}
    own_result = final_result = unit_result
    snapshot = None
    if appraising:
        decisions = _by_node(
            Decision.objects.filter(submission=submission)
            .select_related("round", "reviewer", "second_reviewer")
            .prefetch_related(
                Prefetch("explanations", queryset=Explanation.objects.select_related("author"))
            )
        )
        objections = _by_node(
            Objection.objects.filter(submission=submission).select_related("author", "answered_by")
        )
        if overrides is None:  # a live preview shows the typed score only
            own_result = _own_result(period, unit, unit_result)
        snapshot = published_snapshot(period)
        if snapshot is not None:
            final_result = _published_result(snapshot, unit) or unit_result

    roles = unit_roles(user, participation)
    objecting = period.status == Period.Status.REPLY and bool(roles & OBJECTING_ROLES)
    sections: dict[int, SectionView] = {}
    for node in nodes:
        if node.kind == Node.Kind.MAIN:
            sections[node.pk] = SectionView(
                node=node, score=unit_result.nodes.get(node.code), assignee=assignments.get(node.pk)
            )
    for node in nodes:
        if not node.rule:
            continue
        main = _main_of(node, by_pk)
        if main is None:
            continue
        own = values.get(node.pk, {})
        answer = answers.get(node.pk)
        # The same test as access.open_for_explanation, read from the answers already loaded.
        explaining = (
            answer is not None and answer.open_until is not None and answer.open_until >= on
        )
        self_entered = node.source == Node.Source.SELF
        may_edit = ((is_open and self_entered) or explaining) and can(
            user, Action.EDIT, submission, node, roles=roles
        )
        node_decisions = decisions.get(node.pk, [])
        sections[main.pk].indicators.append(
            IndicatorView(
                node=node,
                fields=[(f, box_text(f, own.get(f.name, ""))) for f in indicator_fields(node)],
                answer=answer,
                score=unit_result.nodes.get(node.code),
                checks=checks_by_node.get(node.code, []),
                evidence=evidence_by_node.get(node.pk, []),
                editable=(is_open or explaining) and self_entered and may_edit,
                applicable=unit_result.nodes.get(node.code) is not None,
                explaining=explaining,
                may_edit=may_edit,
                own_score=own_result.nodes.get(node.code),
                final_score=final_result.nodes.get(node.code),
                decisions=node_decisions,
                requests=[
                    d
                    for d in node_decisions
                    if explaining
                    and period.status == Period.Status.APPRAISAL
                    and request_answerable(d, on)
                ],
                objections=objections.get(node.pk, []),
                can_object=objecting and node.scored,
            )
        )
    section_list = list(sections.values())
    items = [i for s in section_list for i in s.indicators]
    totals = {
        "answered": sum(s.answered for s in section_list),
        "total": sum(s.total for s in section_list),
        "evidence_attached": sum(s.evidence_attached for s in section_list),
        "evidence_required": sum(s.evidence_required for s in section_list),
        "passing": sum(s.passing for s in section_list),
    }
    return {
        "submission": submission,
        "period": period,
        "unit": participation.unit,
        "result": unit_result,
        "sections": section_list,
        "checks": checks,
        "errors": [c for c in checks if c.level == ERROR],
        "warnings": [c for c in checks if c.level != ERROR],
        "progress": totals,
        "evidence": evidence,
        "is_open": is_open,
        "roles": roles,
        "can_submit": can(user, Action.SUBMIT, submission, roles=roles),
        "deadline": submission_deadline(submission, on),
        # The errors to fix before submitting, each with the indicator's card to go to.
        "error_links": [
            (check, by_code.get(check.node)) for check in checks if check.level == ERROR
        ],
        "can_assign": can(user, Action.ASSIGN, submission, roles=roles),
        "can_reopen": can(user, Action.REOPEN, submission, roles=roles),
        "colleagues": [
            m.user
            for m in Membership.objects.filter(participation=participation).select_related("user")
        ],
        "carry_source": carry_source.participation.period if carry_source else None,
        # The appraisal (see IndicatorView for the per-indicator part).
        "appraising": appraising,
        "period_status": Period.Status(period.status).label,
        "open_requests": sorted(
            ((i.node, d) for i in items for d in i.requests), key=lambda pair: pair[1].due_on
        ),
        "own_result": own_result,
        "final_result": final_result,
        "snapshot": snapshot,
        "objecting": objecting,
        "can_add_evidence": (
            is_open and bool(roles & {Membership.Role.FOCAL_POINT, Membership.Role.CONTRIBUTOR})
        )
        or any(i.answering for i in items),
        "submission_changes": history_rows(
            Change.objects.filter(submission=submission, node=None).select_related("actor")
        ),
    }


# The history's "field" column as stored (English keys) and how a person reads it.
FIELD_LABELS = {
    "note": gettext_lazy("Thuyết minh"),
    "is_estimate": gettext_lazy("Số liệu ước tính"),
    "carried_over": gettext_lazy("Số liệu chuyển từ kỳ trước"),
    "assignee": gettext_lazy("Người phụ trách"),
    "link": gettext_lazy("Gắn tài liệu kiểm chứng"),
    "evidence_carried_over": gettext_lazy("Tài liệu chuyển từ kỳ trước"),
    "status": gettext_lazy("Trạng thái phiếu"),
    "reopened_until": gettext_lazy("Mở lại đến ngày"),
    "email": gettext_lazy("Thư nhắc nhở"),
    "explanation": gettext_lazy("Giải trình"),
    "objection": gettext_lazy("Ý kiến phản hồi"),
    "answer": gettext_lazy("Trả lời ý kiến phản hồi"),
    "appraised": gettext_lazy("Điểm sau thẩm định"),
    "open_until": gettext_lazy("Hạn giải trình"),
}
DATE_FIELDS = {"reopened_until", "open_until"}
# Fields whose before/after the history stores as codes (assessments.history_codes).
CODED_FIELDS = {"is_estimate", "carried_over", "evidence_carried_over", "answer"}


def _date_text(text: str) -> str:
    try:
        return datetime.date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text


def _score_text(text: str) -> str:
    """A score the history stores as plain text (45.5), as the pages write it (45,5)."""
    try:
        return numbers.vi(numbers.parse(text, notation=numbers.Notation.PLAIN), trim=True)
    except numbers.NumberError:
        return text


def history_rows(changes: Iterable[Change], node: Node | None = None) -> list[Change]:
    """The history rows with `field_label`, `before_text` and `after_text` for reading: the
    stored keys ("round 2", "appraised", an input's name…) become Vietnamese labels."""
    inputs = {f.name: f for f in indicator_fields(node)} if node is not None else {}
    statuses = {value: str(label) for value, label in Submission.Status.choices}
    rows = list(changes)
    for change in rows:
        before, after = change.before, change.after
        if change.field.startswith("round ") and change.field[6:].isdigit():
            label = _("Lần thẩm định %(n)s") % {"n": change.field[6:]}
            before = _score_text(before)  # the unit's own score, stored as plain text
        elif change.kind == Change.Kind.VALUE and change.field in inputs:
            # Stored as canonical text; read as the pages write numbers (1.234,5), Có/Không.
            spec = inputs[change.field]
            label = spec.label or _("Giá trị")
            before, after = value_display(spec, before), value_display(spec, after)
        else:
            label = str(FIELD_LABELS.get(change.field, change.field))
        if change.field == "status":
            before, after = statuses.get(before, before), statuses.get(after, after)
        elif change.field in DATE_FIELDS:
            before, after = _date_text(before), _date_text(after)
        if change.field == "appraised":
            # No appraised score: the score computed from the unit's values stands.
            before = _score_text(before) or _("theo số liệu đơn vị")
            after = _score_text(after) or _("theo số liệu đơn vị")
        elif change.field in CODED_FIELDS or change.kind == Change.Kind.APPRAISAL:
            # Stored as codes (yes, confirmed, decision:adjust:25): named in the reader's language.
            before, after = history_text.text(before), history_text.text(after)
        change.field_label = label  # type: ignore[attr-defined]
        change.before_text = before  # type: ignore[attr-defined]
        change.after_text = after  # type: ignore[attr-defined]
        change.reason_text = (  # type: ignore[attr-defined]
            history_text.text(change.reason)
            if change.reason.startswith(history_codes.SYSTEM)
            else change.reason
        )
    return rows
