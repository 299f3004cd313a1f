"""Reads that turn a period in the database into the engine's input.

The database's columns are read as typed rows (`period_typed`: Decimals, flags, lists) and go
through the same checks as a workbook file's cells (`opendti.workbook.validate`), so files and
database cannot drift, without writing the period as text and parsing it back. The text rows
(`period_rows`) are written from the same typed rows, for what keeps or shows text: a snapshot
freezes them and its seal hashes them; an export writes them.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from json.encoder import encode_basestring as _quote  # json.dumps' own, without ASCII escapes

from opendti.assessments.models import AppraisedScore, GivenScore, InputValue
from opendti.frameworks.models import Band, Node
from opendti.numbers import plain
from opendti.periods.models import Participation, Period
from opendti.scoring.model import Assessment
from opendti.units.models import Lineage
from opendti.workbook.errors import WorkbookError
from opendti.workbook.parse import ParsedWorkbook, cell_errors
from opendti.workbook.sheets import RawWorkbook, raw_from_rows
from opendti.workbook.validate import (
    Bad,
    BandRow,
    NodeRow,
    PillarRow,
    ScoreRow,
    SettingsRow,
    TypedWorkbook,
    UnitRow,
    ValueRow,
    build,
    canonical,
)

Rows = dict[str, list[dict[str, str]]]
# The settings as written, in the order written; an empty one is left out (and so is its row).
_SETTINGS_ORDER = (
    "title", "level", "year", "period", "total_max", "decimals", "display", "not_deployed",
    "band_on",
)  # fmt: skip


def _maybe(number: Decimal | None) -> Decimal | None:
    return None if number is None else canonical(number)


def period_typed(period: Period, *, appraised: bool = True) -> TypedWorkbook:
    """The period as typed workbook rows, in the workbook's order. With `appraised`, the scores
    the appraisal settled replace computed ones (the final results); without, the units' own."""
    framework = period.framework
    text = {
        "title": period.title,
        "level": framework.level.code,
        "year": str(period.year),
        "period": period.label,
        "total_max": plain(framework.total_max),
        "decimals": str(period.decimals),
        "display": period.display,
        "not_deployed": period.not_deployed_policy,
        # Always written, default or not: a frozen snapshot then says how it was classified.
        "band_on": period.band_on,
    }
    written = [key for key in _SETTINGS_ORDER if text[key] != ""]
    settings = SettingsRow(
        title=period.title,
        level=framework.level.code,
        year=str(period.year),
        period=period.label,
        total_max=_maybe(framework.total_max),
        decimals=period.decimals,
        display=period.display,
        not_deployed=period.not_deployed_policy,
        band_on=period.band_on,
        rows={key: i for i, key in enumerate(written)},
    )
    node_pillars: dict[int, list[tuple[int, int, str]]] = {}
    for node_id, order, pillar, code in Node.pillars.through.objects.filter(
        node__framework=framework
    ).values_list("node_id", "pillar__order", "pillar_id", "pillar__code"):
        node_pillars.setdefault(node_id, []).append((order, pillar, code))
    not_deployed = set(period.not_deployed.values_list("pk", flat=True))
    nodes = tuple(
        NodeRow(
            code=code,
            parent=parent or "",
            name=name,
            kind=kind,
            max_points=canonical(max_points),
            pillars=tuple(c for _, _, c in sorted(node_pillars.get(pk, []))),
            scored=scored,
            rule=rule,
            params=params if rule else "",
            applies_to=tuple(applies_to),
            deployed=pk not in not_deployed,
            evidence_required=evidence_required,
            source=source if source != Node.Source.SELF else "",
            guidance=guidance,
            verifier=verifier,
        )
        for (
            pk,
            code,
            parent,
            name,
            kind,
            max_points,
            scored,
            rule,
            params,
            applies_to,
            evidence_required,
            source,
            guidance,
            verifier,
        ) in Node.objects.filter(framework=framework)
        .order_by("order", "pk")
        .values_list(
            "pk",
            "code",
            "parent__code",
            "name",
            "kind",
            "max_points",
            "scored",
            "rule",
            "params",
            "applies_to",
            "evidence_required",
            "source",
            "guidance",
            "verifier",
        )
    )
    bands = tuple(
        BandRow(
            scheme=scope,
            label=label,
            basis=basis,
            lower=_maybe(lower),
            # Written only with a bound: the lowest band's empty flag reads as inclusive.
            lower_inclusive=inclusive if lower is not None else True,
        )
        for scope, basis, label, lower, inclusive in Band.objects.filter(
            scheme__framework=framework
        )
        .order_by("scheme__scope", "order", "pk")
        .values_list("scheme__scope", "scheme__basis", "label", "lower", "lower_inclusive")
    )
    participations = Participation.objects.filter(period=period)
    predecessors: dict[int, list[str]] = {}
    for successor, code in (
        Lineage.objects.filter(successor__in=participations.values("unit_id"))
        .order_by("pk")
        .values_list("successor_id", "predecessor__code")
    ):
        predecessors.setdefault(successor, []).append(code)
    units = tuple(
        UnitRow(
            code=code,
            name=name,
            group=group or "",
            ranked=ranked,
            kind=kind or "",
            predecessors=tuple(predecessors[unit]) if unit in predecessors else None,
        )
        for unit, code, name, group, ranked, kind in participations.order_by(
            "order", "pk"
        ).values_list(
            "unit_id", "unit__code", "unit__name", "group__code", "ranked", "unit__kind__code"
        )
    )
    in_period = {"submission__participation__period": period}
    values: list[ValueRow] = list(
        InputValue.objects.filter(**in_period)
        .order_by("submission__participation__order", "node__order", "input_name")
        .values_list("submission__participation__unit__code", "node__code", "input_name", "value")
    )
    scores: list[ScoreRow] = [
        (unit, target, canonical(score))
        for unit, target, score in GivenScore.objects.filter(**in_period)
        .order_by("submission__participation__order", "pk")
        .values_list("submission__participation__unit__code", "target", "score")
    ]
    settled: list[ScoreRow] = []
    if appraised:
        settled = [
            (unit, node, canonical(score))
            for unit, node, score in AppraisedScore.objects.filter(**in_period)
            .order_by("submission__participation__order", "node__order")
            .values_list("submission__participation__unit__code", "node__code", "score")
        ]
    return TypedWorkbook(
        settings=settings,
        pillars=tuple(
            PillarRow(code, name)
            for code, name in framework.pillars.order_by("order", "pk").values_list("code", "name")
        ),
        nodes=nodes,
        bands=bands,
        units=units,
        values=values,
        scores=scores,
        appraised=settled,
    )


