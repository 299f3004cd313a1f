"""The appraisal workflow through the API: the period's process (status, rounds, history), its
steps, reviewers' decisions and sign-offs, and a unit leader's submit.

Views are thin: they find what the user may see (404 otherwise), read the body, and call the same
services as the web pages. The services' refusals keep their message and become
403 (PermissionDenied), 409 (TransitionRefused: not possible in the period's current state) or
400 (any other ValidationError), always as `{"detail": "<message>"}`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opendti import numbers
from opendti.accounts.roles import ADMINISTRATOR, APPROVER, COORDINATOR, REVIEWER
from opendti.appraisal.models import Decision, Explanation, Round
from opendti.appraisal.services import (
    appraisal_start,
    decide,
    pending_sign_offs,
    reply_open,
    reviewers_of,
    round_current,
    round_open,
    round_open_next,
    round_sign_off,
)
from opendti.assessments.access import Action, access_submission, has_role, require
from opendti.assessments.models import Submission
from opendti.assessments.services import submission_submit
from opendti.frameworks.models import Node
from opendti.periods.models import Period, ReviewerAssignment
from opendti.periods.workflow import TransitionRefused, next_steps
from opendti.publication.models import Snapshot
from opendti.publication.seal import snapshot_check
from opendti.publication.services import approval_request, approval_return, approve, publish
from opendti.results.checks import blocking_count, submission_checks
from opendti.results.preview import unit_preview

from . import serializers as s
from . import workflow_serializers as w
from .models import IntegratorToken
from .views import BAD_REQUEST, PERIOD, UNIT, _clean_path, _query, period_get, query_param

T = TypeVar("T")
Status = Period.Status

ERRORS = {
    400: OpenApiResponse(
        w.ErrorSerializer, description="The body could not be read, or the service refused it"
    ),
    401: OpenApiResponse(s.DetailSerializer, description="Not logged in, or a bad token"),
    403: OpenApiResponse(s.DetailSerializer, description="Visible, but not yours to do"),
    404: OpenApiResponse(s.DetailSerializer, description="Missing, or not visible to you"),
}
CONFLICT = {
    409: OpenApiResponse(
        s.DetailSerializer, description="Not possible in the period's current state"
    )
}
READ_ERRORS = {k: v for k, v in ERRORS.items() if k != 400}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"


class Refused(exceptions.APIException):
    """A service's ValidationError: the request was understood, the rule says no."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"


def _message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def service_call(action: Callable[[], T]) -> T:
    """Run a service; its refusals become API errors with the same message."""
    try:
        return action()
    except TransitionRefused as error:  # before ValidationError: it is one
        raise Conflict(_message(error)) from None
    except ValidationError as error:
        raise Refused(_message(error)) from None
    except PermissionDenied as error:
        raise exceptions.PermissionDenied(
            str(error) or _("Bạn không có quyền thực hiện thao tác này.")
        ) from None


def body_read(serializer: Any) -> dict[str, Any]:
    """The body's fields, or 400 with the first message as `detail` and every field's messages."""
    if not serializer.is_valid():
        errors = serializer.errors
        first = next(iter(errors.values()), [""]) if isinstance(errors, dict) else errors
        text = first[0] if isinstance(first, list) and first else str(first)
        raise exceptions.ValidationError({"detail": str(text), "errors": errors})
    data: dict[str, Any] = serializer.validated_data
    return data


def refuse_tokens(request: Request) -> None:
    """Integrator tokens push measured values; appraisal steps are people's, in their session."""
    if isinstance(request.auth, IntegratorToken):
        raise exceptions.PermissionDenied(
            _(
                "Khóa tích hợp chỉ dùng để gửi số liệu đo tự động; không thực hiện được thao tác này."
            )
        )


def workflow_period(request: Request, code: str) -> Period:
    """The period, for those who run or approve the process and its assigned reviewers; 404 for
    anyone else (a unit's people follow their own submission, not the period's process)."""
    period = period_get(code)
    user = request.user
    if has_role(user, COORDINATOR, APPROVER, ADMINISTRATOR):
        return period
    if user.is_active and ReviewerAssignment.objects.filter(period=period, reviewer=user).exists():
        return period
    raise Http404


def _person(user: Any) -> dict[str, str]:
    return {"username": user.username, "name": user.get_full_name() or user.username}


def _steps(period: Period) -> list[dict[str, str]]:
    steps = []
    order = list(Status.values)
    for after in sorted(next_steps(period.cadence, period.status), key=order.index):
        if period.status == Status.APPROVAL and after == Status.REPLY:
            steps.append({"to": after, "label": _("trả lại để chỉnh sửa"), "role": "approver"})
            continue
        role = "approver" if after == Status.APPROVED else "coordinator"
        steps.append({"to": after, "label": str(Status(after).label), "role": role})
    if period.status == Status.APPRAISAL:
        current = round_current(period)
        if current is not None and current.number < period.review_rounds:
            steps.insert(
                0,
                {
                    "to": w.NEXT_ROUND,
                    "label": _("mở lần thẩm định tiếp theo"),
                    "role": "coordinator",
                },
            )
    return steps


