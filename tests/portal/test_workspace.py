"""The workspace and dashboard views over HTTP: what the page answers to saves, conflicts, locks,
ended sessions and previews, and what the coordinator sees."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from opendti.accounts.models import User
from opendti.assessments.models import Change, InputValue, Submission
from opendti.notifications.models import Notification
from opendti.periods.models import Phase
from opendti.results.demo import OPEN_PERIOD, demo_load
from tests.login import login

pytestmark = pytest.mark.django_db

WORKSPACE = f"/ky/{OPEN_PERIOD}/don-vi/xa-hoa-binh/"
SAVE = WORKSPACE + "chi-so/1.2/luu/"
PREVIEW = WORKSPACE + "chi-so/1.2/xem-truoc/"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def demo() -> None:
    demo_load()


def open_values():
    return InputValue.objects.filter(
        submission__participation__period__code=OPEN_PERIOD, node__code="1.2"
    )


def client_as(username: str) -> Client:
    client = Client()
    login(client, User.objects.get(username=username))
    return client


def test_save_answers_the_card_with_the_new_score_and_version(demo) -> None:
    response = client_as("daumoi").post(SAVE, {"version": "0", "v-1.2-": "3"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-version="1"' in html and "15,00 / 30" in html  # 3 sessions × 5 points
    assert 'id="summary" hx-swap-oob="true"' in html  # the totals panel is refreshed too
    assert open_values().get().value == "3"


def test_a_stale_save_is_refused_with_both_versions_and_changes_nothing(demo) -> None:
    client_as("daumoi").post(SAVE, {"version": "0", "v-1.2-": "3"}, **HX)
    response = client_as("daumoi").post(SAVE, {"version": "0", "v-1.2-": "6"}, **HX)
    html = response.content.decode()
    assert response.status_code == 409
    assert "người khác lưu trước" in html
    assert "<code>Giá trị: 3</code>" in html and "<code>Giá trị: 6</code>" in html
    assert open_values().get().value == "3"
    assert Change.objects.filter(submission__participation__period__code=OPEN_PERIOD).count() == 1


def test_invalid_input_is_shown_in_the_card_and_nothing_is_written(demo) -> None:
    response = client_as("daumoi").post(SAVE, {"version": "0", "v-1.2-": "ba"}, **HX)
    assert response.status_code == 422
    assert "không phải là số" in response.content.decode()
    assert not open_values().exists()


def test_after_the_deadline_the_server_refuses_saves(demo) -> None:
    Phase.objects.filter(period__code=OPEN_PERIOD).update(
        starts_on=timezone.localdate() - datetime.timedelta(days=30),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    client = client_as("daumoi")
    response = client.post(SAVE, {"version": "0", "v-1.2-": "3"}, **HX)
    assert response.status_code == 403
    assert "Đã hết hạn tự đánh giá" in response.content.decode()
    assert not open_values().exists()
    page = client.get(WORKSPACE).content.decode()
    assert 'id="locked"' in page and "inert" in page


def test_preview_shows_the_score_and_writes_nothing(demo) -> None:
    response = client_as("daumoi").post(PREVIEW, {"v-1.2-": "4"}, **HX)
    html = response.content.decode()
    assert "20,00 / 30" in html and "xem trước, chưa lưu" in html
    assert (
        not InputValue.objects.exists()
        or not InputValue.objects.filter(
            submission__participation__period__code=OPEN_PERIOD
        ).exists()
    )
    assert not Change.objects.exists()


def test_an_ended_session_answers_401_to_background_requests(demo) -> None:
    response = Client().post(SAVE, {"version": "0", "v-1.2-": "3"}, **HX)
    assert response.status_code == 401
    # ... and a normal request goes to the login page.
    response = Client().get(WORKSPACE)
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_history_lists_who_changed_what(demo) -> None:
    client = client_as("daumoi")
    client.post(SAVE, {"version": "0", "v-1.2-": "3"}, **HX)
    client.post(SAVE, {"version": "1", "v-1.2-": "4", "is_estimate": "on"}, **HX)
    html = client_as("lanhdao").get(WORKSPACE + "chi-so/1.2/lich-su/").content.decode()
    assert html.count("Trần Thị Đầu Mối") == 3  # two values and the estimate flag
    assert '<td class="name">3</td><td class="name">4</td>' in html


def test_dashboard_shows_progress_submitted_and_overdue_and_sends_reminders(
    demo, django_capture_on_commit_callbacks
) -> None:
    coordinator = client_as("dieuphoi")
    html = coordinator.get(f"/ky/{OPEN_PERIOD}/tien-do/").content.decode()
    assert 'id="submitted-count">0/7' in html and 'id="overdue-count">0' in html
    # xa-hoa-binh must answer 16 of its own indicators (not 4.2 reviewer's, 6.1 automatic,
    # 6.4 not deployed, 8.2 wards only); nothing answered yet.
    assert '<td class="answered">0/16 ' in html
    client_as("daumoi").post(SAVE, {"version": "0", "v-1.2-": "3"}, **HX)
    html = coordinator.get(f"/ky/{OPEN_PERIOD}/tien-do/").content.decode()
    assert '<td class="answered">1/16 ' in html
    Submission.objects.filter(participation__unit__code="xa-tan-lap").update(
        status=Submission.Status.SUBMITTED, submitted_at=timezone.now()
    )
    Phase.objects.filter(period__code=OPEN_PERIOD).update(
        starts_on=timezone.localdate() - datetime.timedelta(days=30),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    html = coordinator.get(f"/ky/{OPEN_PERIOD}/tien-do/").content.decode()
    assert 'id="submitted-count">1/7' in html and 'id="overdue-count">6' in html
    User.objects.filter(username="daumoi").update(email="daumoi@hoabinh.gov.vn")
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(f"/ky/{OPEN_PERIOD}/don-vi/xa-hoa-binh/nhac-nho/", follow=True)
    html = response.content.decode()
    assert "2 người nhận thông báo trong hệ thống, 1 người nhận thêm e-mail" in html
    # lanhdao has no address: the coordinator is told, to reach them another way.
    assert (
        "Chưa có địa chỉ e-mail (chỉ nhận thông báo trong hệ thống): Lê Văn Lãnh Đạo (lanhdao)"
        in html
    )
    assert mail.outbox[0].to == ["daumoi@hoabinh.gov.vn"]
    assert Notification.objects.filter(user__username="lanhdao").count() == 1
    assert Change.objects.filter(kind=Change.Kind.REMINDER).count() == 1


def _add_communes(count: int) -> None:
    """More communes in the open period, each answering like xa-hoa-binh did in 2025."""
    from opendti.periods import revision
    from opendti.periods.models import Participation, Period
    from opendti.units.models import Unit

    period = Period.objects.get(code=OPEN_PERIOD)
    template = Participation.objects.filter(period=period).select_related("unit").first()
    source = InputValue.objects.filter(
        submission__participation__period=period.previous,
        submission__participation__unit__code="xa-hoa-binh",
    ).select_related("node")
    nodes = {n.code: n for n in period.framework.nodes.all()}
    for number in range(count):
        unit = Unit.objects.create(
            code=f"xa-them-{number}", name=f"Xã {number}", kind=template.unit.kind
        )
        participation = Participation.objects.create(period=period, unit=unit, group=template.group)
        submission = participation.submission  # made as the unit joined
        InputValue.objects.bulk_create(
            InputValue(
                submission=submission,
                node=nodes[v.node.code],
                input_name=v.input_name,
                value=v.value,
            )
            for v in source
        )
    revision.bump([period.pk])  # written here behind the services' back: the results move on


def test_the_dashboard_runs_a_fixed_number_of_queries(demo, django_assert_max_num_queries) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    coordinator = client_as("dieuphoi")
    url = f"/ky/{OPEN_PERIOD}/tien-do/"
    coordinator.get(url)  # every unit gets its submission row on the first visit
    with CaptureQueriesContext(connection) as seven:
        coordinator.get(url)
    _add_communes(25)
    coordinator.get(url)
    with CaptureQueriesContext(connection) as thirty_two:
        html = coordinator.get(url).content.decode()
    assert 'id="submitted-count">0/32' in html
    assert len(thirty_two.captured_queries) == len(seven.captured_queries)


def test_one_evidence_item_is_linked_to_more_indicators_and_unlinked(demo) -> None:
    client = client_as("daumoi")
    client.post(
        WORKSPACE + "tai-lieu/",
        {
            "kind": "link",
            "url": "https://xahoabinh.gov.vn/ke-hoach",
            "title": "Kế hoạch",
            "nodes": ["1.1"],
        },
    )
    from opendti.assessments.models import Evidence, EvidenceLink

    item = Evidence.objects.get(title="Kế hoạch")
    client.post(WORKSPACE + f"tai-lieu/{item.pk}/gan/", {"node": "2.1"})
    assert set(EvidenceLink.objects.filter(evidence=item).values_list("node__code", flat=True)) == {
        "1.1",
        "2.1",
    }
    page = client.get(WORKSPACE).content.decode()
    assert page.count("https://xahoabinh.gov.vn/ke-hoach") >= 3  # in both cards and the list
    client.post(WORKSPACE + f"tai-lieu/{item.pk}/gan/", {"node": "1.1", "unlink": "1"})
    assert set(EvidenceLink.objects.filter(evidence=item).values_list("node__code", flat=True)) == {
        "2.1"
    }
    history = client.get(WORKSPACE + "chi-so/1.1/lich-su/").content.decode()
    assert history.count("Kế hoạch") == 2  # linked, then unlinked


def test_the_submission_history_shows_reopening_with_its_reason(demo) -> None:
    Phase.objects.filter(period__code=OPEN_PERIOD).update(
        starts_on=timezone.localdate() - datetime.timedelta(days=30),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    until = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    client_as("dieuphoi").post(
        WORKSPACE + "mo-lai/", {"until": until, "reason": "Mất điện ngày cuối hạn"}
    )
    page = client_as("daumoi").get(WORKSPACE).content.decode()
    assert 'id="locked"' not in page  # open again until the new date
    assert "Mất điện ngày cuối hạn" in page and "Nguyễn Văn Điều Phối" in page
