"""A deterministic national-size period for the scoring benchmark.

3,400 units in four ranking groups (ministries, provinces, districts, communes), a framework of
3 pillars, 9 main indices and 100 component indicators (the leaves) that mix every rule type,
including relative rules and formulas. Max points add up to 1000; bands are on percent. Raw
inputs are generated for every unit and leaf from a seeded random generator, as exact Decimals
(never through floats), with a few missing, out-of-bound and unknown values as in real data.

    python -m bench.generate          # prints a short summary of the generated period
"""

from __future__ import annotations

import random
from collections import Counter
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

SEED = 20240601

# Ranking groups and how many units each holds (3,400 in all).
GROUPS: tuple[tuple[str, int], ...] = (("bo", 22), ("tinh", 63), ("huyen", 705), ("xa", 2610))

PILLARS: tuple[tuple[str, str], ...] = (
    ("CQS", "Chính quyền số"),
    ("KTS", "Kinh tế số"),
    ("XHS", "Xã hội số"),
)

# Main indices: code, name, pillar, max points, number of component indicators.
MAINS: tuple[tuple[str, str, str, int, int], ...] = (
    ("M1", "Nhận thức số", "CQS", 130, 12),
    ("M2", "Thể chế số", "CQS", 120, 12),
    ("M3", "Hạ tầng số", "CQS", 110, 11),
    ("M4", "Nhân lực số", "CQS", 100, 11),
    ("M5", "An toàn thông tin mạng", "KTS", 100, 10),
    ("M6", "Hoạt động chính quyền số", "KTS", 120, 12),
    ("M7", "Kinh tế số", "KTS", 110, 11),
    ("M8", "Xã hội số", "XHS", 100, 10),
    ("M9", "Dữ liệu số", "XHS", 110, 11),
)

# How many leaves use each rule (100 in all).
RULE_MIX: tuple[tuple[str, int], ...] = (
    ("yes_no", 18),
    ("ratio", 18),
    ("tiers", 12),
    ("linear", 10),
    ("count", 10),
    ("choice", 10),
    ("manual", 8),
    ("formula", 8),
    ("relative", 6),
)

# Formula templates over inputs a, b, c; {m} is the leaf's max points.
FORMULAS: tuple[str, ...] = (
    "min(a / b, 1) * {m}",
    "(a + b) / 2 / 100 * {m}",
    "{m} if a >= 80 else a / 80 * {m}",
    "max(a - b, 0) / 10 + c / 100 * {m} / 2",
)

MISSING = 0.003  # share of cells left empty
TWO = Decimal("0.01")


def _dec(rng: random.Random, low: int, high: int) -> Decimal:
    """A uniform number in [low, high] with two decimals, built exactly from an integer."""
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def _split(rng: random.Random, total: int, parts: int) -> list[Decimal]:
    """`total` points split into `parts` shares, each a multiple of 0.5 and at least 4."""
    halves = total * 2
    shares = [8] * parts
    for _ in range(halves - 8 * parts):
        shares[rng.randrange(parts)] += 1
    return [Decimal(s) / 2 for s in shares]


def _params(rng: random.Random, rule: str, m: Decimal) -> dict[str, object]:
    half, quarter = (m / 2).quantize(TWO), (m / 4).quantize(TWO)
    if rule == "yes_no":
        return {"yes": str(m), "no": str(quarter)} if rng.random() < 0.3 else {}
    if rule == "ratio":
        return {
            "target": rng.choice(["1", "0.8", "0.9", "0.95"]),
            "zero_denominator": rng.choice(["zero", "full"]),
        }
    if rule == "tiers":
        return {
            "tiers": [
                {"min": "90", "points": str(m)},
                {"min": "70", "points": str((m * 3 / 4).quantize(TWO))},
                {"min": "50", "points": str(half)},
            ],
            "inclusive": rng.random() < 0.5,
            "else": "0",
        }
    if rule == "linear":
        return {"from": str(rng.randint(0, 20)), "to": str(rng.randint(80, 100))}
    if rule == "count":
        return {"points_each": rng.choice(["0.25", "0.5", "1", "1.5"]), "cap": str(m)}
    if rule == "choice":
        return {
            "choices": {
                "A": str(m),
                "B": str((m * 3 / 5).quantize(TWO)),
                "C": str(quarter),
                "D": "0",
            }
        }
    if rule == "manual":
        return {}
    if rule == "formula":
        return {"expression": rng.choice(FORMULAS).format(m=m)}
    if rule == "relative":
        return {
            "method": rng.choice(["min_max", "best"]),
            "higher_is_better": rng.random() < 0.7,
            "scope": rng.choice(["period", "group"]),
        }
    raise ValueError(rule)