def _round(appraisal_round: Round) -> dict[str, Any]:
    return {
        "number": appraisal_round.number,
        "open": appraisal_round.is_open,
        "opened_at": appraisal_round.opened_at,
        "opened_by": appraisal_round.opened_by.username if appraisal_round.opened_by else None,
        "closed_at": appraisal_round.closed_at,
        "signed": [
            {
                "reviewer": sign_off.reviewer.username,
                "name": sign_off.reviewer.get_full_name() or sign_off.reviewer.username,
                "at": sign_off.at,
            }
            for sign_off in sorted(appraisal_round.sign_offs.all(), key=lambda x: (x.at, x.pk))
        ],
        # Only an open round waits for anyone: a reviewer assigned later did not owe a closed one.
        "pending": [_person(u) for u in pending_sign_offs(appraisal_round)]
        if appraisal_round.is_open
        else [],
    }


def workflow_document(period: Period) -> dict[str, Any]:
    period = Period.objects.get(pk=period.pk)  # the status as the last step left it
    rounds = period.rounds.select_related("opened_by").prefetch_related("sign_offs__reviewer")
    snapshot = (
        Snapshot.objects.filter(period=period).select_related("approved_by", "publication").first()
    )
    approval = None
    if snapshot is not None:
        snapshot_check(snapshot)
        publication = getattr(snapshot, "publication", None)
        approval = {
            "decision_number": snapshot.decision_number,
            "decision_date": snapshot.decision_date,
            "signer": snapshot.signer,
            "approved_by": snapshot.approved_by.username,
            "approved_at": snapshot.approved_at,
            "rows_sha256": snapshot.rows_sha256,
            "published_at": publication.published_at if publication else None,
        }
    return {
        "period": period.code,
        "title": period.title,
        "status": period.status,
        "status_label": str(Status(period.status).label),
        "review_rounds": period.review_rounds,
        "adjustment_threshold": (
            numbers.plain(period.adjustment_threshold)
            if period.adjustment_threshold is not None
            else None
        ),
        "decimals": period.decimals,
        "next_steps": _steps(period),
        "rounds": [_round(r) for r in rounds.order_by("number")],
        "history": [
            {
                "before": t.before,
                "after": t.after,
                "actor": t.actor.username if t.actor else None,
                "actor_name": (t.actor.get_full_name() or t.actor.username) if t.actor else "",
                "at": t.at,
                "reason": t.reason,
            }
            for t in period.transitions.select_related("actor").order_by("at", "pk")
        ],
        "approval": approval,
    }


@extend_schema(tags=["workflow"], parameters=[PERIOD])
class PeriodWorkflow(APIView):
    """The period's process: status, the steps allowed next, review rounds with their sign-offs,
    and every step taken (who, when, why)."""

    @extend_schema(
        operation_id="workflow_retrieve",
        responses={200: w.WorkflowSerializer, **READ_ERRORS},
    )
    def get(self, request: Request, period: str) -> Response:
        found = workflow_period(request, period)
        return Response(w.WorkflowSerializer(workflow_document(found)).data)


def _transition(period: Period, actor: Any, data: dict[str, Any]) -> None:
    to, reason = data["to"], data["reason"]
    if to == Status.APPRAISAL:
        appraisal_start(period=period, actor=actor, reason=reason)
    elif to == w.NEXT_ROUND:
        round_open_next(period=period, actor=actor)
    elif to == Status.REPLY and period.status == Status.APPROVAL:
        # approval → reply is the approver sending the results back, never a coordinator's
        # reply_open (which would skip the approver).
        approval_return(period=period, actor=actor, reason=reason)
    elif to == Status.REPLY:
        reply_open(period=period, actor=actor, reason=reason)
    elif to == Status.APPROVAL:
        approval_request(period=period, actor=actor, reason=reason)
    elif to == Status.APPROVED:
        approve(
            period=period,
            actor=actor,
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            signer=data["signer"],
        )
    elif to == Status.PUBLISHED:
        publish(period=period, actor=actor)
    else:  # pragma: no cover - the serializer admits only the steps above
        raise Http404