def _plain(number: Decimal | Bad | None) -> str:
    assert not isinstance(number, Bad)  # the database's rows are typed: nothing failed to read
    return plain(number)


def _on(flag: bool | Bad) -> bool:
    assert not isinstance(flag, Bad)
    return flag


def _yes(flag: bool | Bad) -> str:
    return "yes" if _on(flag) else "no"


def text_rows(typed: TypedWorkbook, *, large: bool = True) -> Rows:
    """Typed rows from the database as the workbook's text rows (what `period_rows` gives);
    without `large`, only the framework's and units' sheets (not values and scores)."""
    s = typed.settings
    settings = {
        "title": s.title,
        "level": s.level,
        "year": s.year,
        "period": s.period,
        "total_max": _plain(s.total_max),
        "decimals": str(s.decimals),
        "display": s.display,
        "not_deployed": s.not_deployed,
        "band_on": s.band_on,
    }
    rows: Rows = {
        "settings": [{"key": k, "value": v} for k, v in settings.items() if v != ""],
        "pillars": [{"code": p.code, "name": p.name} for p in typed.pillars],
        "framework": [
            {
                "code": n.code,
                "parent": n.parent,
                "name": n.name,
                "kind": n.kind,
                "max_points": _plain(n.max_points),
                "pillars": ";".join(n.pillars),
                "scored": _yes(n.scored),
                "rule": n.rule,
                "params": n.params,
                "applies_to": ";".join(n.applies_to),
                "deployed": "" if _on(n.deployed) else "no",
                "guidance": n.guidance,
                "evidence_required": "yes" if _on(n.evidence_required) else "",
                "source": n.source,
                "verifier": n.verifier,
            }
            for n in typed.nodes
        ],
        "bands": [
            {
                "scheme": b.scheme,
                "label": b.label,
                "basis": b.basis,
                "lower": _plain(b.lower),
                "lower_inclusive": _yes(b.lower_inclusive) if b.lower is not None else "",
            }
            for b in typed.bands
        ],
        "units": [
            {
                "code": u.code,
                "name": u.name,
                "group": u.group,
                "ranked": "" if _on(u.ranked) else "no",
                "kind": u.kind,
                "predecessors": ";".join(u.predecessors or ()),
            }
            for u in typed.units
        ],
    }
    if not large:
        return rows
    rows |= {
        "values": [
            {"unit": unit, "indicator": node, "input": name, "value": value}
            for unit, node, name, value in typed.values
        ],
        "scores": [
            {"unit": unit, "node": target, "score": _plain(score)}
            for unit, target, score in typed.scores
        ],
    }
    settled = [
        {"unit": unit, "indicator": node, "score": _plain(score)}
        for unit, node, score in typed.appraised
    ]
    if settled:  # absent until the appraisal settles a score: older hashes stay valid
        rows["appraised"] = settled
    return rows


