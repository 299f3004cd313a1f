"""What the API reads and writes, typed so that the OpenAPI schema is exact. Decimals are text."""

from __future__ import annotations

from rest_framework import serializers

from opendti.assessments.models import Evidence, Submission
from opendti.frameworks.models import Framework, InputSpec, Node, Pillar
from opendti.periods.models import Period, Phase
from opendti.units.models import Unit


class DetailSerializer(serializers.Serializer):
    """An error: 401, 403, 404 (and 400 when the body could not be read)."""

    detail = serializers.CharField()


class PillarSerializer(serializers.ModelSerializer):
    class Meta:
        model = Pillar
        fields = ["code", "name"]


class InputSpecSerializer(serializers.ModelSerializer):
    choices = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = InputSpec
        fields = ["name", "label", "type", "unit", "min_value", "max_value", "choices"]


class NodeSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)  # type: ignore[assignment]  # a field named like a Field attribute
    pillars = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)  # type: ignore[var-annotated]
    applies_to = serializers.ListField(child=serializers.CharField())
    inputs = InputSpecSerializer(many=True, read_only=True)

    class Meta:
        model = Node
        fields = [
            "code",
            "parent",
            "name",
            "kind",
            "max_points",
            "scored",
            "rule",
            "source",
            "verifier",
            "evidence_required",
            "applies_to",
            "guidance",
            "pillars",
            "inputs",
        ]


class FrameworkSerializer(serializers.ModelSerializer):
    level = serializers.CharField(source="level.code")
    pillars = PillarSerializer(many=True, read_only=True)

    class Meta:
        model = Framework
        fields = [
            "id",
            "code",
            "version",
            "name",
            "year",
            "level",
            "decision_number",
            "decision_date",
            "decision_issuer",
            "total_max",
            "pillars",
        ]


class FrameworkDetailSerializer(FrameworkSerializer):
    nodes = NodeSerializer(many=True, read_only=True)

    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "nodes"]


class UnitSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="kind.code", allow_null=True, default=None)
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)  # type: ignore[assignment]  # a field named like a Field attribute

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "parent", "valid_from", "valid_to"]


class PhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Phase
        fields = ["kind", "round_number", "starts_on", "ends_on"]


class PeriodSerializer(serializers.ModelSerializer):
    previous = serializers.CharField(source="previous.code", allow_null=True, default=None)
    carry_over_from = serializers.CharField(
        source="carry_over_from.code",
        allow_null=True,
        default=None,
        help_text="the period units carry values over from (null: the previous period)",
    )
    phases = PhaseSerializer(many=True, read_only=True)

    class Meta:
        model = Period
        fields = [
            "code",
            "title",
            "framework",
            "year",
            "label",
            "cadence",
            "quarter",
            "decimals",
            "display",
            "not_deployed_policy",
            "raw_inputs_public",
            "band_on",
            "previous",
            "carry_over_from",
            "assessed_from",
            "assessed_to",
            "phases",
        ]


class SubmissionSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="participation.period.code")
    unit = serializers.CharField(source="participation.unit.code")
    unit_name = serializers.CharField(source="participation.unit.name")
    group = serializers.CharField(source="participation.group.code", allow_null=True, default=None)

    class Meta:
        model = Submission
        fields = [
            "period",
            "unit",
            "unit_name",
            "group",
            "status",
            "submitted_at",
            "reopened_until",
        ]


class IndicatorValueSerializer(serializers.Serializer):
    """An indicator's inputs for one unit, with the answer's version and who saved it last."""

    indicator = serializers.CharField()
    source = serializers.ChoiceField(choices=Node.Source.choices)  # type: ignore[assignment]  # a field named like a Field attribute
    values = serializers.DictField(child=serializers.CharField())
    version = serializers.IntegerField()
    is_estimate = serializers.BooleanField()
    carried_over = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(allow_null=True)


class ValueText(serializers.CharField):
    """An input's value as a JSON string. Numbers are decimal strings with a dot and no grouping
    ("1234.5", "42", "-3"): a JSON number is refused, so that no float and no locale stands
    between the integrator and the stored value."""

    default_error_messages = {
        "not_text": (
            'Giá trị phải là chuỗi JSON; số viết thành chuỗi số thập phân dùng dấu chấm, ví dụ "42.5".'
        ),
    }

    def to_internal_value(self, data: object) -> str:
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


