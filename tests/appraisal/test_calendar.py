"""The programme's calendar enforced by the server: reviewers decide inside their round's window,
units explain until the end of theirs and object until the end of the reply window; every refusal
names the dates (dd/mm/yyyy), changes nothing, and reads the same from the services, the web and
the API. The coordinator moves a phase's dates with a reason, kept as history."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from opendti.appraisal.models import Decision, Explanation, Objection, SignOff
from opendti.appraisal.services import (
    accept_rest,
    agree,
    decide,
    explain,
    objection_raise,
    phase_extend,
    reply_open,
    round_current,
    round_sign_off,
)
from opendti.assessments.models import Answer, Change
from opendti.periods.calendar import PhaseClosed, date_text
from opendti.periods.models import Period, Phase, PhaseExtension
from opendti.periods.workflow import TransitionRefused
from opendti.publication.demo import demo_load_all

from .conftest import OPEN, UNIT

pytestmark = pytest.mark.django_db
Kind = Phase.Kind


def day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def window(period: Period, kind: str, start: int, end: int, n: int | None = None) -> Phase:
    return Phase.objects.create(
        period=period, kind=kind, round_number=n, starts_on=day(start), ends_on=day(end)
    )


def counts() -> tuple[int, ...]:
    return (
        Decision.objects.count(),
        Change.objects.count(),
        Explanation.objects.count(),
        Objection.objects.count(),
        SignOff.objects.count(),
    )


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- appraisal windows -------------------------------------------------------------------------


def test_a_decision_after_the_rounds_window_is_refused_with_its_dates(demo, appraisal):
    window(appraisal.period, Kind.APPRAISAL, -10, -1, n=1)
    before = counts()
    with pytest.raises(PhaseClosed) as refused:
        decide(
            submission=appraisal.ours,
            node=appraisal.node("1.1"),
            reviewer=demo.thamdinh,
            kind="accept",
        )
    message = refused.value.messages[0]
    assert "Đã hết thời gian thẩm định lần 1" in message
    assert date_text(day(-10)) in message and date_text(day(-1)) in message
    assert "/" in date_text(day(-1)) and date_text(day(-1)).count("/") == 2  # dd/mm/yyyy
    assert counts() == before


def test_a_decision_before_the_rounds_window_is_refused(demo, appraisal):
    window(appraisal.period, Kind.APPRAISAL, 2, 9, n=1)
    with pytest.raises(
        PhaseClosed, match=f"Chưa đến thời gian thẩm định lần 1: từ ngày {date_text(day(2))}"
    ):
        decide(
            submission=appraisal.ours,
            node=appraisal.node("1.1"),
            reviewer=demo.thamdinh,
            kind="accept",
        )


def test_inside_the_window_and_without_dates_the_decision_is_made(demo, appraisal):
    # No appraisal phase at all: only the period's state limits (as before the calendar).
    decide(
        submission=appraisal.ours, node=appraisal.node("1.1"), reviewer=demo.thamdinh, kind="accept"
    )
    window(appraisal.period, Kind.APPRAISAL, 0, 0, n=1)  # today is the last day: still in time
    decide(
        submission=appraisal.ours, node=appraisal.node("1.2"), reviewer=demo.thamdinh, kind="accept"
    )
    assert Decision.objects.filter(round__number=1, reviewer=demo.thamdinh).count() == 2


def test_a_window_for_every_round_applies_unless_the_round_has_its_own(demo, appraisal):
    window(appraisal.period, Kind.APPRAISAL, -20, -5)  # every round
    with pytest.raises(PhaseClosed):
        decide(
            submission=appraisal.ours,
            node=appraisal.node("1.1"),
            reviewer=demo.thamdinh,
            kind="accept",
        )
    window(appraisal.period, Kind.APPRAISAL, -1, 3, n=1)  # round 1's own window
    decide(
        submission=appraisal.ours, node=appraisal.node("1.1"), reviewer=demo.thamdinh, kind="accept"
    )


def test_agreeing_and_accepting_the_rest_are_decisions_too(demo, appraisal):
    adjusted = decide(
        submission=appraisal.ours,
        node=appraisal.node("2.1"),
        reviewer=demo.thamdinh,
        kind="adjust",
        score=appraisal.node("2.1").max_points / 2,
        reason="Ban hành chậm",
    )
    assert adjusted.state == Decision.State.AWAITING
    window(appraisal.period, Kind.APPRAISAL, -10, -1, n=1)
    before = counts()
    with pytest.raises(PhaseClosed):
        agree(decision=adjusted, reviewer=appraisal.second, agreed=True)
    with pytest.raises(PhaseClosed):
        accept_rest(appraisal_round=round_current(appraisal.period), reviewer=demo.thamdinh)
    assert counts() == before
    assert Decision.objects.get(pk=adjusted.pk).state == Decision.State.AWAITING


def test_signing_off_late_is_allowed_and_closes_the_round(demo, appraisal):
    current = round_current(appraisal.period)
    for reviewer in (demo.thamdinh, appraisal.second):
        accept_rest(appraisal_round=current, reviewer=reviewer)
    window(appraisal.period, Kind.APPRAISAL, -10, -1, n=1)
    round_sign_off(appraisal_round=current, reviewer=demo.thamdinh)
    assert round_sign_off(appraisal_round=current, reviewer=appraisal.second) is True


def test_the_web_and_the_api_refuse_alike_with_409_and_the_dates(demo, appraisal):
    window(appraisal.period, Kind.APPRAISAL, -10, -1, n=1)
    reviewer = client_as(demo.thamdinh)
    before = counts()
    page = reviewer.post(f"/ky/{OPEN}/tham-dinh/{UNIT}/chi-so/1.1/", {"kind": "accept"})
    assert page.status_code == 409
    assert f"đến hết ngày {date_text(day(-1))}" in page.content.decode()
    api = reviewer.post(
        f"/api/v1/periods/{OPEN}/units/{UNIT}/decisions/",
        json.dumps({"indicator": "1.1", "kind": "accept"}),
        content_type="application/json",
    )
    assert api.status_code == 409
    assert f"đến hết ngày {date_text(day(-1))}" in api.json()["detail"]
    assert counts() == before


# --- explanation windows -----------------------------------------------------------------------


def ask(demo, appraisal, due_on: datetime.date | None) -> Decision:
    return decide(
        submission=appraisal.ours,
        node=appraisal.node("2.2"),
        reviewer=demo.thamdinh,
        kind="request",
        reason="Bổ sung văn bản",
        due_on=due_on,
    )


def test_a_request_is_due_by_the_end_of_the_explanation_window(demo, appraisal):
    window(appraisal.period, Kind.EXPLANATION, 3, 9, n=1)
    assert ask(demo, appraisal, None).due_on == day(9)  # none given: the window's end
    assert Answer.objects.get(submission=appraisal.ours, node__code="2.2").open_until == day(9)
    before = counts()
    with pytest.raises(ValidationError, match=f"không được sau ngày {date_text(day(9))}"):
        decide(
            submission=appraisal.ours,
            node=appraisal.node("3.1"),
            reviewer=demo.thamdinh,
            kind="request",
            reason="Bổ sung",
            due_on=day(10),
        )
    assert counts() == before


def test_explaining_before_the_window_is_welcome_after_it_refused(demo, appraisal):
    explanation = window(appraisal.period, Kind.EXPLANATION, 2, 6, n=1)
    request = ask(demo, appraisal, day(5))
    explain(decision=request, actor=demo.daumoi, text="Đã bổ sung trước thời hạn")  # early: fine
    Phase.objects.filter(pk=explanation.pk).update(starts_on=day(-8), ends_on=day(-1))
    before = counts()
    with pytest.raises(PhaseClosed) as refused:
        explain(decision=Decision.objects.get(pk=request.pk), actor=demo.daumoi, text="Lần hai")
    assert "Đã hết thời gian giải trình lần 1" in refused.value.messages[0]
    assert date_text(day(-1)) in refused.value.messages[0]
    assert counts() == before
    # Through the web: the same refusal, 409, in the indicator's card.
    response = client_as(demo.daumoi).post(
        f"/ky/{OPEN}/don-vi/{UNIT}/chi-so/2.2/giai-trinh/{request.pk}/",
        {"text": "Lần ba"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert date_text(day(-1)) in response.content.decode()
    assert counts() == before


# --- the reply window --------------------------------------------------------------------------


def to_reply(demo, appraisal) -> None:
    current = round_current(appraisal.period)
    for reviewer in (demo.thamdinh, appraisal.second):
        accept_rest(appraisal_round=current, reviewer=reviewer)
        round_sign_off(appraisal_round=current, reviewer=reviewer)
    reply_open(period=appraisal.period, actor=demo.dieuphoi)


def test_an_objection_after_the_reply_window_is_refused(demo, appraisal):
    to_reply(demo, appraisal)
    reply = window(appraisal.period, Kind.REPLY, -7, -1)
    before = counts()
    with pytest.raises(PhaseClosed, match=f"phản hồi kết quả dự kiến .*{date_text(day(-1))}"):
        objection_raise(
            submission=appraisal.ours,
            node=appraisal.node("2.1"),
            actor=demo.lanhdao,
            text="Xem lại",
        )
    response = client_as(demo.lanhdao).post(
        f"/ky/{OPEN}/don-vi/{UNIT}/chi-so/2.1/phan-hoi/",
        {"text": "Xem lại"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409 and date_text(day(-1)) in response.content.decode()
    assert counts() == before
    # Extended by the coordinator: the objection is received.
    phase_extend(
        phase=reply,
        actor=demo.dieuphoi,
        starts_on=day(-7),
        ends_on=day(2),
        reason="Đơn vị đề nghị thêm thời gian",
    )
    objection_raise(
        submission=appraisal.ours, node=appraisal.node("2.1"), actor=demo.lanhdao, text="Xem lại"
    )
    assert Objection.objects.count() == 1


# --- extensions --------------------------------------------------------------------------------


def test_extending_a_window_records_who_when_why_and_the_old_dates(demo, appraisal):
    phase = window(appraisal.period, Kind.APPRAISAL, -10, -1, n=1)
    extension = phase_extend(
        phase=phase,
        actor=demo.dieuphoi,
        starts_on=day(-10),
        ends_on=day(3),
        reason="Tổ thẩm định cần thêm thời gian",
        seen=(day(-10), day(-1)),
    )
    phase.refresh_from_db()
    assert (phase.starts_on, phase.ends_on) == (day(-10), day(3))
    row = PhaseExtension.objects.get()
    assert row == extension
    assert (row.old_starts_on, row.old_ends_on, row.new_starts_on, row.new_ends_on) == (
        day(-10),
        day(-1),
        day(-10),
        day(3),
    )
    assert row.actor == demo.dieuphoi and row.reason == "Tổ thẩm định cần thêm thời gian"
    # The reviewer decides again.
    decide(
        submission=appraisal.ours, node=appraisal.node("1.1"), reviewer=demo.thamdinh, kind="accept"
    )
    # A second extension keeps the first one's row.
    phase_extend(
        phase=phase, actor=demo.dieuphoi, starts_on=day(-10), ends_on=day(5), reason="Lần 2"
    )
    assert list(PhaseExtension.objects.values_list("new_ends_on", flat=True)) == [day(3), day(5)]


def test_extension_refusals_change_nothing(demo, appraisal):
    phase = window(appraisal.period, Kind.APPRAISAL, -10, -1, n=1)
    attempts = [
        (demo.thamdinh, day(-10), day(3), "Thêm", None, PermissionDenied, "Chỉ cán bộ điều phối"),
        (demo.dieuphoi, day(-10), day(3), "  ", None, ValidationError, "lý do"),
        (demo.dieuphoi, day(5), day(3), "Thêm", None, ValidationError, "phải từ ngày bắt đầu"),
        (demo.dieuphoi, day(-10), day(-1), "Thêm", None, ValidationError, "trùng với"),
        # Someone changed the phase since the form was shown: not overwritten.
        (demo.dieuphoi, day(-10), day(3), "Thêm", (day(-9), day(-1)), ValidationError, "vừa được"),
    ]
    for actor, start, end, reason, seen, error, text in attempts:
        with pytest.raises(error, match=text):
            phase_extend(
                phase=phase, actor=actor, starts_on=start, ends_on=end, reason=reason, seen=seen
            )
    assert not PhaseExtension.objects.exists()
    phase.refresh_from_db()
    assert (phase.starts_on, phase.ends_on) == (day(-10), day(-1))


def test_a_published_periods_calendar_is_history(demo):
    demo_load_all()  # the Đắk Nông periods published, with the seed's calendar
    period = Period.objects.get(code="2023-districts")
    phase = period.phase(Kind.SELF_ASSESSMENT)
    with pytest.raises(TransitionRefused, match="đã công bố"):
        phase_extend(
            phase=phase,
            actor=demo.dieuphoi,
            starts_on=phase.starts_on,
            ends_on=phase.ends_on + datetime.timedelta(days=1),
            reason="Thử",
        )
    assert not PhaseExtension.objects.exists()


def test_extending_the_explanation_window_moves_the_requests_due_on_its_end(demo, appraisal):
    phase = window(appraisal.period, Kind.EXPLANATION, -6, 2, n=1)
    request = ask(demo, appraisal, None)  # due on the window's end
    earlier = decide(
        submission=appraisal.ours,
        node=appraisal.node("3.1"),
        reviewer=demo.thamdinh,
        kind="request",
        reason="Bổ sung",
        due_on=day(1),  # its own, earlier date: not the window's
    )
    phase_extend(
        phase=phase, actor=demo.dieuphoi, starts_on=day(-6), ends_on=day(9), reason="Nghỉ lễ"
    )
    assert Decision.objects.get(pk=request.pk).due_on == day(9)
    assert Answer.objects.get(submission=appraisal.ours, node__code="2.2").open_until == day(9)
    assert Decision.objects.get(pk=earlier.pk).due_on == day(1)
    history = Change.objects.get(node__code="2.2", field="due_on")
    assert (history.before, history.after) == (day(2).isoformat(), day(9).isoformat())
    assert "Nghỉ lễ" in history.reason and history.actor == demo.dieuphoi
