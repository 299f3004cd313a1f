"""Reviewers' decisions per indicator (accept, adjust, request), the second reviewer's agreement
on large adjustments, and the unit's explanation of a request."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendti import numbers
from opendti.accounts.models import User
from opendti.accounts.roles import REVIEWER
from opendti.assessments import history_codes
from opendti.assessments.access import Action, can, has_role
from opendti.assessments.models import Answer, AppraisedScore, Change, Submission
from opendti.assessments.services.history import change_record
from opendti.core.bulk import insert_rows
from opendti.frameworks.models import Node
from opendti.notifications.services import notify
from opendti.periods import revision
from opendti.periods.calendar import date_text, require_within
from opendti.periods.models import Membership, Period, Phase
from opendti.periods.workflow import TransitionRefused, require_status
from opendti.results import source

from ..models import Decision, Explanation, Round, SignOff
from . import coverage
from .governance import belongs_to, covers
from .rounds import round_current, round_open
from .settle import score_check, settle, settle_many


def own_scores(period: Period, unit_code: str) -> dict[str, Decimal | None]:
    """The unit's own scores per node, before anything the appraisal settled."""
    result = source.provisional(period).result
    for unit in result.units:
        if unit.code == unit_code:
            return dict(unit.nodes)
    return {}


def _require_reviewer(reviewer, submission: Submission, node: Node, current: Round) -> None:
    period = submission.participation.period
    if node.framework_id != period.framework_id or not node.scored or not node.rule:
        raise ValidationError(_("Chỉ thẩm định các chỉ số thành phần được tính điểm của kỳ."))
    if not has_role(reviewer, REVIEWER):
        raise PermissionDenied(_("Chỉ thành viên Tổ thẩm định được thẩm định."))
    if belongs_to(reviewer, submission.participation):
        raise PermissionDenied(_("Bạn thuộc đơn vị này nên không được thẩm định đơn vị này."))
    if not covers(reviewer, submission, node):
        raise PermissionDenied(_("Bạn không được phân công thẩm định chỉ số này của đơn vị này."))
    if SignOff.objects.filter(round=current, reviewer=reviewer).exists():
        raise ValidationError(_("Bạn đã xác nhận lần thẩm định này; không sửa quyết định được."))


def decide(
    *,
    submission: Submission,
    node: Node,
    reviewer,
    kind: str,
    score: Decimal | None = None,
    reason: str = "",
    due_on: datetime.date | None = None,
) -> Decision:
    period = submission.participation.period
    require_status(period, Period.Status.APPRAISAL)
    current = round_open(period)
    _require_reviewer(reviewer, submission, node, current)
    require_within(period, Phase.Kind.APPRAISAL, round_number=current.number)
    if current.number > 1 and node.pk not in coverage.round_coverage(
        reviewer, current, submission_ids=[submission.pk]
    ).get(submission.pk, ()):
        raise ValidationError(
            _("Lần thẩm định %(n)d chỉ xem xét các chỉ số đã yêu cầu bổ sung, chỉnh sửa.")
            % {"n": current.number}
        )
    reason = reason.strip()
    if kind == Decision.Kind.ADJUST:
        score = score_check(score, node.max_points, period.decimals)
        if not reason:
            raise ValidationError(_("Điều chỉnh điểm cần ghi rõ lý do."))
    elif kind == Decision.Kind.REQUEST:
        if current.number >= period.review_rounds:
            raise ValidationError(
                _("Đây là lần thẩm định cuối: chỉ chấp nhận hoặc điều chỉnh điểm.")
            )
        if not reason:
            raise ValidationError(_("Ghi rõ nội dung cần bổ sung, chỉnh sửa."))
        due_on = _due_date(period, current, due_on)
    elif kind != Decision.Kind.ACCEPT:
        raise ValidationError(_("Quyết định không hợp lệ."))
    own_score = own_scores(period, submission.participation.unit.code).get(node.code)
    state = Decision.State.OPEN if kind == Decision.Kind.REQUEST else Decision.State.EFFECTIVE
    threshold = period.adjustment_threshold
    if (
        kind == Decision.Kind.ADJUST
        and threshold is not None
        and score is not None
        and abs(score - (own_score or Decimal(0))) > threshold
    ):
        state = Decision.State.AWAITING
    with transaction.atomic():
        previous = (
            Decision.objects.select_for_update()
            .filter(round=current, submission=submission, node=node)
            .exclude(state=Decision.State.SUPERSEDED)
            .first()
        )
        if previous is not None and previous.reviewer_id != reviewer.pk:
            raise ValidationError(
                _("Chỉ số này đã được %(name)s quyết định trong lần thẩm định này.")
                % {"name": previous.reviewer.get_full_name() or previous.reviewer.username}
            )
        if previous is not None:
            previous.state = Decision.State.SUPERSEDED
            previous.save(update_fields=["state"])
            if previous.kind == Decision.Kind.REQUEST and kind != Decision.Kind.REQUEST:
                # The request is withdrawn: the indicator closes to the unit again.
                Answer.objects.filter(submission=submission, node=node).update(open_until=None)
        decision = Decision.objects.create(
            round=current,
            submission=submission,
            node=node,
            reviewer=reviewer,
            kind=kind,
            state=state,
            self_score=own_score,
            score=score if kind == Decision.Kind.ADJUST else None,
            reason=reason,
            due_on=due_on if kind == Decision.Kind.REQUEST else None,
        )
        _record(decision, reviewer)
        if kind == Decision.Kind.REQUEST:
            answer, _created = Answer.objects.get_or_create(submission=submission, node=node)
            Answer.objects.filter(pk=answer.pk).update(open_until=due_on)
        settle(submission, node, reviewer, reason)
    if kind == Decision.Kind.REQUEST:
        _notify_unit(decision)
    return decision


