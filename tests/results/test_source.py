"""The one results source: every kind of results equals a fresh computation, a revision is
computed once and shared through the database, a tampered stored row is refused."""

from __future__ import annotations

import pickle
import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection

from opendti.assessments.models import AppraisedScore, InputValue, Submission
from opendti.frameworks.models import Node
from opendti.periods import revision
from opendti.periods.models import Period
from opendti.publication.models import Snapshot
from opendti.publication.snapshots import frozen_rows
from opendti.results import source, store
from opendti.results.demo import DEMO_PERIODS, demo_load
from opendti.results.models import StoredResult
from opendti.scoring import score_period
from opendti.scoring.compare import compare_periods
from opendti.workbook.parse import parse_workbook
from opendti.workbook.sheets import raw_from_rows

from ..publication.conftest import take_to

pytestmark = pytest.mark.django_db

EXECUTED: list[int] = []  # a tampered payload would append here if it were unpickled


def _period(code: str) -> Period:
    return Period.objects.select_related("framework__level").get(code=code)


def _settle_one(code: str = "2025-communes") -> None:
    """One score settled by the appraisal (2.1 of xa-hoa-binh), so settled ≠ provisional."""
    submission = Submission.objects.get(
        participation__period__code=code, participation__unit__code="xa-hoa-binh"
    )
    node = Node.objects.get(framework=submission.participation.period.framework, code="2.1")
    AppraisedScore.objects.create(submission=submission, node=node, score=Decimal(25))
    revision.bump([submission.participation.period_id])


def _forget() -> None:
    """As another process: nothing in memory, the stored rows stay."""
    source.clear_process_cache()


@pytest.fixture
def demo() -> None:
    demo_load()


@pytest.mark.parametrize("code", sorted(DEMO_PERIODS))
def test_live_kinds_equal_a_fresh_computation(demo, code: str) -> None:
    _settle_one()
    period = _period(code)
    for appraised in (False, True):
        expected = source.fresh(period, appraised=appraised)
        first = source.live(period, appraised=appraised)  # computed and stored
        _forget()
        stored = source.live(period, appraised=appraised)  # read back from the database
        for got in (first, stored):
            assert got.result == expected.result
            assert got.assessment == expected.assessment
            assert got.inputs_hash == expected.inputs_hash
            assert dict(got.parsed.predecessors) == dict(expected.parsed.predecessors)
    if code == "2025-communes":
        own = source.provisional(period).result.unit("xa-hoa-binh").nodes["2.1"]
        assert source.settled(period).result.unit("xa-hoa-binh").nodes["2.1"] == Decimal(25) != own


def _fresh_frozen(snapshot: Snapshot):
    parsed = parse_workbook(raw_from_rows(frozen_rows(snapshot.rows)))
    return parsed, score_period(parsed.assessment)


@pytest.fixture
def people(db) -> SimpleNamespace:
    from opendti.accounts.models import User

    demo_load()
    return SimpleNamespace(**{u.username: u for u in User.objects.all()})


def test_frozen_and_the_previous_period_follow_one_rule(people) -> None:
    later = _period("2025-communes")
    earlier = _period("2024-communes")
    assert later.previous_id == earlier.pk

    # Before any approval: both live, the change against the previous period's settled results.
    now, before = source.fresh(later), source.fresh(earlier)
    expected = compare_periods(
        now.result, before.result, now.parsed.predecessors, now.assessment.settings.decimals
    )
    scores = source.final_scores(later)
    assert scores.change == expected and scores.previous == before.result

    # The earlier year approved and published: its snapshot is what every reader compares with.
    take_to("2024-communes", people, Period.Status.PUBLISHED)
    snapshot = Snapshot.objects.get(period=earlier)
    _parsed, frozen_result = _fresh_frozen(snapshot)
    assert source.frozen(earlier).result == frozen_result
    _forget()
    assert source.frozen(earlier, snapshot).result == frozen_result  # from the stored row
    assert source.previous(later).result == frozen_result
    scores = source.final_scores(later)
    assert scores.previous == frozen_result
    assert scores.change == compare_periods(
        now.result, frozen_result, now.parsed.predecessors, now.assessment.settings.decimals
    )

    # The later year frozen too: its frozen results carry the same change (no reader differs).
    take_to("2025-communes", people, Period.Status.PUBLISHED)
    snapshot = Snapshot.objects.get(period=later)
    parsed, result = _fresh_frozen(snapshot)
    frozen_scores = source.frozen_scores(later)
    assert frozen_scores is not None and frozen_scores.result == result
    assert frozen_scores.change == compare_periods(
        result, frozen_result, parsed.predecessors, parsed.assessment.settings.decimals
    )
    assert source.final_scores(later).result == result


