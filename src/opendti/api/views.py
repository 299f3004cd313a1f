"""One view per resource. Reads narrow to what the web's permission layer lets the user see
(404 otherwise); the one write takes an integrator token scoped to period, unit and indicator."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from opendti import numbers
from opendti.assessments.access import access_submission, submission_list_visible_to
from opendti.assessments.models import Answer, Evidence, EvidenceLink, InputValue, Submission
from opendti.frameworks.models import Framework, Node
from opendti.periods.models import Period
from opendti.publication.selectors import ResultSource, result_source
from opendti.results.multi_year import group_averages
from opendti.results.services import scores_year_on_year
from opendti.results.year_on_year import group_sentences
from opendti.units.models import Unit

from . import serializers as s
from .models import IntegratorToken
from .permissions import participation_get
from .services import auto_value_push

ERRORS = {
    401: OpenApiResponse(s.DetailSerializer, description="Not logged in, or a bad token"),
    403: OpenApiResponse(s.DetailSerializer, description="Visible, but not allowed"),
    404: OpenApiResponse(s.DetailSerializer, description="Missing, or not visible to you"),
}
BAD_REQUEST = {400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid query or body")}
PERIOD = OpenApiParameter("period", str, OpenApiParameter.PATH, description="period code")
UNIT = OpenApiParameter("unit", str, OpenApiParameter.PATH, description="unit code")


def _query(name: str, description: str, enum: list[str] | None = None) -> OpenApiParameter:
    return OpenApiParameter(name, str, OpenApiParameter.QUERY, description=description, enum=enum)


def query_param(request: Request, name: str) -> str | None:
    """A filter's value, or None when absent; 400 for text no database column can hold."""
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    if "\x00" in value:
        raise exceptions.ValidationError({name: ["Null characters are not allowed."]})
    return value


def _clean_path(*codes: str) -> None:
    # PostgreSQL refuses NUL in text: no code contains one, so such a path names nothing.
    if any("\x00" in code for code in codes):
        raise Http404


def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Not found."}, status=404)


def period_get(code: str) -> Period:
    _clean_path(code)
    period = Period.objects.select_related("framework").filter(code=code).first()
    if period is None:
        raise Http404
    return period