def _due_date(period: Period, current: Round, due_on: datetime.date | None) -> datetime.date:
    """A request's due date: from today on, and within the round's explanation window when the
    calendar has one (its end when none is given)."""
    window = period.phase(Phase.Kind.EXPLANATION, current.number)
    if due_on is None and window is not None:
        due_on = window.ends_on
    if due_on is None or due_on < timezone.localdate():
        raise ValidationError(_("Hạn giải trình phải từ hôm nay trở đi."))
    if window is not None and due_on > window.ends_on:
        raise ValidationError(
            _(
                "Hạn giải trình không được sau ngày %(end)s: thời gian giải trình lần %(n)d "
                "đến hết ngày %(end)s."
            )
            % {"end": date_text(window.ends_on), "n": current.number}
        )
    return due_on


def _record(decision: Decision, actor) -> None:
    after = history_codes.decision(
        decision.kind,
        score=decision.score if decision.kind == Decision.Kind.ADJUST else None,
        due_on=decision.due_on if decision.kind == Decision.Kind.REQUEST else None,
        state=decision.state if decision.state == Decision.State.AWAITING else "",
    )
    change_record(
        decision.submission,
        decision.node,
        Change.Kind.APPRAISAL,
        f"round {decision.round.number}",
        numbers.plain(decision.self_score),
        after,
        actor,
        decision.reason,
    )


def _notify_unit(decision: Decision) -> None:
    participation = decision.submission.participation
    members = User.objects.filter(
        memberships__participation=participation,
        memberships__role__in=[Membership.Role.FOCAL_POINT, Membership.Role.UNIT_LEADER],
    ).distinct()
    notify(
        list(members),
        kind="request",
        title=_("Yêu cầu bổ sung, chỉnh sửa chỉ số %(code)s") % {"code": decision.node.code},
        body=_("%(message)s\nHạn giải trình: %(due)s")
        % {
            "message": decision.reason,
            "due": decision.due_on.strftime("%d/%m/%Y") if decision.due_on else "",
        },
        url=f"/ky/{participation.period.code}/don-vi/{participation.unit.code}/",
    )


def agree(*, decision: Decision, reviewer, agreed: bool, note: str = "") -> Decision:
    """A second reviewer agrees with (or declines) an adjustment above the period's threshold."""
    period = decision.submission.participation.period
    require_status(period, Period.Status.APPRAISAL)
    current = round_open(period)
    if decision.round_id != current.pk:
        raise TransitionRefused(_("Lần thẩm định của điều chỉnh này đã kết thúc."))
    require_within(period, Phase.Kind.APPRAISAL, round_number=current.number)
    if decision.state != Decision.State.AWAITING:
        raise ValidationError(_("Điều chỉnh này không chờ ý kiến thành viên thứ hai."))
    if reviewer.pk == decision.reviewer_id:
        raise PermissionDenied(_("Thành viên thứ hai phải là người khác."))
    if not has_role(reviewer, REVIEWER) or not covers(reviewer, decision.submission, decision.node):
        raise PermissionDenied(_("Bạn không được phân công thẩm định chỉ số này của đơn vị này."))
    if not agreed and not note.strip():
        raise ValidationError(_("Ghi rõ lý do không đồng ý."))
    with transaction.atomic():
        updated = Decision.objects.filter(pk=decision.pk, state=Decision.State.AWAITING).update(
            state=Decision.State.EFFECTIVE if agreed else Decision.State.DECLINED,
            second_reviewer=reviewer,
            second_note=note.strip(),
            second_at=timezone.now(),
        )
        if not updated:
            raise ValidationError(_("Điều chỉnh này vừa được người khác xử lý."))
        decision.refresh_from_db()
        change_record(
            decision.submission,
            decision.node,
            Change.Kind.APPRAISAL,
            f"round {decision.round.number}",
            history_codes.decision_state(Decision.State.AWAITING),
            history_codes.decision_state(decision.state),
            reviewer,
            note.strip(),
        )
        settle(decision.submission, decision.node, reviewer, note.strip())
    return decision


