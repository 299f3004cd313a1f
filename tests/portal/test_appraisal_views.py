"""The appraisal pages: the coordinator's steps, the reviewers' decisions and sign-off, the second
reviewer, the objections, the approval and publication, all through the pages, and every refusal
on the way with the period and its rows left as they were."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opendti import numbers
from opendti.accounts.models import User
from opendti.appraisal.models import Decision, Objection, Round, SignOff
from opendti.appraisal.services import objection_raise as raise_objection
from opendti.appraisal.services import own_scores, reviewer_assign, round_current
from opendti.assessments.models import AppraisedScore
from opendti.periods.models import Period, PeriodTransition, ReviewerAssignment
from opendti.publication.models import Publication, Snapshot
from tests.appraisal.conftest import OTHER_UNIT, UNIT, appraisal, before_appraisal, demo
from tests.login import login

__all__ = ["appraisal", "before_appraisal", "demo"]  # fixtures used below

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    login(client, user)
    return client


def week() -> str:
    return (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


def card(html: str, code: str) -> str:
    """One indicator's card on the unit review page."""
    match = re.search(rf'<article [^>]*data-code="{re.escape(code)}".*?</article>', html, re.S)
    assert match, code
    return match.group(0)


def score_in(fragment: str, cls: str) -> Decimal | None:
    match = re.search(rf'class="{cls}"[^>]*data-score="([^"]*)"', fragment)
    assert match, cls
    return None if match.group(1) in ("", "None") else Decimal(match.group(1))


def state(period: Period) -> tuple:
    """What a refused step must leave as it was."""
    period.refresh_from_db()
    return (
        period.status,
        PeriodTransition.objects.filter(period=period).count(),
        Round.objects.filter(period=period).count(),
        list(Round.objects.filter(period=period).values_list("number", "closed_at")),
        Decision.objects.filter(round__period=period).count(),
        SignOff.objects.filter(round__period=period).count(),
        Snapshot.objects.filter(period=period).count(),
        Publication.objects.filter(snapshot__period=period).count(),
    )


