"""The engine's vocabulary: frozen dataclasses for frameworks, rules, band schemes, inputs and results.

Everything here is plain data. The engine never reads a database or a file: callers (the Django
`results` app, the workbook reader) build these objects and hand them to `engine.score_period`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

# 1.1.0: bands decided on the exact share unless a period says `band_on: displayed`; a missing
# informational value is a note, not a finding.
ENGINE_VERSION = "1.1.0"

TOTAL = "TOTAL"

NodeKind = Literal["group", "main", "component", "criterion"]
NODE_KINDS: tuple[str, ...] = ("group", "main", "component", "criterion")

# "integer" is a count (no decimals, never negative by default); "number" a decimal.
InputType = Literal["number", "integer", "percent", "yesno", "choice", "date", "text"]
INPUT_TYPES: tuple[str, ...] = ("number", "integer", "percent", "yesno", "choice", "date", "text")
NUMERIC_TYPES: tuple[str, ...] = ("number", "integer", "percent")

# A parsed input value: numbers and percents are Decimal, yes/no is bool.
Value = Decimal | bool | str | dt.date

NotDeployedPolicy = Literal["exclude", "zero"]
Display = Literal["points", "percent", "index"]
BandBasis = Literal["percent", "points"]
BandOn = Literal["exact", "displayed"]


@dataclass(frozen=True)
class InputSpec:
    """One raw input a leaf's rule reads: its name ("" for single-input rules), type and bounds."""

    name: str
    type: str = "number"
    unit: str = ""
    min: Decimal | None = None
    max: Decimal | None = None
    choices: tuple[str, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class Rule:
    """A leaf's scoring rule: a registered rule name and its validated parameters."""

    name: str
    params: Mapping[str, object] = field(default_factory=dict)
    inputs: tuple[InputSpec, ...] = ()


@dataclass(frozen=True)
class Node:
    """A node of the framework tree (group, main index, component indicator or criterion)."""

    code: str
    name: str
    kind: str
    max_points: Decimal
    parent: str | None = None
    pillars: tuple[str, ...] = ()
    scored: bool = True
    rule: Rule | None = None
    applies_to: frozenset[str] = frozenset()  # ranking groups; empty means every group
    deployed: bool = True


@dataclass(frozen=True)
class Pillar:
    code: str
    name: str


@dataclass(frozen=True)
class Band:
    """One band of a scheme. `lower` None marks the lowest band (everything below the others)."""

    label: str
    lower: Decimal | None
    lower_inclusive: bool = True


@dataclass(frozen=True)
class BandScheme:
    """Bands from the highest to the lowest, all on one basis (percent of max, or points)."""

    basis: str
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class Framework:
    nodes: tuple[Node, ...]
    pillars: tuple[Pillar, ...] = ()
    total_bands: BandScheme | None = None
    pillar_bands: BandScheme | None = None


@dataclass(frozen=True)
class Settings:
    decimals: int = 2
    not_deployed: str = "exclude"
    display: str = "points"
    title: str = ""
    level: str = ""
    year: str = ""
    period: str = ""
    total_max: Decimal | None = None
    # A band is decided on the exact share of the max ("exact"), or on the percent rounded to
    # `decimals` as published ("displayed", for a province that classifies that way).
    band_on: str = "exact"


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    group: str = ""
    ranked: bool = True


@dataclass(frozen=True)
class Assessment:
    """Everything needed to score one period: framework, settings, units and their data.

    Data is keyed column first, as the engine scores one indicator for all units at a time:
    `values[indicator][unit]` maps input names to parsed values, and `given_scores[target][unit]`
    holds a score given directly at a node code, a pillar code or TOTAL.
    `appraised[indicator][unit]` is the score the appraisal settled for a leaf (a reviewer's
    adjustment, or an objection upheld); it replaces the score computed from the values.
    """

    framework: Framework
    units: tuple[UnitSpec, ...]
    values: Mapping[str, Mapping[str, Mapping[str, Value]]] = field(default_factory=dict)
    given_scores: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    appraised: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """An inconsistency: what the parts give (expected), what was stated (found), and the gap."""

    unit: str
    node: str
    kind: str
    expected: str
    found: str
    difference: str
    message: str


@dataclass(frozen=True)
class PillarResult:
    score: Decimal
    max_points: Decimal
    percent: Decimal
    band: str | None
    rank: int | None
    group_rank: int | None
    # The percent with the decimals that show on which side of a bound the exact share lies,
    # where the rounded percent shows the other side (75.001 for 75.00 "more than 75 %"); else None.
    percent_detail: Decimal | None = None


@dataclass(frozen=True)
class UnitResult:
    code: str
    name: str
    group: str
    ranked: bool
    total: Decimal
    max_points: Decimal
    percent: Decimal
    index: Decimal
    band: str | None
    rank: int | None
    group_rank: int | None
    nodes: Mapping[str, Decimal | None]
    node_max: Mapping[str, Decimal | None]
    pillars: Mapping[str, PillarResult]
    percent_detail: Decimal | None = None  # as PillarResult.percent_detail


@dataclass(frozen=True)
class Averages:
    total: Decimal | None
    percent: Decimal | None
    nodes: Mapping[str, Decimal | None]
    pillars: Mapping[str, Decimal | None]


@dataclass(frozen=True)
class PeriodResult:
    units: tuple[UnitResult, ...]
    averages: Averages
    group_averages: Mapping[str, Averages]
    band_counts: Mapping[str, int]
    pillar_band_counts: Mapping[str, Mapping[str, int]]
    findings: tuple[Finding, ...]
    engine_version: str = ENGINE_VERSION
    # Data-quality notes that are not findings: an informational value not given (kind missing).
    notes: tuple[Finding, ...] = ()

    def unit(self, code: str) -> UnitResult:
        return self._by_code[code]

    @functools.cached_property
    def _by_code(self) -> dict[str, UnitResult]:
        # Read per unit by pages and checks (3,400 times a page at national scale): an index
        # instead of a scan. The first unit of a code wins, as the scan did.
        index: dict[str, UnitResult] = {}
        for result in self.units:
            index.setdefault(result.code, result)
        return index
