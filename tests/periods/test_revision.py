"""The results revision (issue 15, periods/revision.py): every write that can change a period's
results raises the revision of every period whose results it changes, in the same transaction.

The inventory runs each kind of write through its real service (or, for what only the admin
changes, the model's own save as the admin makes it) inside a transaction, reads the results and
the revisions inside it, then rolls back: results changed ⇒ revision raised (read inside the
writer's transaction), and the rollback takes the raise back with the write (so it was neither a
separate transaction nor deferred to the commit)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from opendti.accounts.models import User
from opendti.api.models import IntegratorToken
from opendti.api.services import auto_value_push
from opendti.appraisal.models import Decision
from opendti.appraisal.services import (
    accept_rest,
    agree,
    decide,
    objection_answer,
    objection_raise,
    own_scores,
    reply_open,
    round_current,
    round_sign_off,
)
from opendti.assessments.access import access_submission
from opendti.assessments.services import (
    answer_get,
    answer_save,
    submission_carry_over,
)
from opendti.assessments.services.spreadsheet import submission_upload_apply
from opendti.frameworks.models import Band, Level, Node
from opendti.periods import revision
from opendti.periods.models import Participation, Period, RankingGroup
from opendti.periods.workflow import period_advance
from opendti.results import source
from opendti.results.models import StoredResult
from opendti.units.models import Lineage, Unit
from tests.appraisal.conftest import prepare_appraisal
from tests.assessments.conftest import OPEN, OTHER_UNIT, PREVIOUS, UNIT, demo
from tests.login import login
from tests.results.fresh import period_score

__all__ = ["demo"]

pytestmark = pytest.mark.django_db

EARLIER = "2024-communes"
PERIODS = (EARLIER, PREVIOUS, OPEN)


class _Undo(Exception):
    """Raised at the end of the measured transaction, to roll it back."""


def revisions(codes=PERIODS) -> dict[str, int]:
    return dict(Period.objects.filter(code__in=codes).values_list("code", "results_revision"))


def results(codes=PERIODS) -> dict[str, tuple]:
    """What every reader computes from a period: the settled results, the units' own, and the
    change against the previous period."""
    found = {}
    for code in codes:
        period = Period.objects.select_related("framework__level").get(code=code)
        _a, settled = period_score(period=period)
        _a, own = period_score(period=period, appraised=False)
        found[code] = (settled, own, fresh_change(period))
    return found


def fresh_change(period: Period):
    """The change against the previous period, computed now: nothing kept for a revision is
    reused (the point is to see a change the revision did not record)."""
    source.clear_process_cache()
    StoredResult.objects.all().delete()
    return source.final_scores(period).change


def observe(write: Callable[[], object], codes=PERIODS) -> tuple[set[str], set[str]]:
    """Run `write` in a transaction that is then rolled back: the periods whose results it
    changed, and those whose revision it raised (read inside the transaction). Asserts that the
    rollback took the raises back."""
    before_revisions, before = revisions(codes), results(codes)
    with pytest.raises(_Undo), transaction.atomic():
        write()
        inside = revisions(codes)
        after = results(codes)
        raise _Undo
    assert revisions(codes) == before_revisions, "the raise outlived the write's transaction"
    changed = {code for code in codes if after[code] != before[code]}
    raised = {code for code in codes if inside[code] > before_revisions[code]}
    assert all(inside[code] >= before_revisions[code] for code in codes)
    return changed, raised


# The context of the demo's writes -------------------------------------------------------------


@pytest.fixture
def world(demo) -> SimpleNamespace:
    """The demo; xa-hoa-binh's 2026 submission carried over from 2025 (so it has values)."""
    ours = access_submission(demo.daumoi, OPEN, UNIT)
    submission_carry_over(submission=ours, actor=demo.daumoi)
    return SimpleNamespace(
        demo=demo,
        ours=ours,
        theirs=access_submission(demo.daumoi2, OPEN, OTHER_UNIT),
        node=lambda code: Node.objects.prefetch_related("inputs").get(
            framework=ours.participation.period.framework, code=code
        ),
        period=lambda code: Period.objects.get(code=code),
    )


