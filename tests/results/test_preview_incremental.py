"""The keystroke path: a preview edits the stored results of the current revision (re-scoring
only what the edit changes) and equals scoring the whole edited period, on every demo period."""

from __future__ import annotations

import pytest

from opendti.periods.models import Period
from opendti.results import source
from opendti.results.demo import DEMO_PERIODS, demo_load
from opendti.results.preview import typed_with_overrides, unit_preview
from opendti.results.selectors import period_typed, typed_parsed
from opendti.scoring import score_period
from opendti.scoring.model import InputSpec, Node
from opendti.workbook.errors import WorkbookError

pytestmark = pytest.mark.django_db


def _text(spec: InputSpec, step: int) -> str:
    """A value of the input's type that differs with `step` (blank every third step)."""
    if step % 3 == 2:
        return ""
    if spec.type == "yesno":
        return "yes" if step % 2 else "no"
    if spec.type == "choice" and spec.choices:
        return spec.choices[step % len(spec.choices)]
    if spec.type == "date":
        return f"2025-0{1 + step % 9}-15"
    if spec.type == "percent":
        return str(35 + 20 * step)[:2]
    return str(3 + 7 * step)


def _leaves(period: Period) -> list[Node]:
    assessment = source.settled(period).assessment
    return [n for n in assessment.framework.nodes if n.rule is not None and n.rule.inputs]


def _full(period: Period, unit: str, overrides):
    parsed = typed_parsed(typed_with_overrides(period_typed(period), unit, overrides))
    return parsed.assessment, score_period(parsed.assessment)


# The demo periods whose indicators are scored by rules from inputs (Đắk Nông 2023 and the national
# 2022 period hold the published scores of their main indices: nothing there reads an input).
SCORED_FROM_INPUTS = ("2024-communes", "2025-communes")


def test_the_periods_scored_from_inputs_are_the_demo_periods_with_rules() -> None:
    demo_load()
    with_rules = {
        code
        for code in DEMO_PERIODS
        if _leaves(Period.objects.select_related("framework__level").get(code=code))
    }
    assert with_rules == set(SCORED_FROM_INPUTS)


@pytest.mark.parametrize("code", SCORED_FROM_INPUTS)
def test_a_preview_equals_scoring_the_whole_edited_period(code: str) -> None:
    demo_load()
    period = Period.objects.select_related("framework__level").get(code=code)
    units = [u.code for u in source.settled(period).assessment.units]
    leaves = _leaves(period)
    assert leaves and len(units) >= 2
    checked = 0
    for step, node in enumerate(leaves):
        unit = units[step % 2]
        overrides = {node.code: {spec.name: _text(spec, step) for spec in node.rule.inputs}}
        before = source.engine_calls
        assessment, result = unit_preview(period=period, unit_code=unit, overrides=overrides)
        assert source.engine_calls == before, "the preview scored the whole period"
        expected_assessment, expected = _full(period, unit, overrides)
        assert result == expected, (code, node.code, overrides)
        assert assessment.values.get(node.code, {}).get(unit) == expected_assessment.values.get(
            node.code, {}
        ).get(unit)
        checked += 1
    assert checked == len(leaves)


def test_an_override_the_engine_cannot_read_goes_the_full_way_and_is_refused() -> None:
    demo_load()
    period = Period.objects.select_related("framework__level").get(code="2025-communes")
    node = _leaves(period)[0]
    unit = source.settled(period).assessment.units[0].code
    overrides = {node.code: {"no-such-input": "5"}}
    with pytest.raises(WorkbookError):
        unit_preview(period=period, unit_code=unit, overrides=overrides)


def test_no_override_reads_the_stored_results_without_scoring() -> None:
    demo_load()
    period = Period.objects.select_related("framework__level").get(code="2025-communes")
    stored = source.settled(period)
    before = source.engine_calls
    assessment, result = unit_preview(period=period, unit_code="xa-hoa-binh", overrides={})
    assert source.engine_calls == before
    assert result is stored.result and assessment is stored.assessment