def _framework(rng: random.Random) -> Framework:
    rules = [name for name, count in RULE_MIX for _ in range(count)]
    rng.shuffle(rules)
    nodes: list[Node] = []
    position = 0
    for code, name, pillar, max_points, count in MAINS:
        nodes.append(Node(code, name, "main", Decimal(max_points), pillars=(pillar,)))
        for k, m in enumerate(_split(rng, max_points, count), start=1):
            rule = rules[position]
            position += 1
            # A few indicators apply only to the upper or only to the lower levels.
            applies_to: frozenset[str] = frozenset()
            if position % 25 == 7:
                applies_to = frozenset({"bo", "tinh"})
            elif position % 25 == 19:
                applies_to = frozenset({"huyen", "xa"})
            nodes.append(
                Node(
                    f"{code}.{k}",
                    f"{name} - chỉ số thành phần {k}",
                    "component",
                    m,
                    parent=code,
                    rule=build_rule(rule, _params(rng, rule, m), m),
                    applies_to=applies_to,
                )
            )
    bands = BandScheme(
        "percent",
        (
            Band("Tốt", Decimal(80)),
            Band("Khá", Decimal(65)),
            Band("Trung bình", Decimal(50)),
            Band("Yếu", None),
        ),
    )
    return Framework(
        nodes=tuple(nodes),
        pillars=tuple(Pillar(code, name) for code, name in PILLARS),
        total_bands=bands,
        pillar_bands=bands,
    )


def _units(rng: random.Random) -> tuple[UnitSpec, ...]:
    units = []
    for group, count in GROUPS:
        for k in range(1, count + 1):
            units.append(
                UnitSpec(
                    f"{group}-{k:04d}", f"Đơn vị {group} {k}", group, ranked=rng.random() > 0.01
                )
            )
    return tuple(units)


def _inputs(rng: random.Random, node: Node, skill: float) -> dict[str, Value]:
    """One unit's raw inputs for one leaf; `skill` in [0, 1] makes a unit good or poor overall."""
    assert node.rule is not None
    rule, params, m = node.rule.name, node.rule.params, node.max_points

    def level(high: int) -> Decimal:
        lean = min(max(rng.gauss(skill, 0.2), 0.0), 1.0)
        return Decimal(round(lean * high * 100)).scaleb(-2)

    if rule == "yes_no":
        return {"": rng.random() < 0.25 + 0.7 * skill}
    if rule == "ratio":
        denominator = Decimal(rng.randint(0, 400)) if rng.random() > 0.02 else Decimal(0)
        share = min(max(rng.gauss(skill, 0.2), 0.0), 1.05)
        return {"numerator": Decimal(round(float(denominator) * share)), "denominator": denominator}
    if rule in ("tiers", "linear"):
        return {"": level(100)}
    if rule == "count":
        return {"": Decimal(rng.randint(0, 30))}
    if rule == "choice":
        option = rng.choices("ABCDE", weights=(skill + 0.1, 0.4, 0.3, 1.1 - skill, 0.005))[0]
        return {"": option}
    if rule == "manual":
        value = min(level(int(m) + 1), m + Decimal("0.5"))
        return {"": value}
    if rule == "formula":
        expression = str(params["expression"])
        values: dict[str, Value] = {"a": level(100), "b": _dec(rng, 0, 100), "c": level(100)}
        if expression.startswith("min") and rng.random() < 0.02:
            values["b"] = Decimal(0)
        return values
    if rule == "relative":
        return {"": level(1000)}
    raise ValueError(rule)


def generate(seed: int = SEED) -> Assessment:
    rng = random.Random(seed)
    framework = _framework(rng)
    units = _units(rng)
    skill = {u.code: rng.betavariate(2.5, 2) for u in units}
    values: dict[str, dict[str, dict[str, Value]]] = {}
    for node in framework.nodes:
        if node.rule is None:
            continue
        column: dict[str, dict[str, Value]] = {}
        for unit in units:
            if rng.random() < MISSING:
                continue  # no value given at all
            inputs = _inputs(rng, node, skill[unit.code])
            if len(inputs) > 1 and rng.random() < MISSING:
                inputs.pop(rng.choice(sorted(inputs)))  # one input of several left empty
            column[unit.code] = inputs
        values[node.code] = column
    settings = Settings(
        decimals=2, title="DTI benchmark (synthetic)", level="national", year="2024", period="2024"
    )
    return Assessment(framework=framework, units=units, values=values, settings=settings)


def main() -> None:
    assessment = generate()
    framework = assessment.framework
    leaves = [n for n in framework.nodes if n.rule is not None]
    cells = sum(len(column) for column in assessment.values.values())
    print(
        f"units: {len(assessment.units)}  groups: {dict(Counter(u.group for u in assessment.units))}"
    )
    print(
        f"nodes: {len(framework.nodes)}  leaves: {len(leaves)}  pillars: {len(framework.pillars)}"
    )
    print(f"max points of the leaves: {sum(n.max_points for n in leaves)}")
    print(f"rules: {dict(Counter(n.rule.name for n in leaves if n.rule))}")
    print(f"cells with values: {cells} of {len(leaves) * len(assessment.units)}")


if __name__ == "__main__":
    main()