@extend_schema(tags=["workflow"], parameters=[PERIOD])
class PeriodTransitionCreate(APIView):
    @extend_schema(
        operation_id="transition_create",
        summary="Take a step of the process (coordinator; approver for approved and for a return)",
        request=w.TransitionWriteSerializer,
        responses={200: w.WorkflowSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request: Request, period: str) -> Response:
        found = workflow_period(request, period)
        refuse_tokens(request)
        if not has_role(request.user, COORDINATOR, APPROVER, ADMINISTRATOR):
            # Reviewers see the process; they take no step of it, whatever the body says.
            raise exceptions.PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
        data = body_read(w.TransitionWriteSerializer(data=request.data))
        service_call(lambda: _transition(found, request.user, data))
        return Response(w.WorkflowSerializer(workflow_document(found)).data)


@extend_schema(tags=["workflow"], parameters=[PERIOD])
class RoundSignOff(APIView):
    @extend_schema(
        operation_id="round_sign_off",
        summary="A reviewer confirms their part of the open round (the last one closes it)",
        request=None,
        responses={200: w.SignOffResultSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request: Request, period: str) -> Response:
        found = workflow_period(request, period)
        refuse_tokens(request)
        if request.user not in reviewers_of(found):
            # Coordinators and approvers see the process but never sign a round.
            raise exceptions.PermissionDenied(_("Bạn không được phân công thẩm định trong kỳ này."))
        current = service_call(lambda: round_open(found))
        closed = service_call(
            lambda: round_sign_off(appraisal_round=current, reviewer=request.user)
        )
        current = Round.objects.get(pk=current.pk)
        return Response(
            w.SignOffResultSerializer({"round": _round(current), "closed": closed}).data
        )


def _decisions(submission: Submission) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(submission=submission)
        .select_related("round", "node", "reviewer", "second_reviewer")
        .prefetch_related(
            Prefetch("explanations", queryset=Explanation.objects.select_related("author"))
        )
        .order_by("round__number", "created_at", "pk")
    )


class DecisionList(generics.ListAPIView):
    """Every decision on the unit in the period, superseded ones included (nothing is
    overwritten): for the reviewers assigned to the unit, coordinators and the unit's people."""

    serializer_class = w.DecisionSerializer

    @extend_schema(
        tags=["workflow"],
        operation_id="decision_list",
        parameters=[
            PERIOD,
            UNIT,
            _query("indicator", "indicator code"),
            _query("round", "round number"),
            _query("kind", "decision kind", [c.value for c in Decision.Kind]),
            _query("state", "decision state", [c.value for c in Decision.State]),
        ],
        responses={200: w.DecisionSerializer(many=True), **BAD_REQUEST, **READ_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Decision]:
        _clean_path(self.kwargs["period"], self.kwargs["unit"])
        submission = access_submission(
            self.request.user, self.kwargs["period"], self.kwargs["unit"]
        )
        qs = _decisions(submission)
        if indicator := query_param(self.request, "indicator"):
            qs = qs.filter(node__code=indicator)
        if number := query_param(self.request, "round"):
            if not number.isdigit() or len(number) > 4:
                raise exceptions.ValidationError({"round": ["A round number, e.g. 1."]})
            qs = qs.filter(round__number=int(number))
        if kind := query_param(self.request, "kind"):
            qs = qs.filter(kind=kind)
        if state := query_param(self.request, "state"):
            qs = qs.filter(state=state)
        return qs

    @extend_schema(
        tags=["workflow"],
        operation_id="decision_create",
        summary="A reviewer decides on one indicator of the unit in the open round",
        parameters=[PERIOD, UNIT],
        request=w.DecisionWriteSerializer,
        responses={201: w.DecisionSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request: Request, period: str, unit: str) -> Response:
        _clean_path(period, unit)
        submission = access_submission(request.user, period, unit)
        refuse_tokens(request)
        if not has_role(request.user, REVIEWER):
            # The service's first check, made before the body is read: the unit's people and
            # coordinators see the decisions but never make one, whatever the body says.
            raise exceptions.PermissionDenied(_("Chỉ thành viên Tổ thẩm định được thẩm định."))
        data = body_read(w.DecisionWriteSerializer(data=request.data))
        framework_id = submission.participation.period.framework_id
        # Only scored indicators with a rule are appraised (as in the reviewer's scope), never a
        # pillar or a main index as a whole.
        node = (
            Node.objects.filter(framework_id=framework_id, code=data["indicator"], scored=True)
            .exclude(rule="")
            .select_related("parent__parent__parent")
            .first()
        )
        if node is None:
            raise Refused(
                _("Bộ chỉ số của kỳ không có chỉ số %(code)s được chấm điểm.")
                % {"code": data["indicator"]}
            )
        decision = service_call(
            lambda: decide(
                submission=submission,
                node=node,
                reviewer=request.user,
                kind=data["kind"],
                score=data.get("score"),
                reason=data["reason"],
                due_on=data.get("due_on"),
            )
        )
        row = _decisions(submission).get(pk=decision.pk)
        return Response(w.DecisionSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["workflow"], parameters=[PERIOD, UNIT])
class SubmissionSubmit(APIView):
    @extend_schema(
        operation_id="submission_submit",
        summary="The unit leader submits the self-assessment (refused once it is locked)",
        request=None,
        responses={200: s.SubmissionSerializer, **ERRORS},
    )
    def post(self, request: Request, period: str, unit: str) -> Response:
        _clean_path(period, unit)
        submission = access_submission(request.user, period, unit)
        refuse_tokens(request)
        # Role and lock first: the checks below run the engine over the whole period.
        service_call(lambda: require(request.user, Action.SUBMIT, submission))
        result = unit_preview(
            period=submission.participation.period, unit_code=submission.participation.unit.code
        )[1]
        blocking = blocking_count(submission_checks(submission=submission, result=result))
        service_call(
            lambda: submission_submit(submission=submission, actor=request.user, blocking=blocking)
        )
        row = Submission.objects.select_related(
            "participation__period", "participation__unit", "participation__group"
        ).get(pk=submission.pk)
        return Response(s.SubmissionSerializer(row).data)
