"""Creating units' people from an Excel list: every row checked, all or nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from opendti.accounts.models import User
from opendti.accounts.roles import FOCAL_POINT, UNIT_LEADER
from opendti.audit.models import AuditEvent
from opendti.periods.models import Membership, Participation, Period
from opendti.portal.accounts_import import HEADER, accounts_create, accounts_plan, accounts_template
from opendti.results.demo import OPEN_PERIOD, demo_load
from opendti.units.models import Affiliation
from tests.portal.accounts_files import account_list, upload

GOOD = [
    ("xa-hoa-binh", "Nguyễn Văn An", "an.nguyen@hoabinh.gov.vn", "0912345678", "Cán bộ đầu mối"),
    ("ubnd xa tan lap", "Trần Thị Bình", "Binh.Tran@TanLap.gov.vn", "", "lãnh đạo đơn vị"),
    ("UBND xã Hoà Bình", "Lê Văn Cường", "", "", "unit_leader"),
]

# A valid address, too long to be a login name (150 characters at most).
LONG_EMAIL = "a" * 60 + "@" + "b" * 60 + "." + "c" * 30 + ".vn"


@pytest.fixture
def world(db):
    demo_load()
    return User.objects.get(username="dieuphoi")


def plan_of(rows, **kwargs):
    content = account_list(rows, **kwargs)
    return accounts_plan(file=upload(content), name="danh-sach.xlsx")


def test_a_valid_list_shows_every_row_and_what_will_happen(world):
    plan = plan_of(GOOD)
    assert plan.valid and plan.problems == ()
    assert [r.number for r in plan.rows] == [2, 3, 4]
    first, second, third = plan.rows
    assert (first.unit_code, first.role, first.username) == (
        "xa-hoa-binh", "focal_point", "an.nguyen@hoabinh.gov.vn",
    )  # fmt: skip
    # Units by Vietnamese name, whatever the case, accents or tone placement ("Hoà"/"Hòa").
    assert second.unit_code == "xa-tan-lap" and second.role == "unit_leader"
    assert second.email == "binh.tran@tanlap.gov.vn"
    assert third.unit_code == "xa-hoa-binh"
    # Without an e-mail the login name comes from the person's name.
    assert third.username == "levancuong"


def test_confirming_creates_every_account_with_its_unit_role_and_history(world):
    plan = plan_of(GOOD)
    created = accounts_create(saved=[r.session() for r in plan.rows], actor=world)
    assert [u.username for u in created] == [r.username for r in plan.rows]
    an = User.objects.get(username="an.nguyen@hoabinh.gov.vn")
    assert an.full_name == "Nguyễn Văn An" and an.phone == "0912345678"
    assert not an.has_usable_password()  # chosen by the person from the invitation
    assert set(an.groups.values_list("name", flat=True)) == {FOCAL_POINT}
    place = Affiliation.objects.get(user=an)
    assert (place.unit.code, place.role, place.started_by, place.ended_at) == (
        "xa-hoa-binh", "focal_point", world, None,
    )  # fmt: skip
    # A member of the unit in every period still under way, the open one included.
    live = Participation.objects.filter(unit__code="xa-hoa-binh").exclude(
        period__status__in=(Period.Status.APPROVED, Period.Status.PUBLISHED)
    )
    assert Membership.objects.filter(user=an, role="focal_point").count() == live.count()
    assert Membership.objects.filter(
        user=an, participation__period__code=OPEN_PERIOD, participation__unit__code="xa-hoa-binh"
    ).exists()
    leader = User.objects.get(username="binh.tran@tanlap.gov.vn")
    assert set(leader.groups.values_list("name", flat=True)) == {UNIT_LEADER}
    events = AuditEvent.objects.filter(target="user:an.nguyen@hoabinh.gov.vn")
    kinds = set(events.values_list("kind", flat=True))
    assert {"account_created", "membership_changed", "role_changed"} <= kinds
    created_event = events.get(kind="account_created")
    assert created_event.actor == world
    assert created_event.detail == {"unit": "xa-hoa-binh", "role": "focal_point", "via": "excel"}


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (("xa-khong-co", "A", "a@b.vn", "", "đầu mối"), "A", "không có đơn vị “xa-khong-co”"),
        (("", "A", "a@b.vn", "", "đầu mối"), "A", "thiếu đơn vị"),
        (("xa-hoa-binh", "", "a@b.vn", "", "đầu mối"), "B", "thiếu họ và tên"),
        (("xa-hoa-binh", "A", "khong-phai-email", "", "đầu mối"), "C",
         "thư điện tử “khong-phai-email” không hợp lệ"),
        (("xa-hoa-binh", "A", LONG_EMAIL, "", "đầu mối"), "C", "không hợp lệ"),
        (("xa-hoa-binh", "A", "a@b.vn", "12ab", "đầu mối"), "D",
         "số điện thoại “12ab” không hợp lệ"),
        (("xa-hoa-binh", "A", "a@b.vn", "", "thư ký"), "E", "vai trò “thư ký” không có"),
        (("xa-hoa-binh", "A", "a@b.vn", "", ""), "E", "thiếu vai trò"),
        (("xa-hoa-binh", "A", "a@b.vn", "", "=1+1"), "E", "công thức"),
    ],
)  # fmt: skip
def test_each_wrong_field_is_named_by_row_and_column(world, row, column, message):
    plan = plan_of([GOOD[0], row])
    assert not plan.valid
    assert [(p.row, p.column) for p in plan.problems] == [(3, column)]
    assert message in plan.problems[0].message
    assert str(plan.problems[0]).startswith(f"Dòng 3, cột {column}:")
    assert plan.rows[0].valid and not plan.rows[1].valid


def test_an_email_twice_in_the_list_is_refused_on_the_second_row(world):
    again = ("xa-tan-lap", "Người khác", "AN.NGUYEN@hoabinh.gov.vn", "", "lãnh đạo")
    plan = plan_of([GOOD[0], again])
    assert [(p.row, p.column) for p in plan.problems] == [(3, "C")]
    assert "trùng với dòng 2" in plan.problems[0].message


def test_an_existing_account_is_refused(world):
    User.objects.create_user(username="cu", email="an.nguyen@hoabinh.gov.vn")
    plan = plan_of(GOOD)
    assert [(p.row, p.column) for p in plan.problems] == [(2, "C")]
    assert "đã có tài khoản" in plan.problems[0].message


def test_two_units_of_the_same_name_ask_for_the_code(world):
    from opendti.units.models import Unit

    Unit.objects.create(code="xa-hoa-binh-2", name="UBND xã Hòa Bình")
    plan = plan_of([("UBND xã Hòa Bình", "A", "", "", "đầu mối")])
    assert "hãy ghi mã đơn vị" in plan.problems[0].message
    assert "xa-hoa-binh-2" in plan.problems[0].message


def test_nothing_is_created_unless_every_row_is_still_valid(world):
    plan = plan_of(GOOD)
    saved = [r.session() for r in plan.rows]
    # Between the preview and the confirmation, someone made the second person's account.
    User.objects.create_user(username="khac", email="binh.tran@tanlap.gov.vn")
    before = User.objects.count()
    with pytest.raises(ValidationError) as refused:
        accounts_create(saved=saved, actor=world)
    assert any("Dòng 3, cột C" in m for m in refused.value.messages)
    assert User.objects.count() == before
    assert not Affiliation.objects.exists()
    assert not AuditEvent.objects.filter(kind="account_created").exists()


def test_login_names_without_email_are_numbered_past_existing_ones(world):
    User.objects.create_user(username="levancuong")
    plan = plan_of([GOOD[2], ("xa-tan-lap", "Lê Văn Cường", "", "", "đầu mối")])
    assert [r.username for r in plan.rows] == ["levancuong2", "levancuong3"]


def test_a_phone_typed_as_a_number_keeps_its_leading_zero(world):
    plan = plan_of([("xa-hoa-binh", "A", "", 912345678, "đầu mối")])
    assert plan.rows[0].phone == "0912345678" and plan.valid


def test_a_file_not_made_from_the_template_is_refused(world):
    with pytest.raises(ValidationError, match="Dòng 1 của tệp phải là tiêu đề"):
        plan_of(GOOD, header=["Tên", "Đơn vị", "Email", "SĐT", "Vai trò"])
    with pytest.raises(ValidationError, match="không có dòng nào"):
        plan_of([])
    with pytest.raises(ValidationError):
        accounts_plan(file=upload(b"not a workbook at all"), name="danh-sach.xlsx")


def test_the_upload_caps_apply(world, settings):
    settings.OPENDTI_XLSX_MAX_ROWS = 3
    rows = [("xa-hoa-binh", f"Người {n}", "", "", "đầu mối") for n in range(5)]
    with pytest.raises(ValidationError, match="quá lớn"):
        plan_of(rows)


def test_the_check_stops_after_a_hundred_problems(world):
    rows = [("xa-khong-co", f"Người {n}", "", "", "đầu mối") for n in range(150)]
    plan = plan_of(rows)
    assert len(plan.problems) == 100 and plan.stopped_at == 102


def test_the_template_has_the_header_and_safe_cells(world):
    book = load_workbook(io.BytesIO(accounts_template()))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.data_validations.dataValidation  # the role drop-down


def test_groups_exist_for_roles(world):
    assert Group.objects.filter(name=FOCAL_POINT).exists()
