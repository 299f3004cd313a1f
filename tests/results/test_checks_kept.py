"""The checks' fast path (results.checks): what follows from the results alone is worked out per
period and kept per results revision; the rest (evidence, estimates, carried-over values) is read
on every call. Both equal the per-unit computation the checks used to make, and a kept value
follows every change of what it depends on."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from opendti import numbers
from opendti.accounts.models import User
from opendti.assessments.evidence import evidence_add_document
from opendti.assessments.models import Answer, Evidence, EvidenceLink, Submission
from opendti.assessments.services import answer_save
from opendti.frameworks.models import Node
from opendti.periods import revision
from opendti.periods.models import Period
from opendti.results import checks, source
from opendti.results.checks import ERROR, WARNING, Check, period_span
from opendti.results.demo import DEMO_PERIODS, OPEN_PERIOD, demo_load
from opendti.results.progress import period_progress
from opendti.scoring.model import PeriodResult
from tests.login import login

pytestmark = pytest.mark.django_db

UNIT = "xa-hoa-binh"


@pytest.fixture
def demo() -> None:
    demo_load()


def _reference(
    *, submissions: list[Submission], result: PeriodResult, previous: PeriodResult | None
) -> dict[int, list[Check]]:
    """The checks as they were computed before the fast path: unit by unit, indicator by
    indicator, every record read for each unit (kept here as the reference)."""
    period = submissions[0].participation.period
    nodes = {n.code: n for n in Node.objects.filter(framework=period.framework).exclude(rule="")}
    findings: dict[str, list] = {}
    for finding in result.findings:
        findings.setdefault(finding.unit, []).append(finding)
    notes: dict[str, list] = {}
    for note in result.notes:
        notes.setdefault(note.unit, []).append(note)
    shown = {}
    for s in submissions:
        unit = s.participation.unit.code
        linked = set(
            EvidenceLink.objects.filter(evidence__submission=s).values_list("node__code", flat=True)
        )
        answers = list(
            Answer.objects.filter(submission=s).values_list(
                "node__code", "is_estimate", "carried_over"
            )
        )
        evidence = list(Evidence.objects.filter(submission=s).prefetch_related("links__node"))
        shown[s.pk] = _unit_checks(
            unit=unit,
            period=period,
            nodes=nodes,
            result=result,
            previous=previous,
            findings=findings.get(unit, []),
            notes=notes.get(unit, []),
            linked=linked,
            answers=answers,
            evidence=evidence,
        )
    return shown


_vi, _bounds = checks._vi, checks._bounds


def _unit_checks(
    *, unit, period, nodes, result, previous, findings, notes, linked, answers, evidence
) -> list[Check]:
    own = {code for code, n in nodes.items() if n.source == Node.Source.SELF}
    scores = result.unit(unit).nodes
    applicable = {code for code in own if scores.get(code) is not None}
    checks: list[Check] = []

    for note in notes:
        # An informational value (không tính điểm) not given: the engine's data-quality note,
        # not a finding. Such values are asked for, not required.
        if note.node in applicable:
            checks.append(
                Check(note.node, WARNING, "missing", _("Chưa nhập số liệu (chỉ số tham khảo)."))
            )
    for finding in findings:
        if finding.node not in applicable:
            continue
        if finding.kind == "missing":
            checks.append(Check(finding.node, ERROR, "missing", _("Chưa nhập số liệu.")))
        elif finding.kind == "out_of_bounds":
            checks.append(
                Check(
                    finding.node,
                    ERROR,
                    "out_of_bounds",
                    _("Giá trị %(found)s nằm ngoài giới hạn %(expected)s.")
                    % {"found": _vi(finding.found), "expected": _bounds(finding.expected)},
                )
            )
        elif finding.kind == "ratio_over_100":
            checks.append(
                Check(
                    finding.node,
                    ERROR,
                    "ratio_over_100",
                    _("Tử số lớn hơn mẫu số (tỷ lệ trên 100%%): %(found)s > %(limit)s.")
                    % {
                        "found": _vi(finding.found),
                        "limit": _vi(finding.expected.removeprefix("<=").strip()),
                    },
                )
            )
        else:
            checks.append(Check(finding.node, ERROR, finding.kind, finding.message))

    for code in sorted(applicable, key=lambda c: nodes[c].order):
        if nodes[code].evidence_required and code not in linked:
            checks.append(
                Check(code, ERROR, "evidence_missing", _("Chỉ số bắt buộc có tài liệu kiểm chứng."))
            )

    for code, estimate, carried in answers:
        if code not in applicable:
            continue
        if estimate:
            checks.append(Check(code, WARNING, "estimate", _("Số liệu được đánh dấu là ước tính.")))
        if carried:
            checks.append(
                Check(
                    code, WARNING, "carried_over", _("Số liệu chuyển từ kỳ trước, chưa xác nhận.")
                )
            )

    start, end = period_span(period)
    for item in evidence:
        codes = [link.node.code for link in item.links.all() if link.node.code in applicable]
        for code in codes:
            if item.doc_date and not start <= item.doc_date <= end:
                checks.append(
                    Check(
                        code,
                        WARNING,
                        "evidence_date",
                        _(
                            "Tài liệu “%(title)s” ngày %(date)s nằm ngoài thời gian đánh giá "
                            "(%(start)s – %(end)s)."
                        )
                        % {
                            "title": item.title,
                            "date": item.doc_date.strftime("%d/%m/%Y"),
                            "start": start.strftime("%d/%m/%Y"),
                            "end": end.strftime("%d/%m/%Y"),
                        },
                    )
                )
            if item.carried_over:
                checks.append(
                    Check(
                        code,
                        WARNING,
                        "evidence_carried_over",
                        _("Tài liệu “%(title)s” chuyển từ kỳ trước, chưa xác nhận.")
                        % {"title": item.title},
                    )
                )

    if previous is not None:
        # An unanswered indicator scores zero; it is reported as missing, not as a change.
        unanswered = {c.node for c in checks if c.kind == "missing"}
        checks.extend(_large_changes(unit, nodes, applicable - unanswered, scores, previous))
    return checks


def _large_changes(unit, nodes, applicable, scores, previous: PeriodResult) -> list[Check]:
    try:
        before = previous.unit(unit).nodes
    except KeyError:
        return []
    share = Decimal(settings.OPENDTI_LARGE_CHANGE_PERCENT) / 100
    checks = []
    for code in sorted(applicable, key=lambda c: nodes[c].order):
        now, then = scores.get(code), before.get(code)
        if now is None or then is None or not nodes[code].max_points:
            continue
        if abs(now - then) > share * nodes[code].max_points:
            checks.append(
                Check(
                    code,
                    WARNING,
                    "large_change",
                    _("Điểm thay đổi lớn so với kỳ trước: %(then)s → %(now)s.")
                    % {"then": numbers.vi(then), "now": numbers.vi(now)},
                )
            )
    return checks


def _submissions(period: Period) -> list[Submission]:
    return list(
        Submission.objects.filter(participation__period=period)
        .select_related("participation__unit", "participation__period__framework")
        .order_by("participation__order", "pk")
    )


def _records(period: Period) -> bool:
    """Something for every kind of record check on the period's first units: an estimate, a
    carried-over value, a document dated outside the period, a carried-over document. False
    when the period's framework has no indicator of the units' own (no such check applies)."""
    found = _submissions(period)[:3]
    own = Node.objects.filter(framework=period.framework, source=Node.Source.SELF).exclude(rule="")
    codes = list(own.order_by("order").values_list("pk", flat=True)[:3])
    if not codes:
        return False
    for number, submission in enumerate(found):
        Answer.objects.update_or_create(
            submission=submission,
            node_id=codes[number % len(codes)],
            defaults={"is_estimate": number != 1, "carried_over": number != 0},
        )
        document = Evidence.objects.create(
            submission=submission,
            kind=Evidence.Kind.DOCUMENT,
            title=f"Quyết định {number}",
            doc_date=datetime.date(period.year - 3, 1, 1),
            carried_over=number == 2,
        )
        for pk in codes:
            EvidenceLink.objects.create(evidence=document, node_id=pk)
    return True


@pytest.mark.parametrize("code", [*sorted(DEMO_PERIODS), OPEN_PERIOD])
def test_the_fast_checks_equal_the_unit_by_unit_ones_on_the_demo_periods(
    demo, settings, code
) -> None:
    settings.OPENDTI_LARGE_CHANGE_PERCENT = 5  # large changes on every period with a previous
    period = Period.objects.select_related("framework").get(code=code)
    recorded = _records(period)
    if code == OPEN_PERIOD:  # open and empty: one value saved, 30 of the 60 points of 2025
        _save(period, "4.1", "50")
    submissions = _submissions(period)
    assert submissions
    computed = source.settled(period)
    before = source.previous(period)
    previous = before.result if before is not None else None
    expected = _reference(submissions=submissions, result=computed.result, previous=previous)
    kinds = {c.kind for found in expected.values() for c in found}
    if recorded:
        assert {"estimate", "carried_over", "evidence_date", "evidence_carried_over"} <= kinds
        if previous is not None:
            assert "large_change" in kinds
    kept = checks.stored_checks(period=period, submissions=submissions, computed=computed)
    assert kept == expected
    # Read again from what is kept: the same.
    assert checks.stored_checks(period=period, submissions=submissions, computed=computed) == kept
    fast = checks.period_checks(submissions=submissions, result=computed.result, previous=previous)
    assert fast == expected
    # One submission at a time (the workspace's way), as many at once.
    for submission in submissions[:3]:
        assert (
            checks.submission_checks(
                submission=submission, result=computed.result, previous=previous
            )
            == expected[submission.pk]
        )


def _save(period: Period, code: str, value: str) -> None:
    answer_save(
        submission=_hoa_binh(period),
        node=Node.objects.get(framework=period.framework, code=code),
        raw={"": value},
        version=0,
        actor=User.objects.get(username="daumoi"),
    )


def _hoa_binh(period: Period) -> Submission:
    return Submission.objects.select_related("participation__unit", "participation__period").get(
        participation__period=period, participation__unit__code=UNIT
    )


def _dashboard_checks(period: Period) -> list[Check]:
    submission = _hoa_binh(period)
    return checks.stored_checks(
        period=period, submissions=[submission], computed=source.settled(period)
    )[submission.pk]


def _row(period: Period):
    (row,) = (
        r for r in period_progress(period, on=datetime.date(2026, 1, 1)) if r.unit.code == UNIT
    )
    return row


def test_the_kept_checks_are_reused_until_a_value_is_saved(demo, settings) -> None:
    """A saved value raises the revision: the dashboard's checks show the large change at once."""
    settings.OPENDTI_LARGE_CHANGE_PERCENT = 40
    period = Period.objects.select_related("framework").get(code=OPEN_PERIOD)
    first = checks.period_result_checks(period, source.settled(period))
    assert checks.period_result_checks(period, source.settled(period)) is first  # kept
    assert ("4.1", "missing") in {(c.node, c.kind) for c in _dashboard_checks(period)}
    missing = _row(period).missing
    # In 2025 xa-hoa-binh had 82% trained: 60 of 60 points. 50% now gives 30 points.
    node = Node.objects.get(framework=period.framework, code="4.1")
    before = revision.current(period.pk)
    answer_save(
        submission=_hoa_binh(period),
        node=node,
        raw={"": "50"},
        version=0,
        actor=User.objects.get(username="daumoi"),
    )
    assert revision.current(period.pk) != before
    assert checks.period_result_checks(period, source.settled(period)) is not first
    found = {(c.node, c.kind): c for c in _dashboard_checks(period)}
    assert ("4.1", "missing") not in found
    assert found["4.1", "large_change"].message == (
        "Điểm thay đổi lớn so với kỳ trước: 60,00 → 30,00."
    )
    row = _row(period)
    assert row.missing == missing - 1
    assert row.answered == row.applicable - row.missing