@extend_schema(tags=["frameworks"], responses={200: s.FrameworkSerializer, **ERRORS})
class FrameworkList(generics.ListAPIView):
    serializer_class = s.FrameworkSerializer

    @extend_schema(
        parameters=[_query("code", "framework code"), _query("year", "framework year")],
        responses={200: s.FrameworkSerializer(many=True), **BAD_REQUEST, **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Framework]:
        qs = Framework.objects.select_related("level").prefetch_related("pillars")
        if code := query_param(self.request, "code"):
            qs = qs.filter(code=code)
        if year := query_param(self.request, "year"):
            if not year.isdigit() or len(year) > 4:
                raise exceptions.ValidationError({"year": ["A year, e.g. 2025."]})
            qs = qs.filter(year=int(year))
        return qs.order_by("-year", "code", "-version")


@extend_schema(tags=["frameworks"], responses={200: s.FrameworkDetailSerializer, **ERRORS})
class FrameworkDetail(generics.RetrieveAPIView):
    serializer_class = s.FrameworkDetailSerializer
    queryset = Framework.objects.select_related("level").prefetch_related(
        "pillars",
        Prefetch(
            "nodes",
            queryset=Node.objects.select_related("parent").prefetch_related("pillars", "inputs"),
        ),
    )


@extend_schema(tags=["units"])
class UnitList(generics.ListAPIView):
    serializer_class = s.UnitSerializer

    @extend_schema(
        parameters=[_query("kind", "unit kind code"), _query("parent", "parent unit code")],
        responses={200: s.UnitSerializer(many=True), **BAD_REQUEST, **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Unit]:
        qs = Unit.objects.select_related("kind", "parent")
        if kind := query_param(self.request, "kind"):
            qs = qs.filter(kind__code=kind)
        if parent := query_param(self.request, "parent"):
            qs = qs.filter(parent__code=parent)
        return qs.order_by("code")


@extend_schema(tags=["units"], parameters=[UNIT], responses={200: s.UnitSerializer, **ERRORS})
class UnitDetail(generics.RetrieveAPIView):
    serializer_class = s.UnitSerializer
    queryset = Unit.objects.select_related("kind", "parent")
    lookup_field = "code"
    lookup_url_kwarg = "unit"

    def get_object(self) -> Unit:
        _clean_path(self.kwargs["unit"])
        return super().get_object()


def _periods() -> QuerySet[Period]:
    return Period.objects.select_related("previous", "carry_over_from").prefetch_related("phases")


@extend_schema(tags=["periods"])
class PeriodList(generics.ListAPIView):
    serializer_class = s.PeriodSerializer

    @extend_schema(
        parameters=[
            _query("year", "period year"),
            _query("framework", "framework id"),
        ],
        responses={200: s.PeriodSerializer(many=True), **BAD_REQUEST, **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Period]:
        qs = _periods()
        for name, field in (("year", "year"), ("framework", "framework_id")):
            if value := query_param(self.request, name):
                if not value.isdigit() or len(value) > 9:
                    raise exceptions.ValidationError({name: ["A whole number."]})
                qs = qs.filter(**{field: int(value)})
        return qs.order_by("-year", "code")


@extend_schema(tags=["periods"], parameters=[PERIOD], responses={200: s.PeriodSerializer, **ERRORS})
class PeriodDetail(generics.RetrieveAPIView):
    serializer_class = s.PeriodSerializer
    queryset = _periods()
    lookup_field = "code"
    lookup_url_kwarg = "period"

    def get_object(self) -> Period:
        _clean_path(self.kwargs["period"])
        return super().get_object()


@extend_schema(tags=["submissions"])
class SubmissionList(generics.ListAPIView):
    """The submissions of a period that the user may see (their own unit's; all for coordinators)."""

    serializer_class = s.SubmissionSerializer

    @extend_schema(
        parameters=[
            PERIOD,
            _query("status", "submission status", [c.value for c in Submission.Status]),
            _query("unit", "unit code"),
        ],
        responses={200: s.SubmissionSerializer(many=True), **BAD_REQUEST, **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Submission]:
        period = period_get(self.kwargs["period"])
        qs = submission_list_visible_to(self.request.user).filter(participation__period=period)
        qs = qs.select_related("participation__group")
        if status := query_param(self.request, "status"):
            qs = qs.filter(status=status)
        if unit := query_param(self.request, "unit"):
            qs = qs.filter(participation__unit__code=unit)
        return qs


def indicator_values(
    submission: Submission, nodes: list[Node] | None = None
) -> list[dict[str, Any]]:
    """Every indicator with inputs, with this submission's values (empty when none yet)."""
    framework = submission.participation.period.framework
    if nodes is None:
        nodes = list(
            Node.objects.filter(framework=framework, inputs__isnull=False)
            .distinct()
            .order_by("order")
        )
    values: dict[int, dict[str, str]] = {}
    for row in InputValue.objects.filter(submission=submission, node__in=nodes):
        values.setdefault(row.node_id, {})[row.input_name] = row.value
    answers = {
        a.node_id: a
        for a in Answer.objects.filter(submission=submission, node__in=nodes).select_related(
            "updated_by"
        )
    }
    rows = []
    for node in nodes:
        answer = answers.get(node.pk)
        rows.append(
            {
                "indicator": node.code,
                "source": node.source,
                "values": values.get(node.pk, {}),
                "version": answer.version if answer else 0,
                "is_estimate": answer.is_estimate if answer else False,
                "carried_over": answer.carried_over if answer else False,
                "note": answer.note if answer else "",
                "updated_at": answer.updated_at if answer else None,
                "updated_by": (
                    answer.updated_by.get_username() if answer and answer.updated_by else None
                ),
            }
        )
    return rows


class ValueList(generics.ListAPIView):
    serializer_class = s.IndicatorValueSerializer

    @extend_schema(
        tags=["values"],
        parameters=[
            PERIOD,
            UNIT,
            _query("indicator", "indicator code"),
            _query("source", "where the value comes from", [c.value for c in Node.Source]),
        ],
        responses={200: s.IndicatorValueSerializer(many=True), **BAD_REQUEST, **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        _clean_path(self.kwargs["period"], self.kwargs["unit"])
        submission = access_submission(
            self.request.user, self.kwargs["period"], self.kwargs["unit"]
        )
        rows = indicator_values(submission)
        if indicator := query_param(self.request, "indicator"):
            rows = [r for r in rows if r["indicator"] == indicator]
        if source := query_param(self.request, "source"):
            rows = [r for r in rows if r["source"] == source]
        return rows

    @extend_schema(
        tags=["values"],
        operation_id="values_push",
        summary="Push a measured value of an auto-measured indicator (integrator token only)",
        parameters=[PERIOD, UNIT],
        request=s.ValueWriteSerializer,
        responses={200: s.IndicatorValueSerializer, **BAD_REQUEST, **ERRORS},
    )
    def post(self, request: Request, period: str, unit: str) -> Response:
        _clean_path(period, unit)
        token = request.auth if isinstance(request.auth, IntegratorToken) else None
        if token is None:
            # People write through the workspace; the API answers as the web would for the unit.
            access_submission(request.user, period, unit)
            raise exceptions.PermissionDenied(
                "Only an integrator token may write values through the API."
            )
        participation = participation_get(period, unit)
        body = s.ValueWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        node = Node.objects.filter(
            framework=participation.period.framework, code=data["indicator"]
        ).first()
        if node is None:
            raise exceptions.ValidationError(
                {"indicator": [f"No indicator {data['indicator']!r} in this period's framework."]}
            )
        try:
            answer = auto_value_push(
                token=token,
                participation=participation,
                node=node,
                raw=data["values"],
                measured_at=data["measured_at"],
                source=data["source"],
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"values": error.messages}) from None
        (row,) = indicator_values(answer.submission, [node])
        return Response(s.IndicatorValueSerializer(row).data)


@extend_schema(tags=["evidence"])
class EvidenceList(generics.ListAPIView):
    serializer_class = s.EvidenceSerializer

    @extend_schema(
        parameters=[
            PERIOD,
            UNIT,
            _query("indicator", "indicator code"),
            _query("kind", "evidence kind", [c.value for c in Evidence.Kind]),
        ],
        responses={200: s.EvidenceSerializer(many=True), **BAD_REQUEST, **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Evidence]:
        _clean_path(self.kwargs["period"], self.kwargs["unit"])
        submission = access_submission(
            self.request.user, self.kwargs["period"], self.kwargs["unit"]
        )
        qs = Evidence.objects.filter(submission=submission).prefetch_related(
            Prefetch("links", queryset=EvidenceLink.objects.select_related("node"))
        )
        if indicator := query_param(self.request, "indicator"):
            qs = qs.filter(links__node__code=indicator).distinct()
        if kind := query_param(self.request, "kind"):
            qs = qs.filter(kind=kind)
        return qs.order_by("pk")


def _text(value: Any) -> str | None:
    return numbers.fixed(value, 0)  # exact: the places the engine computed


def _readable_results(request: Request, code: str) -> ResultSource:
    """The period's results as the user may read them, as the portal decides."""
    user = request.user
    _clean_path(code)
    period = Period.objects.select_related("framework__level").filter(code=code).first()
    source = result_source(user, period) if period is not None else None
    if source is None:
        # Without credentials, anything unpublished asks for them, whether or not the
        # period exists: an unknown code and an unpublished period answer alike.
        if not user.is_authenticated:
            raise exceptions.NotAuthenticated
        raise Http404
    return source


@extend_schema(tags=["results"])
class ResultList(generics.ListAPIView):
    """A period's results. Published ones are public (no login, no token) and read from the
    approved snapshot; before publication, coordinators, approvers and administrators only: the
    snapshot once approved, before that the provisional results computed now by the engine."""

    serializer_class = s.UnitResultSerializer
    # Anyone may ask: get_queryset answers 401 (anonymous) or 404 for what is not published.
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[PERIOD, _query("group", "ranking group code"), _query("unit", "unit code")],
        responses={200: s.UnitResultSerializer(many=True), **BAD_REQUEST, **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        source = _readable_results(self.request, self.kwargs["period"])
        group = query_param(self.request, "group")
        unit = query_param(self.request, "unit")
        result = source.scores().result
        return [
            {
                "unit": u.code,
                "name": u.name,
                "group": u.group,
                "ranked": u.ranked,
                "total": _text(u.total),
                "max_points": _text(u.max_points),
                "percent": _text(u.percent),
                "band": u.band,
                "percent_detail": _text(u.percent_detail),
                "rank": u.rank,
                "group_rank": u.group_rank,
                "nodes": {code: _text(v) for code, v in u.nodes.items()},
                "engine_version": result.engine_version,
            }
            for u in result.units
            if (group is None or u.group == group) and (unit is None or u.code == unit)
        ]


@extend_schema(tags=["results"])
class YearOnYear(generics.GenericAPIView):
    """A period's results against its previous period, per ranking group (the statistics of the
    results page, the open data and the report). Readable by whoever may read the period's
    results, from the same source (the published snapshot, or provisional results)."""

    serializer_class = s.YearOnYearSerializer
    permission_classes = [AllowAny]

    @extend_schema(parameters=[PERIOD], responses={200: s.YearOnYearSerializer, **ERRORS})
    def get(self, request, *args, **kwargs):
        source = _readable_results(request, kwargs["period"])
        period = source.period
        statistics = scores_year_on_year(period=period, scores=source.scores())
        previous = None
        if statistics is not None and period.previous_id is not None:
            previous = Period.objects.filter(pk=period.previous_id).values_list("code", flat=True)
            previous = previous.first()
        groups = []
        for g in statistics.groups if statistics is not None else ():
            groups.append(
                {
                    "group": g.group,
                    "name": g.name,
                    "previous_average": _text(g.previous_average),
                    "average": _text(g.average),
                    "change": _text(g.change),
                    "percent_change": _text(g.percent_change),
                    "units": g.units,
                    "previous_units": g.previous_units,
                    "band_counts": dict(g.band_counts),
                    "previous_band_counts": dict(g.previous_band_counts),
                    "transitions": [
                        {"from_band": a, "to_band": b, "count": n} for a, b, n in g.transitions
                    ],
                    "new_units": list(g.new_units),
                    "gone_units": list(g.gone_units),
                    "most_improved": list(g.most_improved),
                    "most_change": _text(g.most_change),
                    "least_improved": list(g.least_improved),
                    "least_change": _text(g.least_change),
                    "band_changes": [
                        {
                            "unit": m.unit,
                            "name": m.name,
                            "from_band": m.previous_band,
                            "to_band": m.band,
                            "change": _text(m.change),
                        }
                        for m in g.band_changes
                    ],
                    "sentences": group_sentences(g),
                }
            )
        user = request.user
        years = group_averages(
            period,
            source.scores().result,
            lambda p: found.scores().result if (found := result_source(user, p)) else None,
        )
        document = {
            "period": period.code,
            "previous_period": previous,
            "groups": groups,
            "years": [
                {
                    "period": code,
                    "label": label,
                    "averages": {g: _text(years.averages[g][i]) for g, _name in years.groups},
                }
                for i, (code, label) in enumerate(zip(years.codes, years.labels, strict=True))
            ],
        }
        return Response(s.YearOnYearSerializer(document).data)
