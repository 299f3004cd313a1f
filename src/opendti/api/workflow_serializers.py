"""What the appraisal workflow endpoints read and write. Scores are decimals written as text
("12.5"): a JSON number is refused, so that no float ever stands between a reviewer and the score
that is stored."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from opendti import numbers
from opendti.appraisal.models import Decision
from opendti.periods.models import Period

# The step names a client sends: the period's statuses it may move to, plus the next review
# round (which stays in the appraisal status).
NEXT_ROUND = "next_round"
STEP_CHOICES = [
    (Period.Status.APPRAISAL.value, Period.Status.APPRAISAL.label),
    (NEXT_ROUND, _("mở lần thẩm định tiếp theo")),
    (Period.Status.REPLY.value, Period.Status.REPLY.label),
    (Period.Status.APPROVAL.value, Period.Status.APPROVAL.label),
    (Period.Status.APPROVED.value, Period.Status.APPROVED.label),
    (Period.Status.PUBLISHED.value, Period.Status.PUBLISHED.label),
]
SCORE_PATTERN = r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"  # numbers.Notation.PLAIN, within its limits


class InlineChoiceField(serializers.ChoiceField):
    """A choice field whose enum stays inline in the schema. drf-spectacular hoists every
    property's enum into a component named after the field, and "status" and "kind" already name
    other choice sets: hoisting these would rename the existing StatusEnum. Wrapped in anyOf (an
    allOf of one is unwrapped again), the enum is left where it is."""


class InlineChoiceFieldScheme(OpenApiSerializerFieldExtension):
    target_class = InlineChoiceField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {"anyOf": [{"type": "string", "enum": [str(v) for v in self.target.choices]}]}


def _choice(choices: list[tuple[str, Any]], **kwargs: Any) -> InlineChoiceField:
    return InlineChoiceField(choices=choices, **kwargs)


class ErrorSerializer(serializers.Serializer):
    """A refusal: `detail` is the message shown to people (Vietnamese); `errors` names the fields
    of a body that could not be read."""

    detail = serializers.CharField()
    errors = serializers.DictField(  # type: ignore[assignment]  # a field named like a Serializer attribute
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


@extend_schema_field(OpenApiTypes.STR)
class DecimalText(serializers.Field):
    """Out: a stored decimal as text without trailing zeros (45.5000 → "45.5")."""

    def to_representation(self, value: Decimal) -> str:
        return numbers.plain(value)


@extend_schema_field(
    {"type": "string", "pattern": SCORE_PATTERN, "maxLength": 32, "example": "12.5"}
)
class ScoreText(serializers.Field):
    """In: a score as a decimal string. Range and decimals are the service's to check, with the
    message people see on the site."""

    default_error_messages = {
        "invalid": _('Điểm phải là chuỗi số thập phân, ví dụ "12.5".'),
    }

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return numbers.parse(data, notation=numbers.Notation.PLAIN)
        except numbers.NumberError:
            self.fail("invalid")

    def to_representation(self, value: Decimal) -> str:
        return numbers.plain(value)


def _name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


class PersonSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()


class StepSerializer(serializers.Serializer):
    """A step the process table allows from the period's current status. The service may still
    refuse it (409) when its guard is not met, e.g. a round still open."""

    to = _choice(STEP_CHOICES)
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute
    role = _choice(
        [("coordinator", "coordinator"), ("approver", "approver")], help_text="who takes this step"
    )


class SignOffSerializer(serializers.Serializer):
    reviewer = serializers.CharField()
    name = serializers.CharField()
    at = serializers.DateTimeField()


class RoundSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    open = serializers.BooleanField()
    opened_at = serializers.DateTimeField()
    opened_by = serializers.CharField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    signed = SignOffSerializer(many=True)
    pending = PersonSerializer(many=True, help_text="reviewers yet to sign off (open round)")


class TransitionSerializer(serializers.Serializer):
    before = _choice(Period.Status.choices)
    after = _choice(Period.Status.choices)
    actor = serializers.CharField(allow_null=True)
    actor_name = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField()
    reason = serializers.CharField(allow_blank=True)


class ApprovalSerializer(serializers.Serializer):
    """The approval decision recorded with the frozen snapshot, and its publication. A quarterly
    period is published by the coordinator without a decision: number and signer empty, no
    date; `approved_by`/`approved_at` then say who froze and published the results, when."""

    decision_number = serializers.CharField(allow_blank=True)
    decision_date = serializers.DateField(allow_null=True)
    signer = serializers.CharField(allow_blank=True)
    approved_by = serializers.CharField()
    approved_at = serializers.DateTimeField()
    rows_sha256 = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


class WorkflowSerializer(serializers.Serializer):
    period = serializers.CharField()
    title = serializers.CharField()
    status = _choice(Period.Status.choices)
    status_label = serializers.CharField()
    review_rounds = serializers.IntegerField()
    adjustment_threshold = serializers.CharField(
        allow_null=True, help_text="decimal; null: no second reviewer needed"
    )
    decimals = serializers.IntegerField()
    next_steps = StepSerializer(many=True)
    rounds = RoundSerializer(many=True)
    history = TransitionSerializer(many=True)
    approval = ApprovalSerializer(allow_null=True)


class TransitionWriteSerializer(serializers.Serializer):
    """`to`: the step. From "approval", "reply" is the approver returning the results (the reason
    is then required). "approved" needs the decision's number, date and signer."""

    to = _choice(STEP_CHOICES)
    reason = serializers.CharField(allow_blank=True, max_length=2000, default="")
    decision_number = serializers.CharField(max_length=100, required=False)
    decision_date = serializers.DateField(required=False)
    signer = serializers.CharField(max_length=200, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["to"] == Period.Status.APPROVED:
            missing = [
                name for name in ("decision_number", "decision_date", "signer") if name not in attrs
            ]
            if missing:
                raise serializers.ValidationError(
                    {
                        name: [_("Nhập số quyết định, ngày quyết định và người ký.")]
                        for name in missing
                    }
                )
        return attrs


class SignOffResultSerializer(serializers.Serializer):
    round = RoundSerializer()
    closed = serializers.BooleanField(help_text="this sign-off was the last: the round closed")


class ExplanationSerializer(serializers.Serializer):
    author = serializers.CharField(source="author.username", allow_null=True, default=None)
    text = serializers.CharField()
    at = serializers.DateTimeField()


class DecisionSerializer(serializers.ModelSerializer):
    round = serializers.IntegerField(source="round.number")
    indicator = serializers.CharField(source="node.code")
    self_score = DecimalText(
        read_only=True, allow_null=True, help_text="decimal: the unit's own score"
    )
    score = DecimalText(read_only=True, allow_null=True, help_text="decimal: the adjusted score")
    reviewer = serializers.CharField(source="reviewer.username")
    reviewer_name = serializers.SerializerMethodField()
    second_reviewer = serializers.CharField(
        source="second_reviewer.username", allow_null=True, default=None
    )
    kind = _choice(Decision.Kind.choices)
    state = _choice(Decision.State.choices)
    explanations = ExplanationSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "round",
            "indicator",
            "kind",
            "state",
            "self_score",
            "score",
            "reason",
            "due_on",
            "reviewer",
            "reviewer_name",
            "second_reviewer",
            "second_note",
            "second_at",
            "created_at",
            "explanations",
        ]

    def get_reviewer_name(self, decision: Decision) -> str:
        return _name(decision.reviewer)


class DecisionWriteSerializer(serializers.Serializer):
    """A reviewer's decision on one indicator of the unit in the open round: accept; adjust
    (`score` and `reason`); request a supplement (`reason` and `due_on`)."""

    indicator = serializers.CharField(max_length=50)
    kind = _choice(Decision.Kind.choices)
    score = ScoreText(required=False, allow_null=True, help_text="for adjust only")
    reason = serializers.CharField(allow_blank=True, max_length=5000, default="")
    due_on = serializers.DateField(required=False, allow_null=True, help_text="for request only")
