"""Data-quality checks of a submission (results.checks) on the live preview (results.preview):
which indicators are checked, what blocks submission and what only warns, and that a preview
writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from opendti.assessments.evidence import evidence_add_document, evidence_add_link
from opendti.assessments.models import Answer, Change, InputValue, Submission
from opendti.assessments.services import answer_confirm, answer_save, submission_carry_over
from opendti.periods.models import Period
from opendti.results.checks import ERROR, WARNING, Check, blocking_count, submission_checks
from opendti.results.preview import unit_preview

from .conftest import PREVIOUS, UNIT

# Self-reported indicators that apply to a commune in 2026 (6.4 is not deployed, 8.2 is for wards).
OWN_APPLICABLE = {
    "1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "4.1", "4.3",
    "5.1", "5.2", "6.2", "6.3", "7.1", "7.2", "8.1",
}  # fmt: skip


def run_checks(
    submission: Submission, *, overrides=None, with_previous: bool = False
) -> list[Check]:
    period = submission.participation.period
    _, result = unit_preview(period=period, unit_code=UNIT, overrides=overrides)
    previous = None
    if with_previous:
        _, previous = unit_preview(period=Period.objects.get(code=PREVIOUS), unit_code=UNIT)
    return submission_checks(submission=submission, result=result, previous=previous)


def kinds(checks: list[Check], code: str) -> set[tuple[str, str]]:
    return {(c.level, c.kind) for c in checks if c.node == code}


def save(submission, node, raw, actor, **extra) -> None:
    answer = Answer.objects.filter(submission=submission, node=node).first()
    answer_save(
        submission=submission,
        node=node,
        raw=raw,
        version=answer.version if answer else 0,
        actor=actor,
        **extra,
    )


def test_missing_answers_are_errors_for_own_applicable_indicators_only(submission):
    checks = run_checks(submission)
    missing = {c.node for c in checks if c.kind == "missing"}
    assert missing == OWN_APPLICABLE
    # 4.3 is informational (không tính điểm): asked for, but its absence only warns.
    assert {c.node for c in checks if c.kind == "missing" and c.level == WARNING} == {"4.3"}
    assert all(c.level == ERROR for c in checks if c.kind == "missing" and c.node != "4.3")
    # Not the reviewer's 4.2, the auto-measured 6.1, the not-deployed 6.4, the wards' 8.2.
    assert not missing & {"4.2", "6.1", "6.4", "8.2"}
    assert not {c.node for c in checks} & {"4.2", "6.1", "6.4", "8.2"}


def test_a_missing_informational_value_is_a_note_of_the_engine_not_a_finding(submission):
    """Findings are numbers that do not add up or cannot be right: the informational 4.3 not
    given is a data-quality note (the workspace's warning above), never a finding."""
    _, result = unit_preview(period=submission.participation.period, unit_code=UNIT)
    assert not [f for f in result.findings if f.node == "4.3"]
    assert (UNIT, "4.3", "missing") in {(n.unit, n.node, n.kind) for n in result.notes}
    assert {f.node for f in result.findings if f.unit == UNIT and f.kind == "missing"} == (
        OWN_APPLICABLE - {"4.3"}
    ) | {"4.2", "6.1"}


def test_an_answer_clears_its_missing_error(submission, node, demo):
    save(submission, node("1.2"), {"": "4"}, demo.daumoi)
    save(submission, node("2.2"), {"numerator": "30"}, demo.daumoi)  # one of two inputs
    checks = run_checks(submission)
    assert kinds(checks, "1.2") == set()
    assert (ERROR, "missing") in kinds(checks, "2.2")


@pytest.mark.parametrize(
    ("code", "raw", "expected"),
    [
        ("4.1", {"": "120"}, {(ERROR, "out_of_bounds")}),
        ("4.1", {"": "100"}, set()),
        ("4.1", {"": "0"}, set()),
        ("1.2", {"": "-1"}, {(ERROR, "out_of_bounds")}),
        ("2.2", {"numerator": "50", "denominator": "42"}, {(ERROR, "ratio_over_100")}),
        ("2.2", {"numerator": "42", "denominator": "42"}, set()),
        ("2.2", {"numerator": "0", "denominator": "42"}, set()),
    ],
)
def test_impossible_values_are_errors(submission, code, raw, expected):
    # Such values are refused when typed (tests/assessments/test_forms.py); a period imported
    # from a workbook may still hold them, and the checks say so.
    assert kinds(run_checks(submission, overrides={code: raw}), code) == expected


def test_impossible_values_are_refused_when_saved(submission, node, demo):
    for code, raw in (("4.1", {"": "120"}), ("1.2", {"": "-1"})):
        with pytest.raises(ValidationError):
            save(submission, node(code), raw, demo.daumoi)
    with pytest.raises(ValidationError):
        save(submission, node("2.2"), {"numerator": "50", "denominator": "42"}, demo.daumoi)
    assert not InputValue.objects.filter(submission=submission).exists()


def test_error_messages_say_what_is_wrong_in_vietnamese(submission):
    overrides = {
        "4.1": {"": "120.5"},
        "2.2": {"numerator": "1500", "denominator": "1234"},
    }
    checks = {c.node: c for c in run_checks(submission, overrides=overrides) if c.kind != "missing"}
    assert checks["4.1"].message == "Giá trị 120,5 nằm ngoài giới hạn [0; 100]."
    assert checks["2.2"].message == "Tử số lớn hơn mẫu số (tỷ lệ trên 100%): 1.500 > 1.234."


def test_required_evidence_is_an_error_until_linked(submission, node, demo):
    save(submission, node("1.1"), {"": "Có"}, demo.daumoi)
    assert kinds(run_checks(submission), "1.1") == {(ERROR, "evidence_missing")}
    # Evidence for another indicator does not count.
    evidence_add_link(
        submission=submission,
        url="https://hoabinh.example.vn/ke-hoach",
        title="Kế hoạch",
        nodes=[node("2.1")],
        actor=demo.daumoi,
    )
    assert kinds(run_checks(submission), "1.1") == {(ERROR, "evidence_missing")}
    evidence_add_document(
        submission=submission,
        doc_number="25/QĐ-UBND",
        doc_date=datetime.date(2026, 2, 3),
        issuer="UBND xã Hòa Bình",
        summary="Phân công lãnh đạo phụ trách chuyển đổi số",
        nodes=[node("1.1")],
        actor=demo.daumoi,
    )
    assert kinds(run_checks(submission), "1.1") == set()


def test_estimate_is_a_warning(submission, node, demo):
    save(submission, node("1.2"), {"": "4"}, demo.daumoi, is_estimate=True)
    checks = run_checks(submission)
    assert kinds(checks, "1.2") == {(WARNING, "estimate")}
    save(submission, node("1.2"), {"": "4"}, demo.daumoi, is_estimate=False)
    assert kinds(run_checks(submission), "1.2") == set()


def test_carried_over_unconfirmed_is_a_warning(submission, node, demo):
    submission_carry_over(submission=submission, actor=demo.daumoi)
    assert (WARNING, "carried_over") in kinds(run_checks(submission), "1.2")
    answer_confirm(submission=submission, node=node("1.2"), actor=demo.daumoi)
    checks = run_checks(submission)
    assert (WARNING, "carried_over") not in kinds(checks, "1.2")
    assert (WARNING, "carried_over") in kinds(checks, "1.3")
    # Carried-over values of indicators that do not apply are not checked.
    assert kinds(checks, "6.4") == set() and kinds(checks, "8.2") == set()


@pytest.mark.parametrize(
    ("doc_date", "warned"),
    [
        (datetime.date(2025, 12, 31), True),  # the year before: outside a window that says so
        (datetime.date(2026, 1, 1), False),
        (datetime.date(2026, 12, 20), False),
        (datetime.date(2026, 12, 21), True),  # after the assessed window (Đắk Nông: 20/12)
    ],
)
def test_the_periods_assessed_window_decides_the_evidence_dates(
    submission, node, demo, doc_date, warned
):
    Period.objects.filter(pk=submission.participation.period_id).update(
        assessed_from=datetime.date(2026, 1, 1), assessed_to=datetime.date(2026, 12, 20)
    )
    submission.participation.period.refresh_from_db()
    evidence_add_document(
        submission=submission,
        doc_number="25/QĐ-UBND",
        doc_date=doc_date,
        issuer="UBND xã Hòa Bình",
        summary="Phân công",
        nodes=[node("1.1")],
        actor=demo.daumoi,
    )
    found = [c for c in run_checks(submission) if c.kind == "evidence_date"]
    assert [c.node for c in found] == (["1.1"] if warned else [])
    if warned:
        assert "(01/01/2026 – 20/12/2026)" in found[0].message


def test_an_assessed_window_is_both_dates_in_order(demo):
    period = Period.objects.get(code="2026-communes")
    for start, end in (
        (datetime.date(2026, 1, 1), None),
        (datetime.date(2026, 2, 1), datetime.date(2026, 1, 1)),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Period.objects.filter(pk=period.pk).update(assessed_from=start, assessed_to=end)


@pytest.mark.parametrize(
    ("doc_date", "warned"),
    [
        (datetime.date(2024, 12, 31), True),
        (datetime.date(2025, 9, 30), True),
        (datetime.date(2025, 10, 1), False),  # a plan issued late in the year before counts
        (datetime.date(2026, 6, 15), False),
        (datetime.date(2026, 12, 31), False),
        (datetime.date(2027, 1, 1), True),
    ],
)
def test_evidence_dated_outside_the_period_is_a_warning(submission, node, demo, doc_date, warned):
    evidence_add_document(
        submission=submission,
        doc_number="25/QĐ-UBND",
        doc_date=doc_date,
        issuer="UBND xã Hòa Bình",
        summary="Phân công",
        nodes=[node("1.1"), node("2.1")],
        actor=demo.daumoi,
    )
    checks = run_checks(submission)
    dated = {c.node for c in checks if c.kind == "evidence_date"}
    assert dated == ({"1.1", "2.1"} if warned else set())
    assert all(c.level == WARNING for c in checks if c.kind == "evidence_date")


@pytest.mark.parametrize(
    ("percent", "value", "warned"),
    [
        # In 2025 xa-hoa-binh had 82% trained: 60 of 60 points. 50% now gives 30 points.
        (40, "50", True),
        (50, "50", False),  # a change of exactly the threshold is not "large"
        (60, "50", False),
        (40, "82", False),
        (10, "75", False),  # 55 points: a change of 5, under 10% of 60
        (5, "75", True),
    ],
)
def test_large_change_against_the_previous_period_is_a_warning(
    submission, node, demo, settings, percent, value, warned
):
    settings.OPENDTI_LARGE_CHANGE_PERCENT = percent
    save(submission, node("4.1"), {"": value}, demo.daumoi)
    checks = run_checks(submission, with_previous=True)
    expected = {(WARNING, "large_change")} if warned else set()
    assert kinds(checks, "4.1") == expected
    if warned:
        (check,) = (c for c in checks if c.node == "4.1")
        # As the pages write scores, never "60.00 → 30.00".
        assert check.message.startswith("Điểm thay đổi lớn so với kỳ trước: 60,00 → ")


def test_no_large_change_warnings_without_a_previous_result(submission, node, demo, settings):
    settings.OPENDTI_LARGE_CHANGE_PERCENT = 1
    save(submission, node("4.1"), {"": "50"}, demo.daumoi)
    assert not any(c.kind == "large_change" for c in run_checks(submission))


def test_blocking_count_counts_errors_only(submission, node, demo):
    empty = run_checks(submission)
    # missing (but the informational 4.3, a warning), and 1.1's evidence
    assert blocking_count(empty) == len(OWN_APPLICABLE) - 1 + 1
    save(submission, node("1.2"), {"": "4"}, demo.daumoi, is_estimate=True)
    save(submission, node("4.1"), {"": "20"}, demo.daumoi)  # 60 points in 2025, 0 now
    checks = run_checks(submission, with_previous=True)
    warnings = [c for c in checks if c.level == WARNING]
    assert {c.kind for c in warnings} >= {"estimate", "large_change"}
    assert blocking_count(checks) == len(checks) - len(warnings) == len(OWN_APPLICABLE) - 2
    assert blocking_count(warnings) == 0
    assert blocking_count([]) == 0


def test_live_preview_scores_unsaved_values_and_writes_nothing(submission, node, demo):
    save(submission, node("4.1"), {"": "20"}, demo.daumoi)
    period = submission.participation.period
    tables = (InputValue, Answer, Change, Submission)
    before = [model.objects.count() for model in tables]

    _, saved = unit_preview(period=period, unit_code=UNIT)
    _, live = unit_preview(period=period, unit_code=UNIT, overrides={"4.1": {"": "80"}})
    assert saved.unit(UNIT).nodes["4.1"] == Decimal("0")
    assert live.unit(UNIT).nodes["4.1"] == Decimal("60")
    assert live.unit(UNIT).total - saved.unit(UNIT).total == Decimal("60")
    # The other units are scored as they are.
    assert live.unit("xa-tan-lap").total == saved.unit("xa-tan-lap").total

    # Clearing a value in the preview makes it missing, still without writing.
    _, cleared = unit_preview(period=period, unit_code=UNIT, overrides={"4.1": {"": ""}})
    cleared_checks = submission_checks(submission=submission, result=cleared)
    assert ("4.1", "missing") in {(c.node, c.kind) for c in cleared_checks}
    live_checks = submission_checks(submission=submission, result=live)
    assert ("4.1", "missing") not in {(c.node, c.kind) for c in live_checks}

    assert [model.objects.count() for model in tables] == before
    assert InputValue.objects.get(submission=submission, node=node("4.1")).value == "20"


def test_unanswered_indicators_are_missing_not_large_changes(submission, settings):
    settings.OPENDTI_LARGE_CHANGE_PERCENT = 1
    checks = run_checks(submission, with_previous=True)
    assert not any(c.kind == "large_change" for c in checks)
    assert any(c.kind == "missing" and c.node == "4.1" for c in checks)
