"""The coordinator's dashboard: the same checks as the workspace for every unit, a recalled
submission without its old sending time, filters, Vietnamese search and order, the Excel export."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from opendti.accounts.models import User
from opendti.assessments.models import Submission
from opendti.audit.models import AuditEvent
from opendti.core.vietnamese import sort_key
from opendti.periods.models import Participation, Period
from opendti.portal.workspace import workspace_build
from opendti.results.demo import OPEN_FROM, OPEN_PERIOD, demo_load
from opendti.results.progress import ProgressQuery, period_progress, progress_select
from opendti.units.models import Unit
from tests.login import login

pytestmark = pytest.mark.django_db

DASHBOARD = f"/ky/{OPEN_PERIOD}/tien-do/"
EXPORT = DASHBOARD + "tai-ve.xlsx"


@pytest.fixture
def coordinator() -> Client:
    demo_load()
    client = Client()
    login(client, User.objects.get(username="dieuphoi"))
    return client


def _row_counts(html: str) -> dict[str, tuple[int, int]]:
    found = re.findall(
        r'<tr data-unit="([^"]+)".*?<td class="errors">(\d+)</td><td class="warnings">(\d+)</td>',
        html,
        re.S,
    )
    return {unit: (int(errors), int(warnings)) for unit, errors, warnings in found}


@pytest.mark.parametrize("code", [OPEN_PERIOD, OPEN_FROM])
def test_the_dashboard_counts_what_the_workspace_shows_for_every_unit(coordinator, code) -> None:
    """Both pages use results.checks.checks_shown: the large changes against the previous
    period are warnings on both (the dashboard used to leave them out: 2 warnings against 6)."""
    coordinator_user = User.objects.get(username="dieuphoi")
    html = coordinator.get(f"/ky/{code}/tien-do/").content.decode()
    shown = _row_counts(html)
    period = Period.objects.get(code=code)
    assert len(shown) == Participation.objects.filter(period=period).count() > 0
    some_warning = False
    for submission in Submission.objects.filter(participation__period=period).select_related(
        "participation__unit", "participation__period__framework"
    ):
        page = workspace_build(submission=submission, user=coordinator_user)
        expected = (len(page["errors"]), len(page["warnings"]))
        assert shown[submission.participation.unit.code] == expected, submission
        some_warning = some_warning or expected[1] > 0
        # ... and the workspace's page prints the same numbers.
        workspace = coordinator.get(
            f"/ky/{code}/don-vi/{submission.participation.unit.code}/"
        ).content.decode()
        assert f"{expected[0]} lỗi phải sửa · {expected[1]} cảnh báo" in workspace
    assert some_warning or code == OPEN_PERIOD


def test_a_recalled_submission_shows_no_sending_time(coordinator) -> None:
    submission = Submission.objects.get(
        participation__period__code=OPEN_PERIOD, participation__unit__code="xa-tan-lap"
    )
    submission.status, submission.submitted_at = Submission.Status.SUBMITTED, timezone.now()
    submission.save()
    html = coordinator.get(DASHBOARD).content.decode()
    row = re.search(r'<tr data-unit="xa-tan-lap".*?</tr>', html, re.S).group(0)
    assert re.search(r'class="name submitted-at">\d\d:\d\d', row)
    from opendti.assessments.services import submission_recall

    submission_recall(
        submission=submission, actor=User.objects.get(username="lanhdao2"), reason="Sửa số liệu"
    )
    submission.refresh_from_db()
    assert submission.submitted_at is None  # the history keeps when it was sent
    html = coordinator.get(DASHBOARD).content.decode()
    row = re.search(r'<tr data-unit="xa-tan-lap".*?</tr>', html, re.S).group(0)
    assert '<td class="name submitted-at"></td>' in row


def _units(html: str) -> list[str]:
    return re.findall(r'<tr data-unit="([^"]+)"', html)


@pytest.mark.parametrize("query", ["hoa binh", "Hoà Bình", "hòa bình", "HOA BINH", "xa-hoa"])
def test_the_search_finds_hoa_binh_however_it_is_typed(coordinator, query) -> None:
    html = coordinator.get(DASHBOARD, {"q": query}).content.decode()
    assert _units(html) == ["xa-hoa-binh"]


def test_status_and_group_filters(coordinator) -> None:
    Submission.objects.filter(participation__unit__code="xa-tan-lap").update(
        status=Submission.Status.SUBMITTED, submitted_at=timezone.now()
    )
    html = coordinator.get(DASHBOARD, {"trang-thai": "submitted"}).content.decode()
    assert _units(html) == ["xa-tan-lap"]
    drafts = _units(coordinator.get(DASHBOARD, {"trang-thai": "draft"}).content.decode())
    assert "xa-tan-lap" not in drafts and len(drafts) == 6
    period = Period.objects.get(code=OPEN_PERIOD)
    participation = Participation.objects.filter(period=period, group__isnull=False).first()
    assert participation is not None
    group = participation.group
    html = coordinator.get(DASHBOARD, {"nhom": group.code}).content.decode()
    expected = Participation.objects.filter(period=period, group=group)
    assert sorted(_units(html)) == sorted(p.unit.code for p in expected)


def test_names_sort_in_vietnamese_order_and_columns_sort(coordinator) -> None:
    period = Period.objects.get(code=OPEN_PERIOD)
    # Đ after D, whatever the code points say ("Đ" is U+0110, after every Latin letter).
    unit = Unit.objects.get(code="xa-tan-lap")
    unit.name = "UBND xã Đắk Sơn"
    unit.save()
    html = coordinator.get(DASHBOARD).content.decode()
    names = {p.unit.code: p.unit.name for p in Participation.objects.filter(period=period)}
    shown = [names[code] for code in _units(html)]
    assert shown == sorted(names.values(), key=sort_key)
    descending = _units(
        coordinator.get(DASHBOARD, {"sap-xep": "ten", "chieu": "giam"}).content.decode()
    )
    assert descending == list(reversed(_units(html)))
    rows = period_progress(period, on=timezone.localdate())
    by_missing = progress_select(rows, ProgressQuery(sort="chua-nhap", descending=True))
    assert [r.missing for r in by_missing] == sorted((r.missing for r in rows), reverse=True)
    html = coordinator.get(DASHBOARD, {"sap-xep": "chua-nhap", "chieu": "giam"}).content.decode()
    assert _units(html) == [r.unit.code for r in by_missing]


def test_unknown_filter_values_show_everything(coordinator) -> None:
    html = coordinator.get(DASHBOARD, {"trang-thai": "x", "sap-xep": "'; drop"}).content.decode()
    assert len(_units(html)) == 7


def test_the_folded_name_follows_the_name() -> None:
    unit = Unit.objects.create(code="xa-thu", name="UBND xã Hoà Bình Mới")
    assert unit.name_folded == "ubnd xa hoa binh moi"
    unit.name = "Phường Đức Xuân"
    unit.save(update_fields=["name"])
    unit.refresh_from_db()
    assert unit.name_folded == "phuong duc xuan"


def test_the_export_is_the_filtered_table_as_excel(coordinator) -> None:
    Unit.objects.filter(code="xa-tan-lap").update(name='=HYPERLINK("http://x")')
    response = coordinator.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][:3] == ["Mã đơn vị", "Đơn vị", "Nhóm xếp hạng"]
    units = [row[0] for row in values[2:]]
    assert len(units) == 7 and "xa-hoa-binh" in units
    dangerous = next(row for row in sheet.iter_rows(min_row=3) if row[0].value == "xa-tan-lap")
    assert dangerous[1].data_type == "s" and dangerous[1].quotePrefix  # text, never a formula
    html = coordinator.get(DASHBOARD).content.decode()
    counts = _row_counts(html)
    for row in values[2:]:
        assert (row[8], row[9]) == counts[row[0]]  # errors and warnings, as numbers
    filtered = load_workbook(io.BytesIO(coordinator.get(EXPORT, {"q": "hoa binh"}).content)).active
    assert [row[0].value for row in filtered.iter_rows(min_row=3)] == ["xa-hoa-binh"]
    assert (
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.EXPORT, target=f"progress:{OPEN_PERIOD}"
        ).count()
        == 2
    )


def test_the_dashboard_creates_nothing_on_a_get(coordinator) -> None:
    before = Submission.objects.count()
    coordinator.get(DASHBOARD)
    coordinator.get(EXPORT)
    assert Submission.objects.count() == before


def test_the_public_ranking_and_the_admin_search_without_accents(coordinator) -> None:
    html = coordinator.get(f"/ky/{OPEN_FROM}/ket-qua/", {"q": "hoa binh"}).content.decode()
    # The ranking table only: the year-on-year section below it names units that changed band.
    ranking = html.split('id="ranking"', 1)[1].split("</table>", 1)[0]
    assert _units(ranking) == ["xa-hoa-binh"]
    admin = Client()
    login(admin, User.objects.get(username="quantri"))
    page = admin.get("/admin/units/unit/", {"q": "HOÀ BINH"}).content.decode()
    assert "xa-hoa-binh" in page and "xa-tan-lap" not in page
    assert list(
        Unit.objects.filter(name_folded__contains="hoa binh").values_list("code", flat=True)
    ) == ["xa-hoa-binh"]


def test_a_long_table_is_shown_a_page_at_a_time(coordinator, monkeypatch) -> None:
    """Thousands of units at national scale: the table shows a page (the counts above it, the
    filters and the export cover every unit), and the page links keep the filters and order."""
    from opendti.portal.views import dashboard

    monkeypatch.setattr(dashboard, "PAGE_SIZE", 3)
    whole = _units(coordinator.get(DASHBOARD, {"sap-xep": "loi", "chieu": "giam"}).content.decode())
    assert len(whole) == 3
    shown = []
    for number in (1, 2, 3):
        html = coordinator.get(
            DASHBOARD, {"sap-xep": "loi", "chieu": "giam", "trang": number}
        ).content.decode()
        shown += _units(html)
        assert 'id="submitted-count">0/7<' in html
        assert "Đang hiện 7/7 đơn vị." in html
        assert f"Trang {number}/3" in html
        if number < 3:
            assert f"sap-xep=loi&amp;chieu=giam&amp;trang={number + 1}" in html
    assert len(shown) == len(set(shown)) == 7
    # A page past the end shows the last one, as the other paged tables do.
    html = coordinator.get(DASHBOARD, {"sap-xep": "loi", "chieu": "giam", "trang": 99})
    assert _units(html.content.decode()) == shown[6:]
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 100)
    every = _units(coordinator.get(DASHBOARD, {"sap-xep": "loi", "chieu": "giam"}).content.decode())
    assert shown == every
