"""Read-only queries for the appraisal pages: a unit's review table (values, evidence, the unit's
own score, every decision by round, explanations, objections and the score that stands now), a
reviewer's queue, the rounds with who signed off, and the objections of a period.

Nothing here writes except what the services' own read helpers do (`scope` opens an empty
submission for a unit that never opened its workspace)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator

from opendti.accounts.models import User
from opendti.assessments.forms import value_display
from opendti.assessments.models import Answer, AppraisedScore, Evidence, InputValue, Submission
from opendti.assessments.services import Field, indicator_fields
from opendti.frameworks.models import Node
from opendti.periods.models import Period
from opendti.results import source

from .models import Decision, Objection, Round, SignOff
from .services import coverage, covers, pending_sign_offs, round_current

Scores = dict[str, dict[str, Decimal | None]]


def unit_scores(period: Period, *, appraised: bool) -> tuple[Scores, dict[str, Decimal]]:
    """Every unit's scores per node code, and its total: the units' own (`appraised=False`) or
    as they stand with what the appraisal settled."""
    result = source.live(period, appraised=appraised).result
    return (
        {unit.code: dict(unit.nodes) for unit in result.units},
        {unit.code: unit.total for unit in result.units},
    )


@dataclass
class ReviewItem:
    node: Node
    fields: list[tuple[Field, str]]
    answer: Answer | None
    evidence: list[Evidence]
    own: Decimal | None  # the unit's own score, before the appraisal
    final: Decimal | None  # the score as it stands with the appraisal's decisions
    decisions: list[Decision]  # every round's, oldest first, superseded ones included
    objections: list[Objection]
    # Filled in for a reviewer: whether they may decide this indicator now, and their decision
    # in the open round (if any).
    decidable: bool = False
    in_round: Decision | None = None

    @property
    def standing(self) -> Decision | None:
        """The latest decision that is not superseded (what the appraisal says now)."""
        current = [d for d in self.decisions if d.state != Decision.State.SUPERSEDED]
        return current[-1] if current else None

    @property
    def changed(self) -> bool:
        return self.own != self.final

    @property
    def anchor(self) -> str:
        return f"ind-{self.node.pk}"


@dataclass
class ReviewSection:
    node: Node
    own: Decimal | None
    final: Decimal | None
    items: list[ReviewItem] = field(default_factory=list)


@dataclass
class ReviewTable:
    sections: list[ReviewSection]
    own_total: Decimal | None
    final_total: Decimal | None

    def item(self, code: str) -> ReviewItem | None:
        for section in self.sections:
            for item in section.items:
                if item.node.code == code:
                    return item
        return None


def _main_of(node: Node, by_pk: dict[int, Node]) -> Node | None:
    while node.kind != Node.Kind.MAIN and node.parent_id is not None:
        node = by_pk[node.parent_id]
    return node if node.kind == Node.Kind.MAIN else None


def unit_review_table(submission: Submission) -> ReviewTable:
    """Per main index, per scored indicator of a unit: what the unit entered and what the
    appraisal made of it."""
    participation = submission.participation
    period = participation.period
    unit = participation.unit.code
    final_scores, final_totals = unit_scores(period, appraised=True)
    # Scores settled for other units never change this unit's (relative rules read values, not
    # scores): without settled scores of its own, its own scores are the final ones.
    if AppraisedScore.objects.filter(submission=submission).exists():
        own_scores, own_totals = unit_scores(period, appraised=False)
    else:
        own_scores, own_totals = final_scores, final_totals
    own, final = own_scores.get(unit, {}), final_scores.get(unit, {})
    nodes = list(
        Node.objects.filter(framework_id=period.framework_id)
        .prefetch_related("inputs")
        .order_by("order", "pk")
    )
    by_pk = {n.pk: n for n in nodes}
    values: dict[int, dict[str, str]] = {}
    for node_id, name, value in InputValue.objects.filter(submission=submission).values_list(
        "node_id", "input_name", "value"
    ):
        values.setdefault(node_id, {})[name] = value
    answers = {a.node_id: a for a in Answer.objects.filter(submission=submission)}
    evidence: dict[int, list[Evidence]] = {}
    for item in Evidence.objects.filter(submission=submission).prefetch_related("links"):
        for link in item.links.all():
            evidence.setdefault(link.node_id, []).append(item)
    decisions: dict[int, list[Decision]] = {}
    for decision in (
        Decision.objects.filter(submission=submission)
        .select_related("round", "reviewer", "second_reviewer")
        .prefetch_related("explanations__author")
        .order_by("round__number", "created_at", "pk")
    ):
        decisions.setdefault(decision.node_id, []).append(decision)
    objections: dict[int, list[Objection]] = {}
    for objection in Objection.objects.filter(submission=submission).select_related(
        "author", "answered_by"
    ):
        objections.setdefault(objection.node_id, []).append(objection)

    sections: dict[int, ReviewSection] = {
        n.pk: ReviewSection(node=n, own=own.get(n.code), final=final.get(n.code))
        for n in nodes
        if n.kind == Node.Kind.MAIN
    }
    for node in nodes:
        if not node.rule or not node.scored:
            continue
        main = _main_of(node, by_pk)
        if main is None:
            continue
        entered = values.get(node.pk, {})
        sections[main.pk].items.append(
            ReviewItem(
                node=node,
                # As people read them: 1.234,5, Có/Không.
                fields=[
                    (f, value_display(f, entered.get(f.name, ""))) for f in indicator_fields(node)
                ],
                answer=answers.get(node.pk),
                evidence=evidence.get(node.pk, []),
                own=own.get(node.code),
                final=final.get(node.code),
                decisions=decisions.get(node.pk, []),
                objections=objections.get(node.pk, []),
            )
        )
    return ReviewTable(
        sections=[s for s in sections.values() if s.items],
        own_total=own_totals.get(unit),
        final_total=final_totals.get(unit),
    )


def reviewer_marks(table: ReviewTable, submission: Submission, reviewer, current: Round) -> None:
    """Mark what the reviewer may decide in the open round: the indicators the round covers for
    them, unless another reviewer has decided it already or they have signed off."""
    if not current.is_open or SignOff.objects.filter(round=current, reviewer=reviewer).exists():
        return
    allowed = set(
        coverage.round_coverage(reviewer, current, submission_ids=[submission.pk]).get(
            submission.pk, ()
        )
    )
    for section in table.sections:
        for item in section.items:
            item.in_round = next(
                (
                    d
                    for d in reversed(item.decisions)
                    if d.round_id == current.pk and d.state != Decision.State.SUPERSEDED
                ),
                None,
            )
            item.decidable = item.node.pk in allowed and (
                item.in_round is None or item.in_round.reviewer_id == reviewer.pk
            )


@dataclass
class QueueRow:
    submission: Submission
    indicators: int  # in the reviewer's scope
    in_round: int  # what the current round asks them to look at
    undecided: int
    open_requests: int  # asked, the unit has not explained yet
    answered: int  # the unit has explained


QUEUE_PAGE = 100  # units per page of a reviewer's queue


def reviewer_queue(reviewer, period: Period, page: str | int | None = None) -> Page:
    """The units in a reviewer's scope, a page at a time, with what is left for them in the
    current round. The scope is read as ids (one query each for assignments and submissions);
    the counts and objects only for the page's units: a reviewer may cover thousands."""
    covered = coverage.coverage(reviewer, period)
    shown = Paginator(list(covered), QUEUE_PAGE).get_page(page)
    ids = list(shown.object_list)
    current = round_current(period)
    in_round = coverage.round_coverage(reviewer, current, submission_ids=ids) if current else {}
    left = (
        coverage.undecided_coverage(reviewer, current, submission_ids=ids)
        if current and current.is_open
        else {}
    )
    requests: dict[int, dict[str, int]] = {}
    for submission_id, node_id, state in Decision.objects.filter(
        round__period=period,
        submission_id__in=ids,
        kind=Decision.Kind.REQUEST,
        state__in=[Decision.State.OPEN, Decision.State.ANSWERED],
    ).values_list("submission_id", "node_id", "state"):
        if node_id in covered[submission_id]:
            counts = requests.setdefault(submission_id, {})
            counts[state] = counts.get(state, 0) + 1
    submissions = Submission.objects.select_related(
        "participation__unit", "participation__period__framework"
    ).in_bulk(ids)
    rows = []
    for pk in ids:
        counts = requests.get(pk, {})
        rows.append(
            QueueRow(
                submission=submissions[pk],
                indicators=len(covered[pk]),
                in_round=len(in_round.get(pk, ())),
                undecided=len(left.get(pk, ())),
                open_requests=counts.get(Decision.State.OPEN, 0),
                answered=counts.get(Decision.State.ANSWERED, 0),
            )
        )
    shown.object_list = rows  # type: ignore[assignment]  # the page's rows, not its ids
    return shown


