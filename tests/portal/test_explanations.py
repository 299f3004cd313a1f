"""The unit's side of the appraisal in its workspace, over HTTP: what a reviewer's request opens
(that indicator only, until its date), the explanation, the objections of the reply window, the
scores side by side and the published result."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opendti.accounts.models import User
from opendti.appraisal.models import Decision, Explanation, Objection
from opendti.appraisal.services import (
    accept_rest,
    decide,
    explain,
    objection_answer,
    own_scores,
    reply_open,
    round_current,
    round_open_next,
    round_sign_off,
)
from opendti.assessments.models import Answer, Change, Evidence, InputValue
from opendti.notifications.models import Notification
from opendti.periods.models import Membership, Participation
from opendti.publication.services import approval_request, approve, publish
from tests.appraisal.conftest import OPEN, OTHER_UNIT, UNIT, appraisal, before_appraisal, demo
from tests.login import login

__all__ = ["appraisal", "before_appraisal", "demo"]

pytestmark = pytest.mark.django_db

WORKSPACE = f"/ky/{OPEN}/don-vi/{UNIT}/"
HX = {"HTTP_HX_REQUEST": "true"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_as(user: User) -> Client:
    client = Client()
    login(client, user)
    return client


def week() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=7)


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def card(html: str, code: str) -> str:
    """The HTML of one indicator's card on the workspace page."""
    match = re.search(
        r'<article class="indicator[^"]*" id="ind-\d+" data-key="[^"]*\|'
        + re.escape(code)
        + r'".*?</article>',
        html,
        re.S,
    )
    assert match, f"no card for {code}"
    return match.group(0)


def points(value: Decimal) -> str:
    """A score as the page shows it (Vietnamese decimal comma, the period's two decimals)."""
    return str(floatformat(value, 2))


def ask(demo, appraisal, code: str = "2.2", reason: str = "Bổ sung văn bản giao nhiệm vụ"):
    return decide(
        submission=appraisal.ours,
        node=appraisal.node(code),
        reviewer=demo.thamdinh,
        kind="request",
        reason=reason,
        due_on=week(),
    )


def numerator(appraisal) -> str:
    return InputValue.objects.get(
        submission=appraisal.ours, node__code="2.2", input_name="numerator"
    ).value


def save(client: Client, code: str, values: dict[str, str], **extra):
    version = Answer.objects.get(
        submission__participation__period__code=OPEN,
        submission__participation__unit__code=UNIT,
        node__code=code,
    ).version
    data = {"version": str(version), **{f"v-{code}-{k}": v for k, v in values.items()}}
    return client.post(WORKSPACE + f"chi-so/{code}/luu/", data, **extra)


def to_reply(demo, appraisal) -> None:
    """Round 1 decided and signed off by both reviewers; the coordinator opens the reply."""
    current = round_current(appraisal.period)
    accept_rest(appraisal_round=current, reviewer=demo.thamdinh)
    accept_rest(appraisal_round=current, reviewer=appraisal.second)
    round_sign_off(appraisal_round=current, reviewer=demo.thamdinh)
    round_sign_off(appraisal_round=current, reviewer=appraisal.second)
    reply_open(period=appraisal.period, actor=demo.dieuphoi)


# --- a request opens one indicator -------------------------------------------------------------