def test_coordinator_starts_the_appraisal(demo, before_appraisal):
    period = before_appraisal.period
    coordinator = client_for(demo.dieuphoi)
    page = coordinator.get(reverse("portal:appraisal", args=[period.code]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="appraisal"' in body  # the one step the workflow allows now
    assert 'value="published"' not in body and 'value="next_round"' not in body

    # Anything else is refused by the server too, with the service's message.
    before = state(period)
    refused = coordinator.post(
        reverse("portal:period_advance", args=[period.code]), {"to": "published"}
    )
    assert refused.status_code == 409
    assert "Không thể chuyển kỳ" in refused.content.decode()
    assert state(period) == before

    # A reviewer may see the page but not take the step.
    reviewer = client_for(demo.thamdinh)
    denied = reviewer.post(
        reverse("portal:period_advance", args=[period.code]), {"to": "appraisal"}
    )
    assert denied.status_code == 403
    assert state(period) == before

    response = coordinator.post(
        reverse("portal:period_advance", args=[period.code]),
        {"to": "appraisal", "reason": "Hết hạn tự đánh giá"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:appraisal", args=[period.code])
    period.refresh_from_db()
    assert period.status == Period.Status.APPRAISAL
    assert round_current(period).number == 1 and round_current(period).is_open
    transition = PeriodTransition.objects.get(period=period)
    assert (transition.after, transition.actor, transition.reason) == (
        "appraisal",
        demo.dieuphoi,
        "Hết hạn tự đánh giá",
    )
    page = coordinator.get(response["Location"]).content.decode()
    assert 'data-status="appraisal"' in page and 'data-number="1" data-open="1"' in page
    # Both reviewers are still to sign off round 1.
    assert "Phạm Thị Thẩm Định" in page and before_appraisal.second.full_name in page


def test_reviewer_decides_and_the_page_shows_own_decision_and_final(demo, appraisal):
    period, ours = appraisal.period, appraisal.ours
    own = own_scores(period, UNIT)
    reviewer = client_for(demo.thamdinh)
    decide = lambda code, data: reviewer.post(  # noqa: E731
        reverse("portal:decide", args=[period.code, UNIT, code]), data
    )

    # Adjust within the threshold, ask for a supplement, accept.
    adjusted = own["2.1"] - 5
    # Typed as a reviewer types it: a decimal comma (45,00), never Python's 45.00.
    typed = numbers.vi(adjusted)
    response = decide("2.1", {"kind": "adjust", "score": typed, "reason": "Thiếu văn bản"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#ind-{appraisal.node('2.1').pk}")
    assert decide("2.2", {"kind": "request", "reason": "Bổ sung số liệu", "due_on": week()})[
        "Location"
    ]
    assert decide("1.1", {"kind": "accept"}).status_code == 302

    rows = Decision.objects.filter(submission=ours).order_by("node__code")
    assert [(d.node.code, d.kind, d.state) for d in rows] == [
        ("1.1", "accept", "effective"),
        ("2.1", "adjust", "effective"),
        ("2.2", "request", "open"),
    ]
    assert AppraisedScore.objects.get(submission=ours, node=appraisal.node("2.1")).score == adjusted

    page = reviewer.get(reverse("portal:unit_review", args=[period.code, UNIT]))
    assert page.status_code == 200
    html = page.content.decode()
    changed = card(html, "2.1")
    assert score_in(changed, "own") == own["2.1"]
    assert score_in(changed, "decision") == adjusted
    assert score_in(changed, "final") == adjusted
    assert "Thiếu văn bản" in changed
    asked = card(html, "2.2")
    assert 'data-kind="request"' in asked and 'data-state="open"' in asked
    assert score_in(asked, "final") == own["2.2"]  # a request changes no score
    assert "Bổ sung số liệu" in asked

    # The coordinator reads the same table, without the forms.
    coordinator_page = client_for(demo.dieuphoi).get(
        reverse("portal:unit_review", args=[period.code, UNIT])
    )
    assert score_in(card(coordinator_page.content.decode(), "2.1"), "final") == adjusted
    assert 'name="kind"' not in coordinator_page.content.decode()

    # A refused decision: shown next to the indicator, nothing written.
    count = Decision.objects.count()
    refused = decide("1.2", {"kind": "adjust", "score": "999", "reason": "Quá điểm tối đa"})
    assert refused.status_code == 422
    assert "Điểm phải từ 0" in card(refused.content.decode(), "1.2")
    assert 'value="999"' in card(refused.content.decode(), "1.2")  # what was typed is kept
    refused = decide("1.2", {"kind": "request", "reason": "x", "due_on": "2000-01-01"})
    assert refused.status_code == 422 and "Hạn giải trình" in refused.content.decode()
    # A main index is no indicator to decide on.
    assert decide("2", {"kind": "adjust", "score": "1", "reason": "x"}).status_code == 404
    assert Decision.objects.count() == count


def test_reviewer_outside_their_scope_is_refused(demo, appraisal):
    period = appraisal.period
    second = client_for(appraisal.second)  # reviews xa-hoa-binh only
    assert (
        second.get(reverse("portal:unit_review", args=[period.code, OTHER_UNIT])).status_code == 404
    )
    response = second.post(
        reverse("portal:decide", args=[period.code, OTHER_UNIT, "2.1"]), {"kind": "accept"}
    )
    assert response.status_code == 404
    assert (
        second.post(reverse("portal:accept_rest", args=[period.code, OTHER_UNIT])).status_code
        == 404
    )
    # The unit's own people never see the review page.
    for user in (demo.daumoi, demo.lanhdao, demo.daumoi2):
        client = client_for(user)
        assert (
            client.get(reverse("portal:unit_review", args=[period.code, UNIT])).status_code == 404
        )
        assert client.get(reverse("portal:appraisal", args=[period.code])).status_code == 404

    # A reviewer of one main index only sees the unit, and may decide that index only.
    third = User.objects.create(username="thamdinh3", full_name="Lê Thẩm Định Ba")
    third.groups.add(*demo.thamdinh.groups.all())
    reviewer_assign(
        period=period, reviewer=third, actor=demo.dieuphoi, unit_code=OTHER_UNIT, node_code="1"
    )
    client = client_for(third)
    page = client.get(reverse("portal:unit_review", args=[period.code, OTHER_UNIT]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="kind"' in card(html, "1.1") and 'name="kind"' not in card(html, "2.1")
    refused = client.post(
        reverse("portal:decide", args=[period.code, OTHER_UNIT, "2.1"]), {"kind": "accept"}
    )
    assert refused.status_code == 403
    assert "không được phân công" in refused.content.decode()
    assert not Decision.objects.filter(submission=appraisal.theirs).exists()
    assert (
        client.post(
            reverse("portal:decide", args=[period.code, OTHER_UNIT, "1.1"]), {"kind": "accept"}
        ).status_code
        == 302
    )
    assert Decision.objects.get(submission=appraisal.theirs).reviewer == third


def test_second_reviewer_agrees_through_the_page(demo, appraisal):
    period, ours, node = appraisal.period, appraisal.ours, appraisal.node("2.1")
    proposer = client_for(demo.thamdinh)
    response = proposer.post(
        reverse("portal:decide", args=[period.code, UNIT, "2.1"]),
        {"kind": "adjust", "score": "0", "reason": "Không có văn bản"},
    )
    assert response.status_code == 302
    decision = Decision.objects.get(submission=ours, node=node)
    assert decision.state == "awaiting"
    assert not AppraisedScore.objects.filter(submission=ours, node=node).exists()
    # The proposer is not asked to agree with himself; he is refused if he tries.
    overview = proposer.get(reverse("portal:appraisal", args=[period.code])).content.decode()
    assert f'data-decision="{decision.pk}"' not in overview
    assert (
        proposer.post(
            reverse("portal:decision_agree", args=[period.code, decision.pk]), {"agreed": "yes"}
        ).status_code
        == 403
    )

    second = client_for(appraisal.second)
    overview = second.get(reverse("portal:appraisal", args=[period.code])).content.decode()
    assert f'data-decision="{decision.pk}"' in overview
    # Declining needs a reason.
    refused = second.post(
        reverse("portal:decision_agree", args=[period.code, decision.pk]), {"agreed": "no"}
    )
    assert refused.status_code == 422 and "lý do" in refused.content.decode()
    decision.refresh_from_db()
    assert decision.state == "awaiting" and decision.second_reviewer is None

    response = second.post(
        reverse("portal:decision_agree", args=[period.code, decision.pk]),
        {"agreed": "yes", "back": "unit"},
    )
    assert response.status_code == 302
    assert reverse("portal:unit_review", args=[period.code, UNIT]) in response["Location"]
    decision.refresh_from_db()
    assert (decision.state, decision.second_reviewer) == ("effective", appraisal.second)
    assert AppraisedScore.objects.get(submission=ours, node=node).score == 0
    html = second.get(reverse("portal:unit_review", args=[period.code, UNIT])).content.decode()
    agreed = card(html, "2.1")
    assert score_in(agreed, "final") == 0 and 'data-state="effective"' in agreed
    assert appraisal.second.full_name in agreed  # the second reviewer is named


def test_sign_off_refused_while_items_remain_then_accepted(demo, appraisal):
    period = appraisal.period
    reviewer = client_for(demo.thamdinh)
    before = state(period)
    refused = reviewer.post(reverse("portal:round_sign_off", args=[period.code]))
    assert refused.status_code == 422
    assert "chưa có quyết định thẩm định" in refused.content.decode()
    assert state(period) == before

    # The coordinator is no reviewer: refused, and the round stays as it was.
    assert (
        client_for(demo.dieuphoi)
        .post(reverse("portal:round_sign_off", args=[period.code]))
        .status_code
        == 403
    )
    # Not even able to accept for a reviewer.
    assert (
        client_for(demo.dieuphoi)
        .post(reverse("portal:accept_rest", args=[period.code, UNIT]))
        .status_code
        == 403
    )
    assert state(period) == before

    for unit in (UNIT, OTHER_UNIT):
        response = reviewer.post(reverse("portal:accept_rest", args=[period.code, unit]))
        assert response.status_code == 302
    assert not Decision.objects.exclude(kind="accept").exists()
    response = reviewer.post(reverse("portal:round_sign_off", args=[period.code]))
    assert response.status_code == 302
    assert SignOff.objects.filter(reviewer=demo.thamdinh).count() == 1
    assert round_current(period).is_open  # thamdinh2 has not signed off yet
    page = reviewer.get(reverse("portal:appraisal", args=[period.code])).content.decode()
    assert 'id="signed-off"' in page and 'id="sign-off-form"' not in page
    # After signing off, the unit page offers no more forms.
    unit_page = reviewer.get(reverse("portal:unit_review", args=[period.code, UNIT]))
    assert 'name="kind"' not in unit_page.content.decode()

    second = client_for(appraisal.second)
    second.post(reverse("portal:accept_rest", args=[period.code, UNIT]))
    assert second.post(reverse("portal:round_sign_off", args=[period.code])).status_code == 302
    assert not round_current(period).is_open


def test_round_open_next_refused_while_the_round_is_open(demo, appraisal):
    period = appraisal.period
    coordinator = client_for(demo.dieuphoi)
    page = coordinator.get(reverse("portal:appraisal", args=[period.code])).content.decode()
    assert 'value="next_round"' not in page  # not offered while the round is open
    before = state(period)
    for to, message in (("next_round", "chưa kết thúc"), ("reply", "chưa kết thúc")):
        refused = coordinator.post(reverse("portal:period_advance", args=[period.code]), {"to": to})
        assert refused.status_code == 409
        assert message in refused.content.decode()
        assert state(period) == before
    refused = coordinator.post(reverse("portal:period_advance", args=[period.code]), {"to": "x"})
    assert refused.status_code == 422 and state(period) == before


def test_approving_with_a_round_open_is_refused(demo, appraisal):
    period = appraisal.period
    approver = client_for(demo.pheduyet)
    page = approver.get(reverse("portal:approval", args=[period.code]))
    assert page.status_code == 200
    assert 'id="approve-form"' not in page.content.decode()  # not in approval
    before = state(period)
    refused = approver.post(
        reverse("portal:approve", args=[period.code]),
        {
            "decision_number": "1/QĐ-UBND",
            "decision_date": timezone.localdate().isoformat(),
            "signer": "Chủ tịch",
        },
    )
    assert refused.status_code == 409
    assert "chưa kết thúc" in refused.content.decode()
    assert state(period) == before
    # Nor return what was never sent for approval (that would skip the rounds' checks).
    refused = approver.post(
        reverse("portal:approval_return", args=[period.code]), {"reason": "Xem lại"}
    )
    assert refused.status_code == 409 and state(period) == before
    # The coordinator cannot approve at all.
    denied = client_for(demo.dieuphoi).post(
        reverse("portal:approve", args=[period.code]),
        {"decision_number": "1", "decision_date": "2026-01-01", "signer": "A"},
    )
    assert denied.status_code == 403 and state(period) == before


def test_publishing_before_approval_is_refused(demo, appraisal):
    period = appraisal.period
    coordinator = client_for(demo.dieuphoi)
    before = state(period)
    refused = coordinator.post(
        reverse("portal:period_advance", args=[period.code]),
        {"to": "published", "back": "approval"},
    )
    assert refused.status_code == 409
    body = refused.content.decode()
    assert "Không thể chuyển kỳ" in body and 'id="ranking"' in body  # the approval page again
    assert state(period) == before


def _close_the_appraisal(demo, appraisal) -> None:
    """Both reviewers accept everything left and sign off round 1; the coordinator opens the
    reply window, all through the pages."""
    period = appraisal.period
    for user, units in ((demo.thamdinh, (UNIT, OTHER_UNIT)), (appraisal.second, (UNIT,))):
        client = client_for(user)
        for unit in units:
            client.post(reverse("portal:accept_rest", args=[period.code, unit]))
        assert client.post(reverse("portal:round_sign_off", args=[period.code])).status_code == 302
    response = client_for(demo.dieuphoi).post(
        reverse("portal:period_advance", args=[period.code]), {"to": "reply"}
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.status == Period.Status.REPLY


def test_objections_approval_and_publication(demo, appraisal):
    period, ours, node = appraisal.period, appraisal.ours, appraisal.node("2.1")
    _close_the_appraisal(demo, appraisal)
    objection = raise_objection(
        submission=ours, node=node, actor=demo.lanhdao, text="Đề nghị xem lại điểm"
    )
    coordinator = client_for(demo.dieuphoi)
    page = coordinator.get(reverse("portal:objections", args=[period.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Đề nghị xem lại điểm" in html and 'id="open-count">1<' in html

    # Not for approval while the objection is open.
    before = state(period)
    refused = coordinator.post(
        reverse("portal:period_advance", args=[period.code]), {"to": "approval"}
    )
    assert refused.status_code == 409 and "chưa được trả lời" in refused.content.decode()
    assert state(period) == before

    # Answering needs a reason; upheld with a new score changes the final score.
    answer_url = reverse("portal:objection_answer", args=[period.code, objection.pk])
    refused = coordinator.post(answer_url, {"verdict": "upheld", "score": "40", "answer": ""})
    assert refused.status_code == 422
    assert Objection.objects.get(pk=objection.pk).state == "open"
    response = coordinator.post(
        answer_url, {"verdict": "upheld", "score": "40", "answer": "Đơn vị đã bổ sung văn bản"}
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert (objection.state, objection.score) == ("upheld", Decimal(40))
    html = coordinator.get(reverse("portal:objections", args=[period.code])).content.decode()
    assert score_in(html, "final") == 40
    # Answered once only.
    again = coordinator.post(answer_url, {"verdict": "rejected", "answer": "Không"})
    assert again.status_code == 422 and Objection.objects.get(pk=objection.pk).state == "upheld"

    assert (
        coordinator.post(
            reverse("portal:period_advance", args=[period.code]), {"to": "approval"}
        ).status_code
        == 302
    )
    period.refresh_from_db()
    assert period.status == Period.Status.APPROVAL

    approver = client_for(demo.pheduyet)
    page = approver.get(reverse("portal:approval", args=[period.code])).content.decode()
    assert 'id="approve-form"' in page and f'data-unit="{UNIT}"' in page
    # Returning needs a reason; with one, the period goes back to the reply window.
    before = state(period)
    refused = approver.post(reverse("portal:approval_return", args=[period.code]), {"reason": ""})
    assert refused.status_code == 422 and state(period) == before
    refused = approver.post(
        reverse("portal:approve", args=[period.code]),
        {"decision_number": "15/QĐ-UBND", "decision_date": "", "signer": "Chủ tịch"},
    )
    assert refused.status_code == 422 and state(period) == before

    response = approver.post(
        reverse("portal:approve", args=[period.code]),
        {
            "decision_number": "15/QĐ-UBND",
            "decision_date": "2027-03-20",
            "signer": "Chủ tịch UBND tỉnh",
        },
    )
    assert response.status_code == 302
    snapshot = Snapshot.objects.get(period=period)
    assert (snapshot.decision_number, snapshot.decision_date, snapshot.signer) == (
        "15/QĐ-UBND",
        datetime.date(2027, 3, 20),
        "Chủ tịch UBND tỉnh",
    )
    assert snapshot.approved_by == demo.pheduyet
    page = approver.get(reverse("portal:approval", args=[period.code])).content.decode()
    assert "15/QĐ-UBND" in page and snapshot.rows_sha256 in page
    assert 'id="approve-form"' not in page and 'id="publish-form"' not in page

    page = coordinator.get(reverse("portal:approval", args=[period.code])).content.decode()
    assert 'id="publish-form"' in page
    assert (
        approver.post(
            reverse("portal:period_advance", args=[period.code]),
            {"to": "published", "back": "approval"},
        ).status_code
        == 403  # the approver does not publish
    )
    response = coordinator.post(
        reverse("portal:period_advance", args=[period.code]),
        {"to": "published", "back": "approval"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:approval", args=[period.code])
    period.refresh_from_db()
    assert period.status == Period.Status.PUBLISHED
    assert Publication.objects.get(snapshot=snapshot).published_by == demo.dieuphoi
    history = coordinator.get(reverse("portal:approval", args=[period.code])).content.decode()
    for step in ("appraisal", "reply", "approval", "approved", "published"):
        assert f'data-after="{step}"' in history


def test_approver_returns_the_results(demo, appraisal):
    period = appraisal.period
    _close_the_appraisal(demo, appraisal)
    client_for(demo.dieuphoi).post(
        reverse("portal:period_advance", args=[period.code]), {"to": "approval"}
    )
    response = client_for(demo.pheduyet).post(
        reverse("portal:approval_return", args=[period.code]), {"reason": "Xem lại chỉ số 2.1"}
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.status == Period.Status.REPLY
    last = PeriodTransition.objects.filter(period=period).last()
    assert (last.after, last.actor, last.reason) == ("reply", demo.pheduyet, "Xem lại chỉ số 2.1")


def test_assignments_from_the_page(demo, before_appraisal):
    period = before_appraisal.period
    coordinator = client_for(demo.dieuphoi)
    url = reverse("portal:appraisal_assign", args=[period.code])
    count = ReviewerAssignment.objects.filter(period=period).count()
    # A reviewer may not be assigned to a unit they belong to; a non-reviewer not at all.
    refused = coordinator.post(url, {"reviewer": demo.daumoi.pk, "unit": UNIT})
    assert refused.status_code == 422 and "không phải thành viên" in refused.content.decode()
    refused = coordinator.post(url, {"reviewer": before_appraisal.second.pk})
    assert refused.status_code == 422 and "Chọn đơn vị" in refused.content.decode()
    assert ReviewerAssignment.objects.filter(period=period).count() == count
    # Only the coordinator assigns.
    assert (
        client_for(demo.thamdinh).post(url, {"reviewer": demo.thamdinh.pk, "node": "3"}).status_code
        == 403
    )
    assert ReviewerAssignment.objects.filter(period=period).count() == count

    response = coordinator.post(
        url, {"reviewer": before_appraisal.second.pk, "unit": OTHER_UNIT, "node": "3"}
    )
    assert response.status_code == 302
    assignment = ReviewerAssignment.objects.get(
        period=period, reviewer=before_appraisal.second, unit__code=OTHER_UNIT
    )
    assert assignment.node.code == "3"
    page = coordinator.get(reverse("portal:appraisal", args=[period.code])).content.decode()
    assert f'data-assignment="{assignment.pk}"' in page
    response = coordinator.post(
        reverse("portal:appraisal_unassign", args=[period.code, assignment.pk])
    )
    assert response.status_code == 302
    assert not ReviewerAssignment.objects.filter(pk=assignment.pk).exists()


def test_pages_for_whom(demo, appraisal):
    """Each page answers 404 to those it is not for, and the home page links to it."""
    period = appraisal.period
    pages = {
        "portal:appraisal": {"dieuphoi": 200, "thamdinh": 200, "pheduyet": 404, "daumoi": 404},
        "portal:objections": {"dieuphoi": 200, "thamdinh": 404, "pheduyet": 404, "daumoi": 404},
        "portal:approval": {"dieuphoi": 200, "thamdinh": 404, "pheduyet": 200, "daumoi": 404},
    }
    for name, expected in pages.items():
        for username, status in expected.items():
            client = client_for(getattr(demo, username))
            assert client.get(reverse(name, args=[period.code])).status_code == status, (
                name,
                username,
            )
    assert (
        client_for(demo.dieuphoi).get(reverse("portal:appraisal", args=["khong-co"])).status_code
        == 404
    )
    home = client_for(demo.thamdinh).get(reverse("portal:home")).content.decode()
    assert reverse("portal:appraisal", args=[period.code]) in home
    home = client_for(demo.dieuphoi).get(reverse("portal:home")).content.decode()
    assert reverse("portal:appraisal", args=[period.code]) in home
    anonymous = Client().get(reverse("portal:appraisal", args=[period.code]))
    assert anonymous.status_code == 302 and "/dang-nhap/" in anonymous["Location"]
