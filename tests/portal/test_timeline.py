"""The period's timeline page and the dashboard's block: the phases as a picture with its table,
today's position, what is late and who is late — each person seeing their own part — and the
coordinator moving a phase's dates with a reason."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opendti.accounts.models import User
from opendti.appraisal.models import Decision
from opendti.assessments.models import Submission
from opendti.periods.calendar import date_text
from opendti.periods.models import Participation, Period, Phase, PhaseExtension
from opendti.publication.demo import APPRAISAL_PERIOD, demo_load_all
from opendti.results.demo import OPEN_PERIOD, demo_load
from opendti.units.models import Unit

pytestmark = pytest.mark.django_db
Kind = Phase.Kind


@pytest.fixture
def world(db):
    demo_load()
    demo_load_all()
    return {u.username: u for u in User.objects.all()}


def day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def page(username: str | None, period: str, status: int = 200) -> str:
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    response = client.get(f"/ky/{period}/lich/")
    assert response.status_code == status, response.status_code
    return response.content.decode()


def rows(html: str, table: str) -> list[str]:
    body = re.search(rf'<table id="{table}">.*?<tbody>(.*?)</tbody>', html, re.S)
    return re.findall(r"<tr(.*?)</tr>", body.group(1), re.S) if body else []


def states(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-kind="(\w+)" data-state="(\w+)"', html)


def late_units(html: str) -> set[str]:
    return set(re.findall(r'data-unit="([\w-]+)"', "".join(rows(html, "late-table"))))


def test_the_picture_and_its_table_in_date_order(world):
    html = page("dieuphoi", APPRAISAL_PERIOD)
    assert re.search(r'<svg class="gantt" viewBox="0 0 1000 \d+" role="img"', html)
    assert 'id="timeline-today"' in html  # today falls inside the 2025 calendar
    assert states(html) == [
        ("self_assessment", "done"),
        ("appraisal", "running"),  # round 1 is open now
        ("explanation", "upcoming"),
        ("appraisal", "upcoming"),
        ("reply", "upcoming"),
        ("coordinator_review", "upcoming"),
        ("approval", "upcoming"),
        ("publication", "upcoming"),
    ]
    phase = Period.objects.get(code=APPRAISAL_PERIOD).phase(Kind.APPRAISAL, 1)
    assert f"<td>{date_text(phase.starts_on)}</td><td>{date_text(phase.ends_on)}</td>" in html
    assert "2 thành viên chưa xác nhận" in html and "1 yêu cầu chờ giải trình" in html
    assert 'id="late-none"' in html


def test_the_daknong_calendar_from_the_seed(world):
    html = page("dieuphoi", "2023-districts")
    assert "<td>02/01/2024</td><td>15/01/2024</td>" in html  # self-assessment
    assert "<td>21/01/2024</td><td>30/01/2024</td>" in html  # appraisal, round 1
    assert "<td>31/01/2024</td><td>06/02/2024</td>" in html  # explanation
    assert "<td>19/02/2024</td><td>21/02/2024</td>" in html  # appraisal, round 2
    assert "<td>22/02/2024</td><td>15/03/2024</td>" in html  # compilation
    assert {state for _kind, state in states(html)} == {"done"}  # published: all done
    assert "từ ngày 01/01/2023 đến hết ngày 20/12/2023" in html  # the assessed window
    assert 'id="timeline-today"' not in html  # today is far outside the calendar


def test_units_late_after_self_assessment_each_seeing_their_own(world):
    Phase.objects.filter(period__code=OPEN_PERIOD, kind=Kind.SELF_ASSESSMENT).update(
        starts_on=day(-30), ends_on=day(-1)
    )
    everyone = late_units(page("dieuphoi", OPEN_PERIOD))
    assert {"xa-hoa-binh", "xa-tan-lap"} <= everyone and len(everyone) == 7
    assert ("self_assessment", "late") in states(page("dieuphoi", OPEN_PERIOD))
    assert late_units(page("daumoi", OPEN_PERIOD)) == {"xa-hoa-binh"}
    assert late_units(page("lanhdao2", OPEN_PERIOD)) == {"xa-tan-lap"}
    assert late_units(page("pheduyet", OPEN_PERIOD)) == set()
    assert "chưa gửi phiếu tự đánh giá" in page("daumoi", OPEN_PERIOD)


def test_reviewers_late_after_their_rounds_window_and_explanations_due(world):
    period = Period.objects.get(code=APPRAISAL_PERIOD)
    Phase.objects.filter(period=period, kind=Kind.APPRAISAL, round_number=1).update(
        starts_on=day(-14), ends_on=day(-1)
    )
    Decision.objects.filter(round__period=period, kind="request").update(due_on=day(-1))
    coordinator = page("dieuphoi", APPRAISAL_PERIOD)
    late = "".join(rows(coordinator, "late-table"))
    assert "Phạm Thị Thẩm Định" in late and "Bùi Văn Thẩm Định Hai" in late
    assert "chưa xác nhận lần thẩm định 1" in late
    assert f"chưa giải trình chỉ số 2.2 (hạn {date_text(day(-1))})" in late
    mine = "".join(rows(page("thamdinh", APPRAISAL_PERIOD), "late-table"))
    assert "Phạm Thị Thẩm Định" in mine and "Hai" not in mine and "2.2" not in mine
    assert late_units(page("daumoi", APPRAISAL_PERIOD)) == {"xa-hoa-binh"}
    assert rows(page("daumoi2", APPRAISAL_PERIOD), "late-table") == []


def test_who_may_see_the_timeline(world):
    page(None, OPEN_PERIOD, 302)
    page("tichhop", OPEN_PERIOD, 404)
    page("thamdinh", OPEN_PERIOD, 404)  # reviews nothing in 2026
    page("thamdinh", APPRAISAL_PERIOD)
    page("daumoi", "2023-districts", 404)  # not a unit of that period
    page("dieuphoi", "no-such-period", 404)


def test_the_coordinator_extends_a_phase_on_the_page(world):
    period = Period.objects.get(code=APPRAISAL_PERIOD)
    phase = period.phase(Kind.EXPLANATION, 1)
    url = f"/ky/{APPRAISAL_PERIOD}/lich/{phase.pk}/gia-han/"
    form = {
        "starts_on": phase.starts_on.isoformat(),
        "ends_on": (phase.ends_on + datetime.timedelta(days=4)).isoformat(),
        "reason": "Trùng kỳ nghỉ lễ",
        "seen_starts_on": phase.starts_on.isoformat(),
        "seen_ends_on": phase.ends_on.isoformat(),
    }
    html = page("dieuphoi", APPRAISAL_PERIOD)
    assert html.count('class="extend-form"') == 8
    assert 'class="extend-form"' not in page("thamdinh", APPRAISAL_PERIOD)
    for username in ("thamdinh", "daumoi", "pheduyet"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        assert client.post(url, form).status_code == 403, username
    coordinator = Client()
    coordinator.force_login(User.objects.get(username="dieuphoi"))
    refused = coordinator.post(url, {**form, "reason": ""})
    assert refused.status_code == 422 and "Ghi rõ lý do" in refused.content.decode()
    assert not PhaseExtension.objects.exists()
    done = coordinator.post(url, form, follow=True)
    assert done.status_code == 200
    new_end = date_text(phase.ends_on + datetime.timedelta(days=4))
    html = done.content.decode()
    assert "Đã điều chỉnh thời gian giải trình lần 1" in html and new_end in html
    assert "Trùng kỳ nghỉ lễ" in html and "Lịch sử điều chỉnh" in html
    extension = PhaseExtension.objects.get()
    assert extension.actor.username == "dieuphoi" and extension.old_ends_on == phase.ends_on
    # The same form again (its dates are now stale): refused, not written over.
    stale = coordinator.post(url, {**form, "ends_on": day(60).isoformat()})
    assert stale.status_code == 422 and "vừa được người khác điều chỉnh" in stale.content.decode()
    assert PhaseExtension.objects.count() == 1


def test_the_dashboard_shows_the_calendars_block(world):
    client = Client()
    client.force_login(User.objects.get(username="dieuphoi"))
    html = client.get(f"/ky/{OPEN_PERIOD}/tien-do/").content.decode()
    assert 'id="lich-trinh"' in html and 'id="timeline-table"' in html
    assert f'href="/ky/{OPEN_PERIOD}/lich/"' in html
    assert ("self_assessment", "running") in states(html)


def test_the_timeline_runs_a_fixed_number_of_queries(world):
    """However many units are late, the page runs the same queries."""
    Phase.objects.filter(period__code=OPEN_PERIOD, kind=Kind.SELF_ASSESSMENT).update(
        starts_on=day(-30), ends_on=day(-1)
    )
    client = Client()
    client.force_login(User.objects.get(username="dieuphoi"))
    url = f"/ky/{OPEN_PERIOD}/lich/"
    client.get(url)
    with CaptureQueriesContext(connection) as seven:
        client.get(url)
    period = Period.objects.get(code=OPEN_PERIOD)
    for n in range(30):
        Participation.objects.create(
            period=period, unit=Unit.objects.create(code=f"xa-muon-{n}", name=f"Xã {n}")
        )
    with CaptureQueriesContext(connection) as thirty_seven:
        html = client.get(url).content.decode()
    assert len(rows(html, "late-table")) == 37
    assert len(thirty_seven.captured_queries) == len(seven.captured_queries)


def test_a_phase_over_with_nobody_late_is_done(world):
    Phase.objects.filter(period__code=OPEN_PERIOD, kind=Kind.SELF_ASSESSMENT).update(
        starts_on=day(-30), ends_on=day(-1)
    )
    html = page("dieuphoi", OPEN_PERIOD)
    assert ("self_assessment", "late") in states(html)
    for participation in Participation.objects.filter(period__code=OPEN_PERIOD):
        Submission.objects.update_or_create(
            participation=participation, defaults={"status": Submission.Status.SUBMITTED}
        )
    html = page("dieuphoi", OPEN_PERIOD)
    assert states(html)[0] == ("self_assessment", "done")
    assert 'id="late-none"' in html