def test_a_request_opens_that_indicator_only(demo, appraisal):
    ask(demo, appraisal)
    focal = client_as(demo.daumoi)
    html = focal.get(WORKSPACE).content.decode()
    assert 'id="period-status">thẩm định<' in html
    banner = html[html.index('id="open-requests"') :]
    assert "1 yêu cầu bổ sung, chỉnh sửa" in banner
    assert week().strftime("%d/%m/%Y") in banner
    asked, other = card(html, "2.2"), card(html, "2.1")
    assert "Bổ sung văn bản giao nhiệm vụ" in asked and "chờ giải trình" in asked
    assert "inert" not in asked.split('class="answer"')[1].split(">")[0]
    assert 'class="explain"' in asked
    assert "inert" in other.split('class="answer"')[1].split(">")[0]
    assert 'class="explain"' not in other
    # The evidence form offers the asked indicator only.
    evidence = html[html.index('id="evidence-nodes"') :].split("</select>")[0]
    assert 'value="2.2"' in evidence and 'value="2.1"' not in evidence
    # The leader sees the request but does not write explanations (the focal point does).
    leader = client_as(demo.lanhdao).get(WORKSPACE).content.decode()
    assert "Bổ sung văn bản giao nhiệm vụ" in card(leader, "2.2")
    assert 'class="explain"' not in card(leader, "2.2")

    # Another indicator stays locked: 403 with the reason, nothing written.
    refused = save(focal, "2.1", {"": "no"}, **HX)
    assert refused.status_code == 403
    assert "Kỳ đã chuyển sang thẩm định: phiếu đã khóa" in refused.content.decode()
    assert InputValue.objects.get(submission=appraisal.ours, node__code="2.1").value == "yes"
    # The asked one saves, and its history says who changed what.
    saved = save(focal, "2.2", {"numerator": "40", "denominator": "42"}, **HX)
    assert saved.status_code == 200
    assert numerator(appraisal) == "40"
    history = focal.get(WORKSPACE + "chi-so/2.2/lich-su/").content.decode()
    row = next(r for r in history.split("<tr>") if ">30<" in r and ">40<" in r)
    assert demo.daumoi.full_name in row
    assert "Lần thẩm định 1" in history and "Bổ sung văn bản giao nhiệm vụ" in history


def test_evidence_can_be_added_for_the_asked_indicator_only(demo, appraisal):
    ask(demo, appraisal)
    focal = client_as(demo.daumoi)
    focal.post(
        WORKSPACE + "tai-lieu/",
        {"kind": "link", "url": "https://xahoabinh.gov.vn/qd", "title": "QĐ giao", "nodes": "2.2"},
    )
    focal.post(
        WORKSPACE + "tai-lieu/",
        {
            "kind": "file",
            "title": "Báo cáo",
            "nodes": "2.2",
            "file": SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf"),
        },
    )
    refused = focal.post(
        WORKSPACE + "tai-lieu/",
        {"kind": "link", "url": "https://xahoabinh.gov.vn/x", "title": "Khác", "nodes": "2.1"},
    )
    assert refused.status_code == 403
    added = Evidence.objects.filter(submission=appraisal.ours, links__node__code="2.2")
    assert set(added.values_list("title", flat=True)) >= {"QĐ giao", "Báo cáo"}
    assert not Evidence.objects.filter(title="Khác").exists()
    # An item already there can be linked to the asked indicator, not to another.
    item = Evidence.objects.get(title="QĐ giao")
    focal.post(WORKSPACE + f"tai-lieu/{item.pk}/gan/", {"node": "2.1"})
    assert not item.links.filter(node__code="2.1").exists()


# --- the explanation ---------------------------------------------------------------------------