def test_the_threshold_is_part_of_the_kept_checks_key(demo, settings) -> None:
    period = Period.objects.select_related("framework").get(code=OPEN_PERIOD)
    answer_save(
        submission=_hoa_binh(period),
        node=Node.objects.get(framework=period.framework, code="4.1"),
        raw={"": "50"},
        version=0,
        actor=User.objects.get(username="daumoi"),
    )
    settings.OPENDTI_LARGE_CHANGE_PERCENT = 40
    assert ("4.1", "large_change") in {(c.node, c.kind) for c in _dashboard_checks(period)}
    settings.OPENDTI_LARGE_CHANGE_PERCENT = 60  # a change of 30 of 60 points is now not large
    assert ("4.1", "large_change") not in {(c.node, c.kind) for c in _dashboard_checks(period)}


def test_records_that_raise_no_revision_are_read_on_every_call(demo) -> None:
    """Evidence does not change a result (no revision raised), yet the dashboard's checks follow
    it: it is never part of what is kept."""
    period = Period.objects.select_related("framework").get(code=OPEN_PERIOD)
    submission = _hoa_binh(period)
    node = Node.objects.get(framework=period.framework, code="1.1")
    assert node.evidence_required
    answer_save(
        submission=submission,
        node=node,
        raw={"": "Có"},
        version=0,
        actor=User.objects.get(username="daumoi"),
    )
    assert (ERROR, "evidence_missing") in {
        (c.level, c.kind) for c in _dashboard_checks(period) if c.node == "1.1"
    }
    errors = _row(period).errors
    kept = revision.current(period.pk)
    start, _end = period_span(period)
    evidence_add_document(
        submission=submission,
        doc_number="25/QĐ-UBND",
        doc_date=start - datetime.timedelta(days=1),  # outside the period: a warning
        issuer="UBND xã Hòa Bình",
        summary="Phân công lãnh đạo phụ trách chuyển đổi số",
        nodes=[node],
        actor=User.objects.get(username="daumoi"),
    )
    assert revision.current(period.pk) == kept
    found = {(c.level, c.kind) for c in _dashboard_checks(period) if c.node == "1.1"}
    assert (WARNING, "evidence_date") in found
    assert (ERROR, "evidence_missing") not in found
    assert _row(period).errors == errors - 1
    Answer.objects.filter(submission=submission, node=node).update(is_estimate=True)
    assert (WARNING, "estimate") in {
        (c.level, c.kind) for c in _dashboard_checks(period) if c.node == "1.1"
    }


