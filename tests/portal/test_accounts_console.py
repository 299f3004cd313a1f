"""The coordinator's accounts pages: upload, preview, confirm, invitations, move, lock."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.test import Client
from openpyxl import load_workbook

from opendti.accounts.models import User
from opendti.audit.models import AuditEvent
from opendti.units.models import Affiliation, Unit
from tests.login import login
from tests.portal.accounts_files import account_list, upload

LIST = "/dieu-phoi/tai-khoan/"
ROWS = [
    ("xa-hoa-binh", "Nguyễn Văn An", "an@hoabinh.gov.vn", "0912 345 678", "Cán bộ đầu mối"),
    ("UBND xã Tân Lập", "Trần Thị Bình", "", "", "Lãnh đạo đơn vị"),
]


def post_list(client: Client, rows, **kwargs):
    return client.post(LIST + "tai-len/", {"file": upload(account_list(rows, **kwargs))})


def test_upload_preview_confirm_and_invitations(coordinator) -> None:
    page = coordinator.get(LIST)
    assert page.status_code == 200 and "Tạo tài khoản từ danh sách Excel" in page.content.decode()
    preview = post_list(coordinator, ROWS)
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Danh sách hợp lệ: 2 tài khoản sẽ được tạo" in html
    assert "gửi thư mời đặt mật khẩu" in html
    assert "không có thư điện tử: không gửi được thư mời" in html
    assert 'id="accounts-confirm"' in html
    assert not User.objects.filter(username="an@hoabinh.gov.vn").exists()  # not yet

    done = coordinator.post(LIST + "tai-len/xac-nhan/")
    html = done.content.decode()
    assert done.status_code == 200 and "Đã tạo 2 tài khoản." in html
    assert "Đã gửi thư mời đặt mật khẩu tới 1 người." in html
    # The coordinator is told who got no invitation.
    assert 'id="accounts-not-invited"' in html and "tranthibinh" in html
    assert [m.to for m in mail.outbox] == [["an@hoabinh.gov.vn"]]
    assert Affiliation.objects.get(user__username="tranthibinh").unit.code == "xa-tan-lap"
    # The plan is used once.
    again = coordinator.post(LIST + "tai-len/xac-nhan/")
    assert again.status_code == 302
    assert User.objects.filter(full_name="Nguyễn Văn An").count() == 1


def test_a_list_with_an_error_creates_nothing_and_offers_no_confirmation(coordinator) -> None:
    rows = [*ROWS, ("xa-khong-co", "Lê C", "khong-hop-le", "", "thủ quỹ")]
    preview = post_list(coordinator, rows)
    html = preview.content.decode()
    assert preview.status_code == 422
    assert "Danh sách có 3 lỗi; chưa có tài khoản nào được tạo." in html
    assert "Dòng 4, cột A: không có đơn vị “xa-khong-co”" in html
    assert "Dòng 4, cột C: thư điện tử “khong-hop-le” không hợp lệ" in html
    assert "Dòng 4, cột E: vai trò “thủ quỹ” không có" in html
    assert 'id="accounts-confirm"' not in html
    # Even posted by hand, the confirmation has nothing to create.
    assert coordinator.post(LIST + "tai-len/xac-nhan/").status_code == 302
    assert not User.objects.filter(full_name__in=["Nguyễn Văn An", "Lê C"]).exists()


def test_a_file_that_is_not_a_list_is_refused(coordinator) -> None:
    response = coordinator.post(
        LIST + "tai-len/", {"file": upload(b"%PDF-1.4 not a workbook", "danh-sach.xlsx")}
    )
    assert response.status_code == 422
    assert "Chưa có tài khoản nào được tạo." in response.content.decode()


def test_the_template_downloads(coordinator) -> None:
    response = coordinator.get(LIST + "mau-excel/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A1"].value == "Đơn vị" and sheet["E1"].value == "Vai trò"


def test_move_and_lock_from_the_persons_page(coordinator) -> None:
    daumoi = User.objects.get(username="daumoi")
    page = coordinator.get(f"{LIST}{daumoi.pk}/")
    assert page.status_code == 200 and "Chuyển đơn vị" in page.content.decode()
    moved = coordinator.post(
        f"{LIST}{daumoi.pk}/chuyen-don-vi/",
        {"unit": "xa-tan-lap", "role": "focal_point", "reason": "Điều động"},
    )
    assert moved.status_code == 302
    assert Affiliation.objects.get(user=daumoi, ended_at__isnull=True).unit.code == "xa-tan-lap"
    refused = coordinator.post(f"{LIST}{daumoi.pk}/khoa/", {"reason": ""})
    assert refused.status_code == 302
    daumoi.refresh_from_db()
    assert daumoi.is_active
    coordinator.post(f"{LIST}{daumoi.pk}/khoa/", {"reason": "Nghỉ việc"})
    daumoi.refresh_from_db()
    assert not daumoi.is_active
    assert AuditEvent.objects.filter(kind="account_deactivated", target="user:daumoi").exists()
    page = coordinator.get(f"{LIST}{daumoi.pk}/").content.decode()
    assert "đã khóa" in page and "Điều động" in page


def test_the_console_manages_unit_people_only(coordinator) -> None:
    # A coordinator cannot lock the administrator or another coordinator from here.
    admin = User.objects.get(username="quantri")
    assert coordinator.get(f"{LIST}{admin.pk}/").status_code == 404
    assert coordinator.post(f"{LIST}{admin.pk}/khoa/", {"reason": "x"}).status_code == 404
    admin.refresh_from_db()
    assert admin.is_active


def test_invitation_again_only_before_a_password_is_set(coordinator) -> None:
    person = User.objects.create_user(username="moi@x.vn", email="moi@x.vn")
    Affiliation.objects.create(
        user=person, unit=Unit.objects.get(code="xa-hoa-binh"), role="focal_point"
    )
    coordinator.post(f"{LIST}{person.pk}/gui-loi-moi/")
    assert [m.to for m in mail.outbox] == [["moi@x.vn"]]
    daumoi = User.objects.get(username="daumoi")  # has a password
    coordinator.post(f"{LIST}{daumoi.pk}/gui-loi-moi/")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("username", ["daumoi", "lanhdao", "thamdinh", "pheduyet"])
def test_other_roles_do_not_see_the_console(coordinator, username) -> None:
    client = login(Client(), User.objects.get(username=username))
    assert client.get(LIST).status_code == 404
    assert post_list(client, ROWS).status_code == 404