class ValueWriteSerializer(serializers.Serializer):
    """An integrator's measurement of an auto-measured indicator (inputs by name; "" is the only
    input of a single-input indicator). Each value is a string: a number as a decimal string with
    a dot ("1234.5"; a count takes digits only, "1000"), yes/no as "yes"/"no", a date as
    "YYYY-MM-DD", a choice as the option's text."""

    indicator = serializers.CharField(max_length=50)
    values = serializers.DictField(
        child=ValueText(allow_blank=True, max_length=1000, trim_whitespace=False),
        help_text=(
            'input name -> value as a string; numbers are decimal strings with a dot, e.g. "42.5"'
        ),
    )
    measured_at = serializers.DateTimeField()
    source = serializers.CharField(max_length=200)  # type: ignore[assignment]  # a field named like a Field attribute


class EvidenceSerializer(serializers.ModelSerializer):
    """Evidence metadata only: the stored file is downloaded through the web page's checked view."""

    indicators = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "title",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "url",
            "doc_number",
            "doc_date",
            "issuer",
            "summary",
            "carried_over",
            "indicators",
            "created_at",
        ]

    def get_indicators(self, evidence: Evidence) -> list[str]:
        return sorted(link.node.code for link in evidence.links.all())


class UnitResultSerializer(serializers.Serializer):
    """One unit's provisional result, as the engine computed it now (not a published snapshot)."""

    unit = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField(allow_blank=True)
    ranked = serializers.BooleanField()
    total = serializers.CharField(help_text="decimal")
    max_points = serializers.CharField(help_text="decimal")
    percent = serializers.CharField(help_text="decimal")
    band = serializers.CharField(allow_null=True)
    percent_detail = serializers.CharField(
        allow_null=True,
        help_text=(
            "decimal; null unless the rounded percent would read into another band than the "
            "exact score decides (75.00 for 75.00125 %, 'more than 75 %'): then the percent "
            "with just enough decimals to read right (75.001)"
        ),
    )
    rank = serializers.IntegerField(allow_null=True)
    group_rank = serializers.IntegerField(allow_null=True)
    nodes = serializers.DictField(child=serializers.CharField(allow_null=True))
    engine_version = serializers.CharField()


class BandTransitionSerializer(serializers.Serializer):
    from_band = serializers.CharField(allow_null=True, help_text="band last year")
    to_band = serializers.CharField(allow_null=True, help_text="band this year")
    count = serializers.IntegerField()


class BandChangeSerializer(serializers.Serializer):
    unit = serializers.CharField()
    name = serializers.CharField()
    from_band = serializers.CharField(allow_null=True)
    to_band = serializers.CharField(allow_null=True)
    change = serializers.CharField(allow_null=True, help_text="decimal, points")


class GroupYearOnYearSerializer(serializers.Serializer):
    """One ranking group against the previous period (results/year_on_year.py)."""

    group = serializers.CharField(allow_blank=True, help_text='"" for a period without groups')
    name = serializers.CharField()
    previous_average = serializers.CharField(allow_null=True, help_text="decimal")
    average = serializers.CharField(allow_null=True, help_text="decimal")
    change = serializers.CharField(allow_null=True, help_text="decimal, points")
    percent_change = serializers.CharField(
        allow_null=True, help_text="decimal, percent of the previous average; null from zero"
    )
    units = serializers.IntegerField()
    previous_units = serializers.IntegerField()
    band_counts = serializers.DictField(child=serializers.IntegerField())
    previous_band_counts = serializers.DictField(child=serializers.IntegerField())
    transitions = BandTransitionSerializer(many=True)
    new_units = serializers.ListField(child=serializers.CharField(), help_text="unit names")
    gone_units = serializers.ListField(child=serializers.CharField(), help_text="unit names")
    most_improved = serializers.ListField(child=serializers.CharField(), help_text="unit names")
    most_change = serializers.CharField(allow_null=True, help_text="decimal, points")
    least_improved = serializers.ListField(child=serializers.CharField(), help_text="unit names")
    least_change = serializers.CharField(allow_null=True, help_text="decimal, points")
    band_changes = BandChangeSerializer(many=True)
    sentences = serializers.ListField(
        child=serializers.CharField(), help_text="the statistics as provinces write them"
    )


class YearAveragesSerializer(serializers.Serializer):
    period = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute
    averages = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        help_text='group code ("" without groups) -> decimal average; null: no such group',
    )


class YearOnYearSerializer(serializers.Serializer):
    """A period against its previous period; `previous_period` null and `groups` empty when the
    period names none (or its change cannot be read)."""

    period = serializers.CharField()
    previous_period = serializers.CharField(allow_null=True)
    groups = GroupYearOnYearSerializer(many=True)
    years = YearAveragesSerializer(
        many=True,
        help_text=(
            "each ranking group's average in this period and every earlier one through "
            "`previous` that you may read, oldest first (the results page's multi-year chart)"
        ),
    )