def test_the_dashboard_shows_a_saved_value_at_once(demo, client) -> None:
    """Through the page: the coordinator's row of a unit follows its focal point's save."""
    login(client, User.objects.get(username="dieuphoi"))
    period = Period.objects.select_related("framework").get(code=OPEN_PERIOD)
    url = f"/ky/{OPEN_PERIOD}/tien-do/"

    def missing() -> int:
        html = client.get(url).content.decode()
        row = re.search(rf'<tr data-unit="{UNIT}".*?</tr>', html, re.S)
        assert row is not None
        return int(re.search(r'<td class="missing">(\d+)</td>', row.group(0)).group(1))

    before = missing()
    assert missing() == before  # read again: the same (from what is kept)
    answer_save(
        submission=_hoa_binh(period),
        node=Node.objects.get(framework=period.framework, code="1.2"),
        raw={"": "4"},
        version=0,
        actor=User.objects.get(username="daumoi"),
    )
    assert missing() == before - 1


def test_checks_worked_out_inside_a_transaction_are_not_kept(demo) -> None:
    """As the results themselves (results.store.keep): a rollback would give the revision back
    for other data, and what was worked out from the rolled-back writes would stay kept."""
    period = Period.objects.select_related("framework").get(code=OPEN_PERIOD)
    with transaction.atomic():
        inside = checks.period_result_checks(period, source.settled(period))
        assert checks.period_result_checks(period, source.settled(period)) is not inside
    outside = checks.period_result_checks(period, source.settled(period))
    assert outside == inside
    assert checks.period_result_checks(period, source.settled(period)) is outside
