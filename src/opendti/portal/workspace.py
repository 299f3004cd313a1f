"""The unit workspace as the page shows it: main indices as sections, each indicator with its
inputs, current values, score, checks, evidence and progress. Reads only."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from opendti.assessments.access import Action, can, submission_is_open, unit_roles
from opendti.assessments.models import (
    Answer,
    Change,
    Evidence,
    IndexAssignment,
    InputValue,
    Submission,
)
from opendti.assessments.services import Field, indicator_fields, previous_submission
from opendti.frameworks.models import Node
from opendti.periods.models import Membership
from opendti.results.checks import ERROR, Check, submission_checks
from opendti.results.preview import Overrides, unit_preview
from opendti.results.selectors import period_assessment
from opendti.scoring import score_period
from opendti.scoring.model import PeriodResult


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


def previous_result(submission: Submission) -> PeriodResult | None:
    source = previous_submission(submission)
    if source is None:
        return None
    assessment, _ = period_assessment(source.participation.period)
    return score_period(assessment)


def workspace_build(
    *, submission: Submission, user, overrides: Overrides | None = None, with_previous: bool = True
) -> dict:
    participation = submission.participation
    period = participation.period
    unit = participation.unit.code
    _, result = unit_preview(period=period, unit_code=unit, overrides=overrides)
    unit_result = result.unit(unit)
    checks = submission_checks(
        submission=submission,
        result=result,
        previous=previous_result(submission) if with_previous else None,
    )
    nodes = list(Node.objects.filter(framework=period.framework).prefetch_related("inputs"))
    by_pk = {n.pk: n for n in nodes}
    values: dict[int, dict[str, str]] = {}
    for node_id, name, value in InputValue.objects.filter(submission=submission).values_list(
        "node_id", "input_name", "value"
    ):
        values.setdefault(node_id, {})[name] = value
    for code, inputs in (overrides or {}).items():
        node = next((n for n in nodes if n.code == code), None)
        if node is not None:
            values[node.pk] = inputs
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

    roles = unit_roles(user, participation)
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
        sections[main.pk].indicators.append(
            IndicatorView(
                node=node,
                fields=[(f, own.get(f.name, "")) for f in indicator_fields(node)],
                answer=answers.get(node.pk),
                score=unit_result.nodes.get(node.code),
                checks=checks_by_node.get(node.code, []),
                evidence=evidence_by_node.get(node.pk, []),
                editable=is_open
                and node.source == Node.Source.SELF
                and can(user, Action.EDIT, submission, node, roles=roles),
                applicable=unit_result.nodes.get(node.code) is not None,
            )
        )
    section_list = list(sections.values())
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
        "can_assign": can(user, Action.ASSIGN, submission, roles=roles),
        "can_reopen": can(user, Action.REOPEN, submission, roles=roles),
        "colleagues": [
            m.user
            for m in Membership.objects.filter(participation=participation).select_related("user")
        ],
        "has_previous": previous_submission(submission) is not None,
        "submission_changes": Change.objects.filter(
            submission=submission, node=None
        ).select_related("actor"),
    }