def test_a_revision_is_computed_once_and_a_bump_recomputes(demo) -> None:
    period = _period("2023-districts")
    calls = source.engine_calls
    first = source.settled(period)
    assert source.engine_calls == calls + 1
    assert source.settled(period) is first  # this process's cache
    _forget()
    assert source.settled(period).result == first.result
    assert source.engine_calls == calls + 1  # the stored row, not the engine

    value = InputValue.objects.filter(submission__participation__period=period).first()
    if value is None:  # the districts carry given scores only: change one of those
        from opendti.assessments.models import GivenScore

        given = GivenScore.objects.filter(submission__participation__period=period).first()
        assert given is not None
        given.score = given.score + 1
        given.save()
    else:
        value.value = "1"
        value.save()
    assert source.settled(period).result == first.result  # no revision raised: stored ones stand
    revision.bump([period.pk])
    changed = source.settled(period)
    assert source.engine_calls == calls + 2
    assert changed.result == source.fresh(period).result != first.result


def test_old_revisions_are_pruned(demo) -> None:
    period = _period("2023-departments")
    for _ in range(store.KEEP + 3):
        source.settled(period)
        revision.bump([period.pk])
    rows = StoredResult.objects.filter(period=period, kind=StoredResult.Kind.SETTLED)
    assert rows.count() == store.KEEP
    newest = max(rows.values_list("revision", flat=True))
    assert newest == revision.current(period.pk) - 1


class _Payload:
    def __reduce__(self):
        return (exec, ("from tests.results.test_source import EXECUTED; EXECUTED.append(1)",))


def test_a_tampered_stored_payload_is_refused_not_unpickled(demo) -> None:
    period = _period("2023-districts")
    expected = source.settled(period).result
    row = StoredResult.objects.get(period=period, kind=StoredResult.Kind.SETTLED)
    signature = bytes(row.payload)[: store.SIGNATURE_BYTES]  # the attacker keeps a real one
    row.payload = signature + pickle.dumps(_Payload())
    row.save()
    _forget()
    calls = source.engine_calls
    assert source.settled(period).result == expected
    assert EXECUTED == []
    assert source.engine_calls == calls + 1  # refused, computed again and stored again
    row = StoredResult.objects.get(period=period, kind=StoredResult.Kind.SETTLED)
    assert store.loads(row.payload).result == expected


@pytest.mark.django_db(transaction=True)
def test_concurrent_readers_of_a_stale_revision_compute_once() -> None:
    demo_load()
    period = _period("2025-communes")
    revision.bump([period.pk])  # nothing stored for this revision yet
    calls = source.engine_calls
    start = threading.Barrier(3)
    totals: list[Decimal] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            start.wait()
            totals.append(source.settled(_period("2025-communes")).result.units[0].total)
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(totals) == 3 and len(set(totals)) == 1
    assert source.engine_calls == calls + 1
    assert StoredResult.objects.filter(period=period, kind=StoredResult.Kind.SETTLED).count() == 1


class _LockPerCaller(dict):
    """Each caller gets its own in-process lock: the threads then behave as separate processes,
    and only the database's lock stands between them."""

    def setdefault(self, key, default=None):
        return threading.Lock()


@pytest.mark.django_db(transaction=True)
def test_processes_reading_a_stale_revision_share_one_stored_result(monkeypatch) -> None:
    """On PostgreSQL (production: several gunicorn workers and the Celery worker) the advisory
    lock makes the others wait for the one computing: one computation. The embedded SQLite
    default runs one process; there the unique constraint keeps one stored row whoever wins."""
    demo_load()
    period = _period("2025-communes")
    revision.bump([period.pk])
    monkeypatch.setattr(store, "_flights", _LockPerCaller())
    calls = source.engine_calls
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def read() -> None:
        try:
            start.wait()
            source.settled(_period("2025-communes"))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    stored = StoredResult.objects.filter(period=period, kind=StoredResult.Kind.SETTLED)
    assert stored.count() == 1
    if connection.vendor == "postgresql":
        assert source.engine_calls == calls + 1
    else:
        assert calls + 1 <= source.engine_calls <= calls + 3