def period_rows(period: Period, *, appraised: bool = True) -> Rows:
    """The period as workbook rows. With `appraised`, the scores the appraisal settled replace
    computed ones (the final results); without, the units' own scores (self-assessment)."""
    return text_rows(period_typed(period, appraised=appraised))


def rows_hash(rows: Rows) -> str:
    canonical_text = json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical_text.encode()).hexdigest()


def typed_hash(typed: TypedWorkbook) -> str:
    """`rows_hash(text_rows(typed))`, byte for byte, without making a dict per value: the large
    sheets are written straight as the canonical JSON that `rows_hash` would write (keys sorted,
    no spaces, strings as `json.dumps` writes them without ASCII escapes)."""
    q = _quote
    sheets = {name: _canonical(rows) for name, rows in text_rows(typed, large=False).items()}
    values = ",".join(
        f'{{"indicator":{q(node)},"input":{q(name)},"unit":{q(unit)},"value":{q(value)}}}'
        for unit, node, name, value in typed.values
    )
    sheets["values"] = f"[{values}]"
    scores = ",".join(
        f'{{"node":{q(target)},"score":{q(_plain(score))},"unit":{q(unit)}}}'
        for unit, target, score in typed.scores
    )
    sheets["scores"] = f"[{scores}]"
    settled = ",".join(
        f'{{"indicator":{q(node)},"score":{q(_plain(score))},"unit":{q(unit)}}}'
        for unit, node, score in typed.appraised
    )
    if settled:  # absent until the appraisal settles a score, as in `text_rows`
        sheets["appraised"] = f"[{settled}]"
    text = "{" + ",".join(f"{q(name)}:{sheets[name]}" for name in sorted(sheets)) + "}"
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(rows: list[dict[str, str]]) -> str:
    return json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def typed_parsed(typed: TypedWorkbook) -> ParsedWorkbook:
    """Typed rows through the workbook's checks: the engine's input and the lineage, or a
    WorkbookError that names the places as the text rows would (written only then)."""
    sheets: Callable[[], RawWorkbook] = functools.cache(lambda: raw_from_rows(text_rows(typed)))
    built = build(typed)
    if built.problems:
        raise WorkbookError(cell_errors(built.problems, sheets()))
    assert built.assessment is not None
    return ParsedWorkbook(built.assessment, sheets, built.predecessors)


def period_parsed(period: Period, *, appraised: bool = True) -> tuple[ParsedWorkbook, str]:
    """The period as the checks read it (engine input and lineage), and the hash of its rows."""
    typed = period_typed(period, appraised=appraised)
    return typed_parsed(typed), typed_hash(typed)


def period_assessment(period: Period, *, appraised: bool = True) -> tuple[Assessment, str]:
    """The engine's input for a period, and the hash of the rows it was built from."""
    parsed, digest = period_parsed(period, appraised=appraised)
    return parsed.assessment, digest


def unit_input_texts(period: Period, unit_code: str) -> dict[tuple[str, str], str]:
    """(indicator, input name) -> value of one unit as the live tables hold it (the text the
    values sheet of `period_rows` carries)."""
    return {
        (node, name): value
        for node, name, value in InputValue.objects.filter(
            submission__participation__period=period,
            submission__participation__unit__code=unit_code,
        ).values_list("node__code", "input_name", "value")
    }


def unit_settled_scores(period: Period, unit_code: str, codes: set[str]) -> dict[str, Decimal]:
    """indicator -> the score the appraisal settled for one unit now, as `period_typed` reads it
    (`canonical`: the column's scale does not count)."""
    return {
        node: canonical(score)
        for node, score in AppraisedScore.objects.filter(
            submission__participation__period=period,
            submission__participation__unit__code=unit_code,
            node__code__in=sorted(codes),
        ).values_list("node__code", "score")
    }