def test_the_focal_point_explains_and_the_reviewer_is_told(demo, appraisal):
    request = ask(demo, appraisal)
    url = WORKSPACE + f"chi-so/2.2/giai-trinh/{request.pk}/"
    # The leader may see the request but not answer it.
    assert client_as(demo.lanhdao).post(url, {"text": "x"}).status_code == 403
    assert not Explanation.objects.exists()

    response = client_as(demo.daumoi).post(url, {"text": "Đã bổ sung quyết định giao"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<article class="indicator') or 'id="ind-' in html
    assert "Đã gửi giải trình" in html and "Đã bổ sung quyết định giao" in html
    request.refresh_from_db()
    assert request.state == Decision.State.ANSWERED
    assert Explanation.objects.get(decision=request).author == demo.daumoi
    assert Notification.objects.filter(user=demo.thamdinh, kind="answer").count() == 1
    assert Change.objects.filter(
        submission=appraisal.ours, node__code="2.2", kind="explanation", actor=demo.daumoi
    ).exists()
    # A plain form post goes back to the card on the page; an empty text is refused (422).
    plain = client_as(demo.daumoi).post(url, {"text": "Thêm: báo cáo quý"})
    assert plain.status_code == 302 and plain["Location"].endswith(f"#ind-{request.node_id}")
    empty = client_as(demo.daumoi).post(url, {"text": "  "})
    assert empty.status_code == 422 and "Nhập nội dung giải trình" in empty.content.decode()
    assert Explanation.objects.filter(decision=request).count() == 2


def test_after_the_due_date_saving_and_explaining_are_refused(demo, appraisal):
    request = ask(demo, appraisal)
    Decision.objects.filter(pk=request.pk).update(due_on=yesterday())
    Answer.objects.filter(submission=appraisal.ours, node__code="2.2").update(
        open_until=yesterday()
    )
    focal = client_as(demo.daumoi)
    assert save(focal, "2.2", {"numerator": "40", "denominator": "42"}, **HX).status_code == 403
    response = focal.post(
        WORKSPACE + f"chi-so/2.2/giai-trinh/{request.pk}/", {"text": "Muộn"}, **HX
    )
    assert response.status_code == 422 and "hết hạn giải trình" in response.content.decode()
    assert not Explanation.objects.exists()
    html = focal.get(WORKSPACE).content.decode()
    assert 'class="explain"' not in html
    assert "Không có yêu cầu bổ sung, chỉnh sửa nào đang chờ" in html
    assert numerator(appraisal) == "30"


def test_another_unit_cannot_reach_our_requests(demo, appraisal):
    ours = ask(demo, appraisal)
    theirs = decide(
        submission=appraisal.theirs,
        node=appraisal.node("2.2"),
        reviewer=demo.thamdinh,
        kind="request",
        reason="Của xã khác",
        due_on=week(),
    )
    url = WORKSPACE + "chi-so/2.2/giai-trinh/{}/"
    assert client_as(demo.daumoi2).post(url.format(ours.pk), {"text": "x"}).status_code == 404
    # Their request through our URL is as unknown as a missing one, for us too.
    assert client_as(demo.daumoi).post(url.format(theirs.pk), {"text": "x"}).status_code == 404
    # And under another indicator's URL.
    other = WORKSPACE + f"chi-so/2.1/giai-trinh/{ours.pk}/"
    assert client_as(demo.daumoi).post(other, {"text": "x"}).status_code == 404
    assert not Explanation.objects.exists()


# --- objections --------------------------------------------------------------------------------


def test_during_the_reply_the_leader_objects_and_sees_the_answer(demo, appraisal):
    own = own_scores(appraisal.period, UNIT)["2.1"]
    decide(
        submission=appraisal.ours,
        node=appraisal.node("2.1"),
        reviewer=demo.thamdinh,
        kind="adjust",
        score=own - 5,
        reason="Kế hoạch thiếu phụ lục",
    )
    to_reply(demo, appraisal)
    leader = client_as(demo.lanhdao)
    html = leader.get(WORKSPACE).content.decode()
    assert 'id="period-status">phản hồi kết quả dự kiến<' in html
    assert 'id="unit-results"' in html and 'class="objection-form"' in card(html, "2.1")
    url = WORKSPACE + "chi-so/2.1/phan-hoi/"
    response = leader.post(url, {"text": "Phụ lục đã gửi kèm kế hoạch"}, **HX)
    assert response.status_code == 200 and "Đã gửi ý kiến phản hồi" in response.content.decode()
    objection = Objection.objects.get()
    assert (objection.author, objection.node.code, objection.state) == (demo.lanhdao, "2.1", "open")
    assert Change.objects.filter(
        submission=appraisal.ours, node__code="2.1", kind="objection", actor=demo.lanhdao
    ).exists()

    # A contributor of the unit and the other unit are refused; nothing is added.
    helper = User.objects.create(username="congtac", full_name="Người Cộng Tác")
    Membership.objects.create(
        participation=Participation.objects.get(period=appraisal.period, unit__code=UNIT),
        user=helper,
        role=Membership.Role.CONTRIBUTOR,
    )
    assert client_as(helper).post(url, {"text": "x"}).status_code == 403
    assert client_as(demo.daumoi2).post(url, {"text": "x"}).status_code == 404
    assert client_as(demo.dieuphoi).post(url, {"text": "x"}).status_code == 403
    assert Objection.objects.count() == 1
    assert 'class="objection-form"' not in client_as(helper).get(WORKSPACE).content.decode()

    objection_answer(
        objection=objection,
        actor=demo.dieuphoi,
        upheld=True,
        answer="Chấp nhận, đã có phụ lục",
        score=own - 1,
    )
    html = client_as(demo.daumoi).get(WORKSPACE).content.decode()
    ours = card(html, "2.1")
    assert "Chấp nhận, đã có phụ lục" in ours and "chấp nhận" in ours
    assert f'class="final-score">{points(own - 1)}<' in ours
    history = leader.get(WORKSPACE + "chi-so/2.1/lich-su/").content.decode()
    assert "Ý kiến phản hồi" in history and "Điểm sau thẩm định" in history


def test_objecting_outside_the_reply_window_is_refused(demo, appraisal):
    url = WORKSPACE + "chi-so/2.1/phan-hoi/"
    leader = client_as(demo.lanhdao)
    assert 'class="objection-form"' not in leader.get(WORKSPACE).content.decode()
    response = leader.post(url, {"text": "Sớm quá"}, **HX)
    assert response.status_code == 409
    assert "kỳ đang ở trạng thái “thẩm định”" in response.content.decode()
    plain = leader.post(url, {"text": "Sớm quá"})
    assert plain.status_code == 409 and 'id="appraisal-banner"' in plain.content.decode()
    assert not Objection.objects.exists()
    assert not Change.objects.filter(kind="objection").exists()


# --- what the unit sees ------------------------------------------------------------------------


def test_own_score_decisions_and_final_score_side_by_side(demo, appraisal):
    own = own_scores(appraisal.period, UNIT)
    decide(
        submission=appraisal.ours,
        node=appraisal.node("2.1"),
        reviewer=demo.thamdinh,
        kind="adjust",
        score=own["2.1"] - 5,
        reason="Kế hoạch thiếu phụ lục",
    )
    # Beyond the threshold (10 points): waits for the second reviewer, changes nothing yet.
    decide(
        submission=appraisal.ours,
        node=appraisal.node("2.2"),
        reviewer=demo.thamdinh,
        kind="adjust",
        score=Decimal(0),
        reason="Không có báo cáo",
    )
    html = client_as(demo.daumoi).get(WORKSPACE).content.decode()
    adjusted = card(html, "2.1")
    assert f'class="own-score">{points(own["2.1"])}<' in adjusted
    assert f'class="final-score">{points(own["2.1"] - 5)}<' in adjusted
    row = adjusted[adjusted.index('class="decision') :]
    for text in (
        "điều chỉnh điểm",
        demo.thamdinh.full_name,
        "Kế hoạch thiếu phụ lục",
        points(own["2.1"] - 5),
        "có hiệu lực",
    ):
        assert text in row, text
    awaiting = card(html, "2.2")
    assert "chờ thành viên thứ hai đồng ý" in awaiting and points(Decimal(0)) in awaiting
    assert f'class="final-score">{points(own["2.2"])}<' in awaiting
    history = client_as(demo.daumoi).get(WORKSPACE + "chi-so/2.1/lich-su/").content.decode()
    assert "Lần thẩm định 1" in history and "Điểm sau thẩm định" in history
    assert "theo số liệu đơn vị" in history  # before the adjustment, no appraised score


def test_self_assessment_shows_no_appraisal(demo, before_appraisal):
    html = client_as(demo.daumoi).get(WORKSPACE).content.decode()
    assert 'id="appraisal-banner"' not in html and 'class="appraisal"' not in html


def test_the_published_result_with_its_decision_number(demo, appraisal):
    own = own_scores(appraisal.period, UNIT)["2.1"]
    decide(
        submission=appraisal.ours,
        node=appraisal.node("2.1"),
        reviewer=demo.thamdinh,
        kind="adjust",
        score=own - 5,
        reason="Kế hoạch thiếu phụ lục",
    )
    to_reply(demo, appraisal)
    approval_request(period=appraisal.period, actor=demo.dieuphoi)
    approve(
        period=appraisal.period,
        actor=demo.pheduyet,
        decision_number="15/QĐ-UBND",
        decision_date=timezone.localdate(),
        signer="Chủ tịch UBND tỉnh",
    )
    publish(period=appraisal.period, actor=demo.dieuphoi)
    html = client_as(demo.lanhdao).get(WORKSPACE).content.decode()
    assert 'id="period-status">đã công bố<' in html
    assert "Quyết định số 15/QĐ-UBND" in html
    assert f'class="final-score">{points(own - 5)}<' in card(html, "2.1")
    assert "Điểm đã công bố" in card(html, "2.1")
    assert 'class="objection-form"' not in html


def test_the_workspace_queries_do_not_grow_with_the_appraisal(demo, appraisal):
    """Decisions, explanations and objections are read for the whole submission at once."""
    request = ask(demo, appraisal)
    decide(
        submission=appraisal.ours,
        node=appraisal.node("2.1"),
        reviewer=demo.thamdinh,
        kind="adjust",
        score=Decimal(45),
        reason="Thiếu phụ lục",
    )
    focal = client_as(demo.daumoi)
    focal.get(WORKSPACE)
    with CaptureQueriesContext(connection) as few:
        focal.get(WORKSPACE)
    accept_rest(appraisal_round=round_current(appraisal.period), reviewer=demo.thamdinh)
    for n in range(3):
        explain(decision=request, actor=demo.daumoi, text=f"Giải trình {n}")
    assert Decision.objects.filter(submission=appraisal.ours).count() > 10
    with CaptureQueriesContext(connection) as many:
        html = focal.get(WORKSPACE).content.decode()
    assert html.count('class="decision') > 10
    assert len(many.captured_queries) == len(few.captured_queries)


def test_other_units_people_do_not_see_the_workspace(demo, appraisal):
    ask(demo, appraisal)
    assert client_as(demo.daumoi2).get(WORKSPACE).status_code == 404
    # A reviewer assigned to the unit sees it (read only) with the decisions.
    html = client_as(demo.thamdinh).get(WORKSPACE).content.decode()
    assert "Bổ sung văn bản giao nhiệm vụ" in html and 'class="explain"' not in html
    assert OTHER_UNIT  # the other unit's fixture data exists


def test_the_next_round_ends_the_explanation_window(demo, appraisal):
    """Opening round 2 closes what round 1 asked for, even before the request's date."""
    request = ask(demo, appraisal)
    current = round_current(appraisal.period)
    accept_rest(appraisal_round=current, reviewer=demo.thamdinh)
    round_sign_off(appraisal_round=current, reviewer=demo.thamdinh)
    round_sign_off(appraisal_round=current, reviewer=appraisal.second)
    round_open_next(period=appraisal.period, actor=demo.dieuphoi)
    focal = client_as(demo.daumoi)
    assert 'class="explain"' not in card(focal.get(WORKSPACE).content.decode(), "2.2")
    assert save(focal, "2.2", {"numerator": "40", "denominator": "42"}, **HX).status_code == 403
    response = focal.post(WORKSPACE + f"chi-so/2.2/giai-trinh/{request.pk}/", {"text": "Muộn"})
    assert response.status_code == 422
    assert not Explanation.objects.exists()