def awaiting_agreement(reviewer, period: Period) -> list[Decision]:
    """Large adjustments in the open round that this reviewer may agree to or decline: they
    cover the indicator and did not propose it."""
    current = round_current(period)
    if current is None or not current.is_open:
        return []
    found = (
        Decision.objects.filter(round=current, state=Decision.State.AWAITING)
        .exclude(reviewer=reviewer)
        .select_related(
            "round",
            "reviewer",
            "node",
            "submission__participation__unit",
            "submission__participation__period",
        )
    )
    return [d for d in found if covers(reviewer, d.submission, d.node)]


@dataclass
class RoundView:
    round: Round
    sign_offs: list[SignOff]
    pending: list[User]


def rounds_overview(period: Period) -> list[RoundView]:
    """Every round with who has signed off, and who is still to (for the open one)."""
    rounds = list(period.rounds.select_related("opened_by").prefetch_related("sign_offs__reviewer"))
    return [
        RoundView(
            round=r,
            sign_offs=sorted(r.sign_offs.all(), key=lambda s: (s.at, s.pk)),
            pending=pending_sign_offs(r) if r.is_open else [],
        )
        for r in rounds
    ]


@dataclass
class ObjectionRow:
    objection: Objection
    own: Decimal | None
    final: Decimal | None


def objection_rows(period: Period) -> list[ObjectionRow]:
    """The period's objections, with the unit's own score and the score as it stands now."""
    objections = list(
        Objection.objects.filter(submission__participation__period=period)
        .select_related("submission__participation__unit", "node", "author", "answered_by")
        .order_by("created_at", "pk")
    )
    if not objections:
        return []
    own, _ = unit_scores(period, appraised=False)
    final, _ = unit_scores(period, appraised=True)
    rows = []
    for objection in objections:
        unit = objection.submission.participation.unit.code
        code = objection.node.code
        rows.append(
            ObjectionRow(
                objection=objection,
                own=own.get(unit, {}).get(code),
                final=final.get(unit, {}).get(code),
            )
        )
    return rows
