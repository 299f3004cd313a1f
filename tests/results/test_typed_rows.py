"""The database's typed rows and the workbook's text give the engine the same input.

The database path (`period_parsed`: typed columns through `workbook.validate`) and the workbook
path (`period_rows` → `raw_from_rows` → `parse_workbook`) must give identical assessments, down
to each Decimal's digits and each mapping's order, identical results, and the same problems for
bad data; and `period_rows` must still write what it wrote before the typed path (snapshots and
stored results hash that text).
"""

from __future__ import annotations

import json
import random
from decimal import ROUND_DOWN, Decimal

import pytest
from bench import generate
from bench.typed import rows_before as _rows_before

from opendti.assessments.models import AppraisedScore, GivenScore, InputValue, Submission
from opendti.frameworks.models import Node
from opendti.numbers import plain
from opendti.periods.models import Participation, Period
from opendti.publication.demo import demo_load_all
from opendti.results.exchange import period_import_workbook, value_text
from opendti.results.preview import rows_with_overrides, typed_with_overrides
from opendti.results.selectors import (
    period_assessment,
    period_parsed,
    period_rows,
    period_typed,
    rows_hash,
    typed_parsed,
)
from opendti.scoring import score_period
from opendti.workbook import WorkbookError
from opendti.workbook.parse import ParsedWorkbook, parse_workbook
from opendti.workbook.sheets import raw_from_rows

pytestmark = pytest.mark.django_db

Rows = dict[str, list[dict[str, str]]]


def _text_path(period: Period, appraised: bool) -> ParsedWorkbook:
    return parse_workbook(raw_from_rows(period_rows(period, appraised=appraised)))


def assert_same_path(period: Period, appraised: bool) -> None:
    """Both paths give the same input (digits and order included: the reprs are compared) and the
    same results; the text rows are as before the typed path, and so is their hash."""
    typed, digest = period_parsed(period, appraised=appraised)
    text = _text_path(period, appraised)
    assert typed.assessment == text.assessment
    assert repr(typed.assessment) == repr(text.assessment)
    assert dict(typed.predecessors) == dict(text.predecessors)
    typed_result, text_result = score_period(typed.assessment), score_period(text.assessment)
    assert typed_result == text_result
    assert repr(typed_result) == repr(text_result)
    before = _rows_before(period, appraised=appraised)
    assert period_rows(period, appraised=appraised) == before
    assert digest == rows_hash(before)
    assert period_assessment(period, appraised=appraised)[1] == digest
    # The sheets as text, for readers that still want them, are the rows' own.
    assert typed.raw["values"].rows == text.raw["values"].rows


def test_every_demo_period_gives_the_same_input_and_results_both_ways() -> None:
    demo_load_all()
    periods = list(Period.objects.select_related("framework__level").order_by("code"))
    assert len(periods) >= 10
    for period in periods:
        for appraised in (True, False):
            assert_same_path(period, appraised)


# -- generated periods ------------------------------------------------------------------------


def _generated_rows(seed: int, per_group: int) -> Rows:
    """A seeded national-style period as workbook text: the benchmark generator's framework (every
    rule type, relative rules and formulas, groups an indicator applies to) and a few units of
    each group, with missing values and values out of their bounds."""
    rng = random.Random(seed)
    framework = generate._framework(rng)
    units = [
        # Quotes and a backslash in a name: the hash writes them as json.dumps does.
        (f"{group}-{k:03d}", f'Đơn vị "{group}" \\ {k}', group)
        for group, _ in generate.GROUPS
        for k in range(1, per_group + 1)
    ]
    values: list[dict[str, str]] = []
    for unit, _, _ in units:
        skill = rng.betavariate(2.5, 2)
        for node in framework.nodes:
            if node.rule is None or rng.random() < 0.05:
                continue
            names = {spec.name for spec in node.rule.inputs}
            for name, value in generate._inputs(rng, node, skill).items():
                if name not in names:
                    continue  # a formula reads only some of the generator's a, b, c
                if value == "E":
                    continue  # the generator's unknown choice: a file's error, not a finding
                text = value_text(value)
                if rng.random() < 0.02 and isinstance(value, Decimal):
                    text = plain(value + 1000)  # out of the input's bounds: a finding
                values.append({"unit": unit, "indicator": node.code, "input": name, "value": text})
    bands = framework.total_bands
    assert bands is not None
    return {
        "settings": [
            {"key": "title", "value": f"Kỳ sinh ngẫu nhiên {seed}"},
            {"key": "level", "value": "quoc-gia"},
            {"key": "year", "value": "2024"},
            {"key": "decimals", "value": str(rng.choice([1, 2, 3]))},
            {"key": "not_deployed", "value": rng.choice(["exclude", "zero"])},
            {"key": "band_on", "value": rng.choice(["exact", "displayed"])},
        ],
        "pillars": [{"code": p.code, "name": p.name} for p in framework.pillars],
        "framework": [
            {
                "code": n.code,
                "parent": n.parent or "",
                "name": n.name,
                "kind": n.kind,
                "max_points": plain(n.max_points),
                "pillars": ";".join(n.pillars),
                "scored": "yes",
                "rule": n.rule.name if n.rule else "",
                "params": json.dumps(dict(n.rule.params), ensure_ascii=False) if n.rule else "",
                "applies_to": ";".join(sorted(n.applies_to)),
                "deployed": "no" if n.rule and rng.random() < 0.03 else "",
            }
            for n in framework.nodes
        ],
        "bands": [
            {
                "scheme": scheme,
                "label": band.label,
                "basis": "percent",
                "lower": plain(band.lower),
                "lower_inclusive": "yes" if band.lower is not None else "",
            }
            for scheme in ("total", "pillar")
            for band in bands.bands
        ],
        "units": [
            {
                "code": code,
                "name": name,
                "group": group,
                "ranked": "no" if rng.random() < 0.05 else "",
                # A merged unit names the two it replaced (lineage is read back from the database).
                "predecessors": f"{code}-a;{code}-b" if rng.random() < 0.1 else "",
            }
            for code, name, group in units
        ],
        "values": values,
    }


