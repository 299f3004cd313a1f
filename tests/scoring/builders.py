"""Small builders for engine inputs, so that each test states only what it is about."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from opendti.scoring.model import (
    Assessment,
    Band,
    BandScheme,
    Framework,
    Node,
    Pillar,
    Settings,
    UnitSpec,
    Value,
)
from opendti.scoring.rules import build_rule

D = Decimal
Number = int | str | Decimal


def node(
    code: str,
    max_points: Number,
    parent: str | None = None,
    *,
    kind: str | None = None,
    rule: str | None = None,
    params: Mapping[str, object] | None = None,
    pillars: Iterable[str] = (),
    scored: bool = True,
    applies_to: Iterable[str] = (),
    deployed: bool = True,
) -> Node:
    maximum = D(str(max_points))
    return Node(
        code=code,
        name=code.upper(),
        kind=kind or ("main" if parent is None else "criterion"),
        max_points=maximum,
        parent=parent,
        pillars=tuple(pillars),
        scored=scored,
        rule=build_rule(rule, dict(params or {}), maximum) if rule else None,
        applies_to=frozenset(applies_to),
        deployed=deployed,
    )


def scheme(basis: str, *bands: tuple[str, Number | None, bool]) -> BandScheme:
    return BandScheme(
        basis,
        tuple(
            Band(label, None if lower is None else D(str(lower)), inclusive)
            for label, lower, inclusive in bands
        ),
    )


def unit(code: str, group: str = "", *, ranked: bool = True) -> UnitSpec:
    return UnitSpec(code, code.upper(), group, ranked)


def _value(raw: object) -> Value:
    if isinstance(raw, bool | Decimal | str):
        return raw
    if isinstance(raw, int | float):
        return D(str(raw))
    raise TypeError(raw)


def assessment(
    nodes: Iterable[Node],
    units: Iterable[UnitSpec | str],
    *,
    values: Mapping[str, Mapping[str, object]] | None = None,
    scores: Mapping[str, Mapping[str, Number]] | None = None,
    pillars: Iterable[str] = (),
    total_bands: BandScheme | None = None,
    pillar_bands: BandScheme | None = None,
    decimals: int = 2,
    not_deployed: str = "exclude",
    band_on: str = "exact",
) -> Assessment:
    """`values[indicator][unit]` is either one value (single-input rules) or {input: value}."""
    parsed: dict[str, dict[str, dict[str, Value]]] = {}
    for indicator, column in (values or {}).items():
        for code, raw in column.items():
            inputs = raw if isinstance(raw, Mapping) else {"": raw}
            parsed.setdefault(indicator, {})[code] = {k: _value(v) for k, v in inputs.items()}
    given = {
        target: {code: D(str(score)) for code, score in column.items()}
        for target, column in (scores or {}).items()
    }
    return Assessment(
        framework=Framework(
            tuple(nodes),
            tuple(Pillar(code, code.upper()) for code in pillars),
            total_bands,
            pillar_bands,
        ),
        units=tuple(u if isinstance(u, UnitSpec) else unit(u) for u in units),
        values=parsed,
        given_scores=given,
        settings=Settings(decimals=decimals, not_deployed=not_deployed, band_on=band_on),
    )
