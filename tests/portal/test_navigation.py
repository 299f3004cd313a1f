"""Finding one's way: the workspace's deadline and days left, the unit user's home page linking
the open period, reports in the period's menu, irreversible actions that ask first (data-confirm,
opened by static/opendti/confirm.js), a refused submission listing its errors with links."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from opendti.accounts.models import User
from opendti.assessments.models import Submission
from opendti.periods.models import Phase
from opendti.results.demo import OPEN_FROM, OPEN_PERIOD, demo_load
from tests.login import login

pytestmark = pytest.mark.django_db

WORKSPACE = f"/ky/{OPEN_PERIOD}/don-vi/xa-hoa-binh/"


@pytest.fixture
def demo() -> None:
    demo_load()


def client_as(username: str) -> Client:
    client = Client()
    login(client, User.objects.get(username=username))
    return client


def _ends_in(days: int) -> None:
    today = timezone.localdate()
    Phase.objects.filter(period__code=OPEN_PERIOD, kind=Phase.Kind.SELF_ASSESSMENT).update(
        starts_on=today - datetime.timedelta(days=40), ends_on=today + datetime.timedelta(days=days)
    )


def test_the_workspace_shows_the_deadline_and_the_days_left(demo) -> None:
    _ends_in(12)
    html = client_as("daumoi").get(WORKSPACE).content.decode()
    ends = (timezone.localdate() + datetime.timedelta(days=12)).strftime("%d/%m/%Y")
    assert f"Hạn gửi phiếu: <strong>{ends}</strong>" in html
    assert '<strong id="days-left">còn 12 ngày</strong>' in html
    _ends_in(0)
    assert "hôm nay là ngày cuối" in client_as("daumoi").get(WORKSPACE).content.decode()
    _ends_in(-3)
    assert "đã quá hạn 3 ngày" in client_as("daumoi").get(WORKSPACE).content.decode()


def test_a_reopened_submission_counts_to_its_own_date(demo) -> None:
    _ends_in(-3)
    until = timezone.localdate() + datetime.timedelta(days=5)
    Submission.objects.filter(
        participation__period__code=OPEN_PERIOD, participation__unit__code="xa-hoa-binh"
    ).update(reopened_until=until)
    html = client_as("daumoi").get(WORKSPACE).content.decode()
    assert "mở lại cho đơn vị" in html and "còn 5 ngày" in html


def test_a_closed_period_shows_no_deadline(demo) -> None:
    html = client_as("dieuphoi").get(f"/ky/{OPEN_FROM}/don-vi/xa-hoa-binh/").content.decode()
    assert 'id="deadline"' not in html


def test_the_home_page_of_a_unit_user_links_the_open_period(demo) -> None:
    _ends_in(9)
    html = client_as("lanhdao").get("/").content.decode()
    panel = re.search(r'<section class="panel" id="open-period">.*?</section>', html, re.S)
    assert panel is not None
    assert f'href="{WORKSPACE}"' in panel.group(0) and "còn 9 ngày" in panel.group(0)
    # The coordinator's home links the dashboard instead.
    assert 'id="open-period"' not in client_as("dieuphoi").get("/").content.decode()


@pytest.mark.parametrize("page", ["tien-do/", "bao-cao/"])
def test_the_period_menu_links_reports_and_progress(demo, page) -> None:
    html = client_as("dieuphoi").get(f"/ky/{OPEN_PERIOD}/{page}").content.decode()
    menu = re.search(r'<nav class="tabs"[^>]*id="period-menu">.*?</nav>', html, re.S).group(0)
    assert f'href="/ky/{OPEN_PERIOD}/bao-cao/"' in menu
    assert f'href="/ky/{OPEN_PERIOD}/tien-do/"' in menu
    assert f'href="/ky/{OPEN_PERIOD}/ket-qua/"' in menu


def test_the_approver_finds_reports_in_the_menu(demo) -> None:
    html = client_as("pheduyet").get(f"/ky/{OPEN_PERIOD}/bao-cao/").content.decode()
    menu = re.search(r'id="period-menu">.*?</nav>', html, re.S).group(0)
    assert "bao-cao" in menu and "tien-do" not in menu


def test_submitting_asks_first_and_says_what_happens(demo) -> None:
    html = client_as("lanhdao").get(WORKSPACE).content.decode()
    form = re.search(r'<form [^>]*id="submit-form"[^>]*>', html).group(0)
    assert 'data-confirm="Gửi phiếu tự đánh giá của UBND xã Hòa Bình' in form
    assert "phiếu bị khóa" in form
    assert '<dialog id="confirm-dialog"' in html and "/static/opendti/confirm.js" in html
    assert "onclick" not in html and "onsubmit" not in html


def test_a_refused_submission_lists_its_errors_with_links(demo) -> None:
    leader = client_as("lanhdao")
    response = leader.post(WORKSPACE + "gui/")
    assert response.status_code == 302 and response["Location"].endswith("#gui-phieu")
    html = leader.get(WORKSPACE).content.decode()
    assert "lỗi phải sửa trước khi gửi" in html
    errors = re.search(r'<ol class="checks" id="submit-errors">.*?</ol>', html, re.S).group(0)
    anchors = re.findall(r'href="#ind-(\d+)"', errors)
    assert anchors and all(f'id="ind-{pk}"' in html for pk in anchors)
    assert "Chưa nhập số liệu." in errors
    status = Submission.objects.get(
        participation__period__code=OPEN_PERIOD, participation__unit__code="xa-hoa-binh"
    ).status
    assert status == Submission.Status.DRAFT
