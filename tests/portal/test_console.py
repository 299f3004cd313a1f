"""The coordinator's console (docs/console.md): creating a period with its phases, changing it
until it opens, choosing its units from last year (through lineage) all or nothing, and importing
a framework version from XLSX with the difference shown before confirming."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from opendti.assessments.models import Submission
from opendti.audit.models import AuditEvent
from opendti.core.storage import storage
from opendti.frameworks.exchange import framework_export
from opendti.frameworks.models import Framework, Level
from opendti.periods.models import Participation, Period, PeriodChange, Phase
from opendti.periods.services import period_fingerprint

OPEN_PERIOD = "2026-communes"
NEW = "2027-communes"


def _day(offset: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


def _phase_rows(rows: list[tuple[str, str, int, int]], extra: int = 1) -> dict[str, str]:
    data = {
        "phase-TOTAL_FORMS": str(len(rows) + extra),
        "phase-INITIAL_FORMS": "0",
        "phase-MIN_NUM_FORMS": "0",
        "phase-MAX_NUM_FORMS": "30",
    }
    for n, (kind, round_number, start, end) in enumerate(rows):
        data |= {
            f"phase-{n}-kind": kind,
            f"phase-{n}-round_number": round_number,
            f"phase-{n}-starts_on": _day(start),
            f"phase-{n}-ends_on": _day(end),
        }
    return data


def _posted(**changes: Any) -> dict[str, str]:
    source = Period.objects.select_related("framework").get(code=OPEN_PERIOD)
    data = {
        "code": NEW,
        "title": "DTI cấp xã 2027",
        "level": str(source.framework.level_id),
        "framework": str(source.framework_id),
        "year": "2027",
        "cadence": "annual",
        "quarter": "",
        "decimals": "2",
        "display": "points",
        "band_on": "exact",
        "not_deployed_policy": "exclude",
        "review_rounds": "2",
        "previous": str(source.pk),
        **_phase_rows(
            [("self_assessment", "", 30, 45), ("appraisal", "1", 50, 60), ("approval", "", 70, 75)]
        ),
    }
    data.update(changes)
    return data


def _create(client: Client, **changes: Any):
    return client.post("/ky-moi/", _posted(**changes))


def test_the_coordinator_creates_a_period_with_its_phases(coordinator):
    assert coordinator.get("/ky-moi/").status_code == 200
    response = _create(coordinator)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/ky/{NEW}/don-vi-tham-gia/"
    period = Period.objects.get(code=NEW)
    assert (period.year, period.label, period.cadence, period.decimals) == (
        2027,
        "2027",
        "annual",
        2,
    )
    phases = list(period.phases.order_by("order").values_list("kind", "round_number"))
    assert phases == [("self_assessment", None), ("appraisal", 1), ("approval", None)]
    change = PeriodChange.objects.get(period=period)
    assert change.kind == "created" and change.actor.username == "dieuphoi"
    assert change.detail["settings"]["title"] == "DTI cấp xã 2027"
    assert AuditEvent.objects.filter(kind="period_configured", target=f"period:{NEW}").exists()


def test_a_quarter_gets_its_label(coordinator):
    assert _create(coordinator, cadence="quarterly", quarter="2").status_code == 302
    period = Period.objects.get(code=NEW)
    assert (period.quarter, period.label, period.is_quarterly) == (2, "Q2-2027", True)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"cadence": "quarterly"}, "quarter", "Kỳ hằng quý cần chọn quý từ 1 đến 4."),
        ({"quarter": "3"}, "quarter", "Kỳ hằng năm không chọn quý: hãy để trống."),
        ({"decimals": "9"}, "decimals", "Số chữ số thập phân phải từ 0 đến 6."),
        ({"code": OPEN_PERIOD}, "code", "Đã có kỳ đánh giá với mã này: hãy chọn mã khác."),
        ({"code": "có dấu"}, "code", "Mã kỳ chỉ gồm chữ không dấu"),
        ({"phase-0-ends_on": _day(10)}, "phases", "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."),
        ({"phase-0-kind": "reply"}, "phases", "Cần có giai đoạn tự đánh giá"),
        ({"phase-1-kind": "self_assessment", "phase-1-round_number": ""}, "phases",
         "Giai đoạn “tự đánh giá” được nhập hai lần."),
    ],
)  # fmt: skip
def test_a_refused_period_names_the_field_in_vietnamese(coordinator, changes, field, message):
    before = (Period.objects.count(), Phase.objects.count(), PeriodChange.objects.count())
    response = _create(coordinator, **changes)
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    if field != "phases":
        assert f'id="error-{field}"' in page
    assert (Period.objects.count(), Phase.objects.count(), PeriodChange.objects.count()) == before


def test_the_framework_must_be_of_the_chosen_level(coordinator):
    other = Level.objects.exclude(
        pk=Period.objects.get(code=OPEN_PERIOD).framework.level_id
    ).first()
    response = _create(coordinator, level=str(other.pk))
    assert response.status_code == 422
    assert "Bộ chỉ số này dành cho" in response.content.decode()
    assert not Period.objects.filter(code=NEW).exists()


def test_settings_change_until_the_period_opens(coordinator):
    _create(coordinator)
    period = Period.objects.get(code=NEW)
    page = coordinator.get(f"/ky/{NEW}/thiet-lap/")
    assert page.status_code == 200 and 'id="band-schemes"' in page.content.decode()
    seen = period_fingerprint(period)
    posted = _posted(title="DTI cấp xã 2027 (sửa)", decimals="3", seen=seen)
    posted |= {"phase-0-ends_on": _day(50)}
    response = coordinator.post(f"/ky/{NEW}/thiet-lap/", posted)
    assert response.status_code == 302
    period.refresh_from_db()
    assert (period.title, period.decimals) == ("DTI cấp xã 2027 (sửa)", 3)
    assert period.phase("self_assessment").ends_on == timezone.localdate() + datetime.timedelta(50)
    edited = PeriodChange.objects.get(period=period, kind="edited")
    assert edited.detail["decimals"] == [2, 3] and "phases" in edited.detail
    # A form shown before that change is refused, not written over it.
    stale = coordinator.post(f"/ky/{NEW}/thiet-lap/", _posted(title="Cũ", seen=seen))
    assert stale.status_code == 409
    assert "vừa được người khác thay đổi" in stale.content.decode()
    assert Period.objects.get(code=NEW).title == "DTI cấp xã 2027 (sửa)"


def test_an_opened_period_keeps_its_settings(coordinator):
    period = Period.objects.get(code=OPEN_PERIOD)  # its self-assessment began a week ago
    page = coordinator.get(f"/ky/{OPEN_PERIOD}/thiet-lap/").content.decode()
    assert 'id="period-opened"' in page and 'id="period-save"' not in page
    posted = _posted(code=OPEN_PERIOD, title="Đổi tên", seen=period_fingerprint(period))
    response = coordinator.post(f"/ky/{OPEN_PERIOD}/thiet-lap/", posted)
    assert response.status_code == 409
    assert Period.objects.get(code=OPEN_PERIOD).title == period.title
    assert not PeriodChange.objects.exists()


# Units -------------------------------------------------------------------------------------


def _participants_post(client: Client, code: str, units: dict[str, str], groups: str):
    period = Period.objects.get(code=code)
    data: dict[str, Any] = {"seen": period_fingerprint(period), "groups": groups}
    data["unit"] = list(units)
    for unit, group in units.items():
        data[f"group-{unit}"] = group
        data[f"ranked-{unit}"] = "on"
    return client.post(f"/ky/{code}/don-vi-tham-gia/", data)


def test_units_are_proposed_from_last_year(coordinator):
    _create(coordinator)
    page = coordinator.get(f"/ky/{NEW}/don-vi-tham-gia/").content.decode()
    assert 'id="proposal-source"' in page
    last = Participation.objects.filter(period__code=OPEN_PERIOD).select_related("unit")
    for participation in last:
        assert (
            f'value="{participation.unit.code}" id="unit-{participation.unit.code}" checked' in page
        )


def test_lineage_replaces_merged_units(coordinator):
    """2024 had xã Tân Tiến and xã Lập Thành; they merged into xã Tân Lập (2025)."""
    previous = Period.objects.get(code="2024-communes")
    _create(coordinator, previous=str(previous.pk))
    page = coordinator.get(f"/ky/{NEW}/don-vi-tham-gia/").content.decode()
    assert 'id="unit-xa-tan-lap" checked' in page
    row = page.split('data-unit="xa-tan-lap"')[1].split("</tr>")[0]
    assert "Tân Tiến" in row and "Lập Thành" in row
    assert 'id="unit-xa-tan-tien"' not in page  # it no longer exists as a unit of its own


def test_units_are_saved_all_or_nothing_with_their_submissions(coordinator):
    _create(coordinator)
    bad = _participants_post(
        coordinator, NEW, {"xa-hoa-binh": "xa", "xa-tan-lap": "khong-co"}, "xa: Xã"
    )
    assert bad.status_code == 422
    assert "nhóm xếp hạng “khong-co” không có trong danh sách nhóm" in bad.content.decode()
    assert not Participation.objects.filter(period__code=NEW).exists()
    good = _participants_post(
        coordinator, NEW, {"xa-hoa-binh": "xa", "xa-tan-lap": "phuong"}, "xa: Xã\nphuong: Phường"
    )
    assert good.status_code == 302
    joined = Participation.objects.filter(period__code=NEW).order_by("order")
    assert [(p.unit.code, p.group.code) for p in joined] == [
        ("xa-hoa-binh", "xa"),
        ("xa-tan-lap", "phuong"),
    ]
    # Each unit's submission exists from the moment it joined.
    assert Submission.objects.filter(participation__period__code=NEW).count() == 2
    change = PeriodChange.objects.get(period__code=NEW, kind="participants")
    assert change.detail["added"] == ["xa-hoa-binh", "xa-tan-lap"]
    # Leaving one out removes it (and its empty submission).
    assert _participants_post(coordinator, NEW, {"xa-hoa-binh": "xa"}, "xa: Xã").status_code == 302
    assert Submission.objects.filter(participation__period__code=NEW).count() == 1


def test_an_opened_periods_units_stay(coordinator):
    before = Participation.objects.filter(period__code=OPEN_PERIOD).count()
    response = _participants_post(coordinator, OPEN_PERIOD, {"xa-hoa-binh": "xa"}, "xa: Xã")
    assert response.status_code == 409
    assert Participation.objects.filter(period__code=OPEN_PERIOD).count() == before


# Framework import --------------------------------------------------------------------------


def framework_file(framework: Framework, folder: Path, edit=None) -> bytes:
    """The framework exported to XLSX, with `edit(workbook)` applied."""
    path = folder / "khung.xlsx"
    framework_export(framework=framework, path=path)
    if edit is not None:
        book = load_workbook(path)
        edit(book)
        book.save(path)
    return path.read_bytes()


def cell(book, code: str, column: str):
    sheet = book["framework"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == code:
            return row[header.index(column)]
    raise KeyError(code)


def changed(book) -> None:
    cell(book, "1.1", "max_points").value = 35
    cell(book, "1.2", "name").value = "Tên mới của chỉ số 1.2"
    sheet = book["framework"]
    header = [c.value for c in sheet[1]]
    row = {"code": "1.4", "parent": "1", "name": "Chỉ số thêm", "kind": "component",
           "max_points": 5, "scored": "yes", "rule": "yes_no", "params": "{}"}  # fmt: skip
    sheet.append([row.get(h) for h in header])


def upload(client: Client, code: str, content: bytes, name: str = "khung.xlsx"):
    return client.post(f"/ky/{code}/bo-chi-so/", {"file": io.BytesIO(content) | _named(name)})


def _named(name: str):
    class Named:
        def __ror__(self, other: io.BytesIO) -> io.BytesIO:
            other.name = name
            return other

    return Named()


def test_a_framework_import_shows_the_difference_then_confirms(
    coordinator, tmp_path, django_capture_on_commit_callbacks
):
    _create(coordinator)
    period = Period.objects.get(code=NEW)
    old = period.framework
    versions = Framework.objects.count()
    response = upload(coordinator, NEW, framework_file(old, tmp_path, changed))
    page = response.content.decode()
    assert response.status_code == 200, page[:3000]
    assert Framework.objects.count() == versions  # the preview wrote nothing
    assert 'data-kind="added" data-code="1.4"' in page
    assert 'data-kind="changed" data-code="1.1"' in page and "40 → 35" in page
    assert 'data-kind="renamed" data-code="1.2"' in page
    token = page.split('name="token" value="')[1].split('"')[0]
    assert storage("default").exists(f"framework-imports/{token}.xlsx")
    with django_capture_on_commit_callbacks(execute=True):
        confirm = coordinator.post(
            f"/ky/{NEW}/bo-chi-so/xac-nhan/", {"token": token, "seen_framework": old.pk}
        )
    assert confirm.status_code == 302
    assert not storage("default").exists(f"framework-imports/{token}.xlsx")  # it has served
    period.refresh_from_db()
    assert period.framework.version == old.version + 1 and period.framework.code == old.code
    assert period.framework.nodes.get(code="1.1").max_points == 35
    history = PeriodChange.objects.get(period=period, kind="framework")
    assert history.detail["version"] == [old.version, old.version + 1]
    # The same confirmation again: the period's framework has changed since that preview.
    again = coordinator.post(
        f"/ky/{NEW}/bo-chi-so/xac-nhan/", {"token": token, "seen_framework": old.pk}
    )
    assert again.status_code == 422 and Framework.objects.count() == versions + 1


def test_a_framework_file_with_errors_imports_nothing(coordinator, tmp_path):
    _create(coordinator)
    period = Period.objects.get(code=NEW)

    def broken(book) -> None:
        cell(book, "1.1", "max_points").value = "nhiều"
        cell(book, "2.1", "parent").value = "9"

    response = upload(coordinator, NEW, framework_file(period.framework, tmp_path, broken))
    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="file-errors"' in page and 'id="framework-confirm"' not in page
    assert "Trang “framework”, dòng" in page and "max_points" in page
    assert "“nhiều” không phải là số" in page
    assert "chỉ số cha “9” không có trong bộ chỉ số này" in page
    assert Framework.objects.filter(code=period.framework.code).count() == 1


def test_a_confirmation_trusts_only_the_stored_file(coordinator, tmp_path):
    _create(coordinator)
    period = Period.objects.get(code=NEW)
    versions = Framework.objects.count()
    for token in ("0" * 64, "../../etc/passwd", ""):
        response = coordinator.post(
            f"/ky/{NEW}/bo-chi-so/xac-nhan/",
            {"token": token, "seen_framework": period.framework_id},
        )
        assert response.status_code == 422, token
    assert Framework.objects.count() == versions


def test_not_a_workbook_is_refused(coordinator):
    _create(coordinator)
    response = upload(coordinator, NEW, b"%PDF-1.4 not a workbook", name="khung.xlsx")
    assert response.status_code == 422
    assert 'id="form-errors"' in response.content.decode()