def _save(w, value: str) -> None:
    node = w.node("1.2")
    version = answer_get(w.ours, node).version
    answer_save(submission=w.ours, node=node, raw={"": value}, version=version, actor=w.demo.daumoi)


def _upload(w) -> None:
    node = w.node("1.2")
    version = answer_get(w.ours, node).version
    plan = [
        {"code": "1.2", "after": {"": "4"}, "version": version, "is_estimate": True, "note": ""}
    ]
    submission_upload_apply(submission=w.ours, user=w.demo.daumoi, plan=plan)


def _push(w) -> None:
    period = w.period(OPEN)
    token = IntegratorToken(
        user=User.objects.get(username="tichhop"),
        period=period,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    token.set_secret()
    token.save()
    participation = Participation.objects.get(period=period, unit__code=UNIT)
    token.participations.set([participation])
    node = w.node("6.1")
    token.nodes.set([node])
    auto_value_push(
        token=token,
        participation=participation,
        node=node,
        raw={"": "97.5"},
        measured_at=timezone.now(),
        source="Cổng dịch vụ công",
    )


def _setting(code: str, **values) -> Callable[..., None]:
    def write(w) -> None:
        period = w.period(code)
        for name, value in values.items():
            setattr(period, name, value)
        period.save()  # as the admin's form saves it

    return write


def _not_deployed(w) -> None:
    period = w.period(PREVIOUS)
    period.not_deployed.add(Node.objects.get(framework=period.framework, code="1.2"))


def _rule(w) -> None:
    node = w.node("1.2")  # 5 points a session: 3 now
    node.params = node.params.replace('"points_each": 5', '"points_each": 3')
    node.save()


def _band(w) -> None:
    band = Band.objects.filter(
        scheme__framework=w.period(PREVIOUS).framework, scheme__scope="total", lower__gt=0
    ).first()
    band.lower -= 20
    band.save()


def _pillars(w) -> None:
    for node in Node.objects.filter(framework=w.period(PREVIOUS).framework, pillars__isnull=False):
        node.pillars.clear()


def _level(w) -> None:
    level = Level.objects.get(framework=w.period(PREVIOUS).framework)
    level.code = "xa-moi"
    level.save()


def _ranked(w) -> None:
    participation = Participation.objects.filter(period=w.period(PREVIOUS), ranked=True).first()
    participation.ranked = False
    participation.save()


def _removed(w) -> None:
    Participation.objects.filter(period=w.period(PREVIOUS), unit__code=OTHER_UNIT).delete()


def _group(w) -> None:
    group = RankingGroup.objects.filter(period=w.period(PREVIOUS)).first()
    group.code = "nhom-moi"
    group.save()


def _unit(w) -> None:
    unit = Unit.objects.get(code=OTHER_UNIT)
    unit.code, unit.name = "xa-tan-lap-moi", "Xã Tân Lập Mới"
    unit.save()


def _lineage(w) -> None:
    later = Participation.objects.filter(period=w.period(PREVIOUS)).order_by("order")
    first, second = later[0].unit, later[1].unit
    Lineage.objects.create(predecessor=second, successor=first, kind=Lineage.Kind.MERGE)


def _previous(w) -> None:
    period = w.period(PREVIOUS)
    period.previous = None
    period.save(update_fields=["previous"])


def _status(w) -> None:
    period_advance(period=w.period(OPEN), to=Period.Status.APPRAISAL, actor=w.demo.dieuphoi)


# (write, the periods whose results it must change: the case is not vacuous)
DEMO_WRITES: dict[str, tuple[Callable[..., object], set[str]]] = {
    "workspace value": (lambda w: _save(w, "3"), {OPEN}),
    "workspace value cleared": (lambda w: _save(w, ""), {OPEN}),
    "excel upload": (_upload, {OPEN}),
    "api push": (_push, {OPEN}),
    "carry-over": (
        lambda w: submission_carry_over(submission=w.theirs, actor=w.demo.daumoi2),
        {OPEN},
    ),
    "decimals": (_setting(PREVIOUS, decimals=0), {PREVIOUS}),
    "display": (_setting(PREVIOUS, display=Period.Display.PERCENT), set()),
    "band on": (_setting(PREVIOUS, band_on=Period.BandOn.DISPLAYED), set()),
    "not-deployed policy": (_setting(PREVIOUS, not_deployed_policy="zero"), set()),
    "not-deployed indicator": (_not_deployed, {PREVIOUS}),
    "framework: rule": (_rule, {PREVIOUS, OPEN}),
    "framework: band": (_band, {PREVIOUS}),
    "framework: pillars": (_pillars, {PREVIOUS}),
    "framework: level": (_level, set()),
    "participation: ranked": (_ranked, {PREVIOUS}),
    "participation: removed": (_removed, {PREVIOUS}),
    "ranking group": (_group, {PREVIOUS}),
    "unit": (_unit, {PREVIOUS}),
    "lineage": (_lineage, set()),
    "previous period": (_previous, {PREVIOUS}),
    "status": (_status, set()),
}


@pytest.mark.parametrize("name", DEMO_WRITES)
def test_a_write_that_changes_results_raises_the_revision_in_its_transaction(world, name):
    write, must_change = DEMO_WRITES[name]
    changed, raised = observe(lambda: write(world))
    assert must_change <= changed, f"{name}: the case no longer changes {must_change - changed}"
    assert changed <= raised, f"{name}: results changed in {changed - raised}, revision not raised"


# The appraisal's writes ------------------------------------------------------------------------


def _adjust(a, demo, node: str, minus: str, reviewer=None) -> Decision:
    own = own_scores(a.period, UNIT)[node]
    return decide(
        submission=a.ours,
        node=a.node(node),
        reviewer=reviewer or demo.thamdinh,
        kind="adjust",
        score=own - Decimal(minus),
        reason="Thiếu văn bản",
    )


def _to_reply(a, demo) -> None:
    for reviewer in (demo.thamdinh, a.second):
        accept_rest(appraisal_round=round_current(a.period), reviewer=reviewer)
        round_sign_off(appraisal_round=round_current(a.period), reviewer=reviewer)
    reply_open(period=a.period, actor=demo.dieuphoi)


def _upheld(a, demo) -> Callable[[], object]:
    _to_reply(a, demo)
    objection = objection_raise(
        submission=a.ours, node=a.node("2.1"), actor=demo.lanhdao, text="Đề nghị xem lại"
    )
    own = own_scores(a.period, UNIT)["2.1"]
    return lambda: objection_answer(
        objection=objection, actor=demo.dieuphoi, upheld=True, answer="Đồng ý", score=own - 2
    )


def _agreed(a, demo) -> Callable[[], object]:
    decision = _adjust(a, demo, "2.1", "15")  # above the threshold (10): awaits a second
    return lambda: agree(decision=decision, reviewer=a.second, agreed=True)


def _accepted_after_adjust(a, demo) -> Callable[[], object]:
    _adjust(a, demo, "2.1", "5")
    return lambda: decide(
        submission=a.ours, node=a.node("2.1"), reviewer=demo.thamdinh, kind="accept"
    )


APPRAISAL_WRITES: dict[str, Callable[..., Callable[[], object]]] = {
    "adjustment": lambda a, demo: lambda: _adjust(a, demo, "2.1", "5"),
    "acceptance replacing an adjustment": _accepted_after_adjust,
    "second reviewer agrees": _agreed,
    "objection upheld with a score": _upheld,
}


@pytest.mark.parametrize("name", APPRAISAL_WRITES)
def test_a_reviewers_write_raises_the_revision_in_its_transaction(demo, name):
    a = prepare_appraisal(demo)
    write = APPRAISAL_WRITES[name](a, demo)
    changed, raised = observe(write, codes=(OPEN,))
    assert changed == {OPEN}, f"{name}: the case no longer changes the results"
    assert raised == {OPEN}


def test_accepting_the_rest_raises_once_at_the_end_and_only_when_a_score_settles(demo):
    a = prepare_appraisal(demo)
    before = revision.current(a.period.pk)
    accept_rest(appraisal_round=round_current(a.period), reviewer=demo.thamdinh)
    # Nothing was settled before: acceptances give back the computed scores, the results stand.
    assert revision.current(a.period.pk) == before


# The rules around the writes -------------------------------------------------------------------


def test_a_framework_edit_raises_every_period_using_that_version_and_no_other(world):
    before = revisions()
    _rule(world)
    after = revisions()
    assert after[PREVIOUS] > before[PREVIOUS] and after[OPEN] > before[OPEN]
    assert after[EARLIER] == before[EARLIER]  # 2024 has its own framework version


def test_a_value_saved_in_the_workspace_raises_only_its_period(world):
    client = Client()
    login(client, world.demo.daumoi)
    node = world.node("1.2")
    version = answer_get(world.ours, node).version
    before = revisions()
    response = client.post(
        f"/ky/{OPEN}/don-vi/{UNIT}/chi-so/1.2/luu/",
        {"version": str(version), "v-1.2-": "4"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    after = revisions()
    assert after == before | {OPEN: before[OPEN] + 1}
    # A refused save (a stale version) changes nothing, the revision included.
    stale = client.post(
        f"/ky/{OPEN}/don-vi/{UNIT}/chi-so/1.2/luu/",
        {"version": str(version), "v-1.2-": "5"},
        HTTP_HX_REQUEST="true",
    )
    assert stale.status_code == 409 and revisions() == after


def test_saving_a_loaded_period_never_writes_its_revision_back(world):
    stale = Period.objects.get(code=PREVIOUS)
    _rule(world)  # raised since `stale` was loaded
    raised = revision.current(stale.pk)
    stale.raw_inputs_public = True
    stale.save()
    stale.decimals = 1
    stale.save()  # a setting the results depend on: raised once more, from the stored number
    assert revision.current(stale.pk) == raised + 1


def test_a_setting_saved_unchanged_raises_nothing(world):
    period = Period.objects.get(code=PREVIOUS)
    before = revision.current(period.pk)
    period.save()
    period.assessed_from = period.assessed_to = datetime.date(2025, 12, 31)
    period.save(update_fields=["assessed_from", "assessed_to"])
    assert revision.current(period.pk) == before


def test_the_demo_and_the_workbook_import_leave_revisions_above_zero(demo):
    for code in (*PERIODS, "2023-departments", "2022-provinces"):
        assert revision.current(Period.objects.get(code=code).pk) > 0, code


# Results held from before a write ---------------------------------------------------------------


def held_through(write: Callable[[], object], codes=PERIODS) -> dict[str, int]:
    """A process holds every period's results of the revision before `write`; after it (inside
    its transaction, then rolled back) what the process reads equals a fresh computation, whether
    the raise was logged as value edits (applied to the held results) or not (scored whole).
    Returns how many times the engine scored each period whole after the write."""
    scored: dict[str, int] = {}
    with pytest.raises(_Undo), transaction.atomic():
        periods = {c: Period.objects.select_related("framework__level").get(code=c) for c in codes}
        for period in periods.values():
            source.settled(period), source.provisional(period)
        write()
        for code, period in periods.items():
            before = source.engine_calls
            got = [source.live(period, appraised=appraised) for appraised in (True, False)]
            scored[code] = source.engine_calls - before
            for computed, appraised in zip(got, (True, False), strict=True):
                want = source.fresh(period, appraised=appraised)
                assert computed.result == want.result, (code, appraised)
                assert computed.assessment == want.assessment, (code, appraised)
        raise _Undo
    source.clear_process_cache()  # what it held belonged to the rolled-back transaction
    return scored


@pytest.mark.parametrize("name", DEMO_WRITES)
def test_results_held_from_before_a_write_are_brought_up_to_it(world, name):
    write, _ = DEMO_WRITES[name]
    scored = held_through(lambda: write(world))
    if name.startswith("workspace value"):  # logged as value edits: nothing scored whole
        assert scored == dict.fromkeys(PERIODS, 0)


@pytest.mark.parametrize("name", APPRAISAL_WRITES)
def test_results_held_from_before_a_reviewers_write_are_brought_up_to_it(demo, name):
    a = prepare_appraisal(demo)
    # Each settles one score: logged, applied to the held results, nothing scored whole.
    assert held_through(APPRAISAL_WRITES[name](a, demo), codes=(OPEN,)) == {OPEN: 0}