def _generated(seed: int, per_group: int = 6) -> Period:
    rows = _generated_rows(seed, per_group)
    return period_import_workbook(raw=raw_from_rows(rows), code=f"sinh-{seed}")


def _settle(period: Period, seed: int) -> None:
    """Appraised scores for some leaves and stated totals, as the appraisal and the units write."""
    rng = random.Random(seed)
    leaves = list(Node.objects.filter(framework=period.framework).exclude(rule=""))
    for submission in Submission.objects.filter(participation__period=period):
        for leaf in rng.sample(leaves, 5):
            share = leaf.max_points * Decimal(rng.randint(0, 100)) / 100
            score = share.quantize(Decimal(1).scaleb(-period.decimals), rounding=ROUND_DOWN)
            AppraisedScore.objects.create(submission=submission, node=leaf, score=score)
        if rng.random() < 0.5:
            GivenScore.objects.create(
                submission=submission, target="TOTAL", score=Decimal(rng.randint(0, 1000))
            )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_periods_give_the_same_input_and_results_both_ways(seed: int) -> None:
    period = _generated(seed)
    for appraised in (True, False):
        assert_same_path(period, appraised)
    _settle(period, seed)
    for appraised in (True, False):
        assert_same_path(period, appraised)
    findings = score_period(period_parsed(period)[0].assessment).findings
    assert findings, "the out-of-bound values and stated totals are findings, on both paths"


def _problems(period: Period, appraised: bool = True) -> tuple[list, list]:
    with pytest.raises(WorkbookError) as typed:
        period_parsed(period, appraised=appraised)
    with pytest.raises(WorkbookError) as text:
        _text_path(period, appraised)
    return typed.value.errors, text.value.errors


def test_bad_data_in_the_database_gives_the_same_problems_both_ways() -> None:
    period = _generated(7, per_group=2)
    submission = Submission.objects.filter(participation__period=period).first()
    assert submission is not None
    nodes = {n.code: n for n in Node.objects.filter(framework=period.framework)}
    numeric = next(n for n in nodes.values() if n.rule in ("linear", "tiers"))
    InputValue.objects.filter(submission=submission, node=numeric).delete()
    InputValue.objects.bulk_create(
        [
            InputValue(submission=submission, node=numeric, input_name="zzz", value="3"),
            InputValue(submission=submission, node=numeric, input_name="", value="ba mươi"),
        ]
    )
    AppraisedScore.objects.create(submission=submission, node=numeric, score=numeric.max_points + 5)
    GivenScore.objects.create(submission=submission, target="KHONG-CO", score=Decimal(1))
    typed, text = _problems(period)
    assert typed == text
    messages = "\n".join(str(e) for e in typed)
    assert "has no input 'zzz'" in messages
    assert "'ba mươi' is not a number" in messages
    assert f"is outside [0, {plain(numeric.max_points)}]" in messages
    assert "'KHONG-CO' is neither a node, a pillar nor TOTAL" in messages
    # Without the appraised scores the rest is still refused, the same way.
    typed, text = _problems(period, appraised=False)
    assert typed == text
    assert "outside" not in "\n".join(str(e) for e in typed)


def test_a_bad_framework_in_the_database_is_placed_as_in_its_text() -> None:
    period = _generated(8, per_group=1)
    leaf = Node.objects.filter(framework=period.framework).exclude(rule="").first()
    assert leaf is not None
    Node.objects.filter(pk=leaf.pk).update(params="{not json")
    Node.objects.filter(framework=period.framework, kind="main").update(kind="bogus")
    typed, text = _problems(period)
    assert typed == text
    assert any(e.column == "params" and e.letter == "I" for e in typed)


def test_the_preview_overrides_typed_rows_as_it_did_the_text() -> None:
    period = _generated(9, per_group=2)
    unit = Participation.objects.filter(period=period).order_by("order").first().unit.code
    leaf = next(
        n for n in period.framework.nodes.exclude(rule="").order_by("order") if n.rule == "count"
    )
    overrides = {leaf.code: {"": "7"}}
    typed = typed_parsed(typed_with_overrides(period_typed(period), unit, overrides)).assessment
    text = parse_workbook(
        raw_from_rows(rows_with_overrides(period_rows(period), unit, overrides))
    ).assessment
    assert repr(typed) == repr(text)
    assert typed.values[leaf.code][unit][""] == Decimal(7)