def explain(*, decision: Decision, actor, text: str) -> Explanation:
    """The unit answers a request (its new values and evidence go through the workspace)."""
    submission = decision.submission
    period = submission.participation.period
    require_status(period, Period.Status.APPRAISAL)
    if not can(actor, Action.EDIT, submission, decision.node):
        raise PermissionDenied(_("Bạn không có quyền giải trình chỉ số này."))
    if decision.kind != Decision.Kind.REQUEST or decision.state not in (
        Decision.State.OPEN,
        Decision.State.ANSWERED,
    ):
        raise ValidationError(_("Yêu cầu này không còn chờ giải trình."))
    # The window first: its message names the dates (an early answer is welcome).
    require_within(
        period,
        Phase.Kind.EXPLANATION,
        round_number=decision.round.number,
        before_start=False,
    )
    if decision.due_on is None or timezone.localdate() > decision.due_on:
        raise ValidationError(
            _("Đã hết hạn giải trình (hạn %(date)s).")
            % {"date": date_text(decision.due_on) if decision.due_on else "—"}
        )
    current = round_current(period)
    if current is None or decision.round_id != current.pk:
        # Opening the next round ends the window (round_open_next), whatever the request's date.
        raise ValidationError(_("Đã hết hạn giải trình."))
    if not text.strip():
        raise ValidationError(_("Nhập nội dung giải trình."))
    with transaction.atomic():
        explanation = Explanation.objects.create(decision=decision, author=actor, text=text.strip())
        Decision.objects.filter(pk=decision.pk).update(state=Decision.State.ANSWERED)
        decision.state = Decision.State.ANSWERED
        change_record(
            submission,
            decision.node,
            Change.Kind.EXPLANATION,
            "explanation",
            "",
            text.strip(),
            actor,
        )
    notify(
        [decision.reviewer],
        kind="answer",
        title=_("Đơn vị %(unit)s đã giải trình chỉ số %(code)s")
        % {"unit": submission.participation.unit.name, "code": decision.node.code},
        body=text.strip(),
        url=f"/ky/{period.code}/tham-dinh/{submission.participation.unit.code}/",
    )
    return explanation


def accept_rest(*, appraisal_round: Round, reviewer, submission: Submission | None = None) -> int:
    """Accept every indicator of the reviewer's round not yet decided (one unit or all), all or
    nothing. Written in bulk: a reviewer may accept thousands of indicators at once, and an
    acceptance of an undecided indicator needs none of a single decision's per-item checks
    beyond those made here once (the items come from the reviewer's own scope)."""
    period = Period.objects.get(pk=appraisal_round.period_id)  # its status as stored now
    require_status(period, Period.Status.APPRAISAL)
    if not has_role(reviewer, REVIEWER):
        raise PermissionDenied(_("Chỉ thành viên Tổ thẩm định được thẩm định."))
    if round_open(period).pk != appraisal_round.pk:
        raise TransitionRefused(_("Lần thẩm định này đã kết thúc."))
    if SignOff.objects.filter(round=appraisal_round, reviewer=reviewer).exists():
        raise ValidationError(_("Bạn đã xác nhận lần thẩm định này; không sửa quyết định được."))
    require_within(period, Phase.Kind.APPRAISAL, round_number=appraisal_round.number)
    left = coverage.undecided_coverage(
        reviewer, appraisal_round, submission_ids=None if submission is None else [submission.pk]
    )
    items = coverage.pairs(left)
    if not items:
        return 0
    # The unit's own scores (the history's "before"), by submission id and indicator id.
    result = source.provisional(period).result
    own_by_unit = {unit.code: unit.nodes for unit in result.units}
    unit_of = dict(
        Submission.objects.filter(pk__in=list(left)).values_list("pk", "participation__unit__code")
    )
    code_of = dict(
        Node.objects.filter(pk__in=set().union(*left.values())).values_list("pk", "code")
    )
    own = [own_by_unit.get(unit_of[s], {}).get(code_of[n]) for s, n in items]
    try:
        # The settled scores' periods raised once, at the end of the transaction.
        with revision.batch():
            # Rows written without an object each (core.bulk): thousands of units at once.
            insert_rows(
                Decision,
                {
                    "round": appraisal_round,
                    "reviewer": reviewer,
                    "kind": Decision.Kind.ACCEPT,
                    "state": Decision.State.EFFECTIVE,
                },
                ("submission", "node", "self_score"),
                ((s, n, score) for (s, n), score in zip(items, own, strict=True)),
            )
            insert_rows(
                Change,
                {
                    "kind": Change.Kind.APPRAISAL,
                    "field": f"round {appraisal_round.number}",
                    "after": history_codes.decision(Decision.Kind.ACCEPT),
                    "actor": reviewer,
                },
                ("submission", "node", "before"),
                ((s, n, numbers.plain(score)) for (s, n), score in zip(items, own, strict=True)),
            )
            # An acceptance gives back the computed score: settle where one was settled before.
            settled = set(
                AppraisedScore.objects.filter(submission_id__in=list(left)).values_list(
                    "submission_id", "node_id"
                )
            )
            settle_many([pair for pair in items if pair in settled], reviewer)
    except IntegrityError:  # another reviewer decided one of them meanwhile
        raise ValidationError(
            _("Một số chỉ số vừa được thành viên khác quyết định; hãy tải lại trang.")
        ) from None
    return len(items)
