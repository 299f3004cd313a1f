"""The coordinator's accounts console in a real browser: the coordinator (password and second
factor) downloads the list template, uploads it filled in, is shown every row's errors, fixes the
file, sees the preview, confirms; the new focal point opens the invitation from the e-mail the
site sent, chooses a password, logs in and reaches the unit's workspace; the link then no longer
works."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from django.core import mail
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from opendti.accounts.models import User
from opendti.units.models import Affiliation

from .conftest import WORKSPACE, login, shot

PASSWORD = "Dau-moi-moi-2026"
EMAIL = "an.nguyen@hoabinh.gov.vn"


def fill(template: Path, rows, target: Path) -> Path:
    book = load_workbook(template)
    sheet = book.worksheets[0]
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=number, column=column, value=value)
    book.save(target)
    return target


def upload(page: Page, file: Path) -> None:
    page.locator("#accounts-file").set_input_files(str(file))
    page.locator("#accounts-upload").get_by_role("button", name="Kiểm tra danh sách").click()


def test_coordinator_imports_accounts_and_a_focal_point_accepts_the_invitation(
    page: Page, new_context, tmp_path: Path
) -> None:
    login(page, "dieuphoi")
    page.locator("#console-accounts a").click()
    expect(page.get_by_role("heading", name="Tài khoản của đơn vị", exact=True)).to_be_visible()
    with page.expect_download() as info:
        page.locator("#accounts-template").click()
    template = tmp_path / "mau.xlsx"
    info.value.save_as(template)

    people = [
        ("UBND xã Hoà Bình", "Nguyễn Văn An", EMAIL, "0912345678", "Cán bộ đầu mối"),
        ("xa-tan-lap", "Trần Thị Bình", "", "", "Lãnh đạo đơn vị"),
    ]
    wrong = fill(
        template,
        [*people, ("xa-khong-co", "Lê Văn C", "sai", "", "thủ quỹ")],
        tmp_path / "sai.xlsx",
    )
    upload(page, wrong)
    problems = page.locator("#accounts-problems")
    expect(problems).to_contain_text("chưa có tài khoản nào được tạo")
    expect(problems).to_contain_text("Dòng 4, cột A: không có đơn vị “xa-khong-co”")
    expect(problems).to_contain_text("Dòng 4, cột C: thư điện tử “sai” không hợp lệ")
    expect(problems).to_contain_text("Dòng 4, cột E: vai trò “thủ quỹ” không có")
    expect(page.locator("#accounts-confirm")).to_have_count(0)
    assert not User.objects.filter(email=EMAIL).exists()

    page.goto("/dieu-phoi/tai-khoan/")
    upload(page, fill(template, people, tmp_path / "dung.xlsx"))
    expect(page.locator("#accounts-ready")).to_contain_text("2 tài khoản sẽ được tạo")
    row = page.locator("#accounts-preview tr[data-row='2']")
    expect(row).to_contain_text("UBND xã Hòa Bình")
    expect(row).to_contain_text(f"Tạo tài khoản {EMAIL}")
    expect(row).to_contain_text("gửi thư mời đặt mật khẩu")
    expect(page.locator("#accounts-preview tr[data-row='3']")).to_contain_text(
        "không có thư điện tử: không gửi được thư mời"
    )
    shot(page, "accounts-preview")
    page.locator("#accounts-confirm").click()
    expect(page.locator("#accounts-created")).to_contain_text("Đã tạo 2 tài khoản.")
    expect(page.locator("#accounts-not-invited")).to_contain_text("Trần Thị Bình")
    assert Affiliation.objects.get(user__email=EMAIL).unit.code == "xa-hoa-binh"

    (message,) = [m for m in mail.outbox if m.to == [EMAIL]]
    link = re.search(r"https?://\S+/tai-khoan/loi-moi/\S+", message.body)
    assert link is not None, message.body
    path = urlsplit(link.group(0)).path

    person = new_context().new_page()
    person.goto(path)
    expect(person).to_have_url(re.compile(r"/dat-mat-khau/$"))
    form = person.locator("#invitation-form")
    expect(person.locator("main")).to_contain_text(EMAIL)
    form.locator("input[name=new_password1]").fill(PASSWORD)
    form.locator("input[name=new_password2]").fill(PASSWORD)
    form.get_by_role("button", name="Đặt mật khẩu").click()
    expect(person.locator("#invitation-done")).to_be_visible()

    person.goto("/dang-nhap/")
    login_form = person.locator("form:has(input[name=username])")
    login_form.locator("input[name=username]").fill(EMAIL)
    login_form.locator("input[name=password]").fill(PASSWORD)
    login_form.get_by_role("button", name="Đăng nhập").click()
    expect(person).not_to_have_url(re.compile(r"/dang-nhap/"))
    response = person.goto(WORKSPACE)
    assert response is not None and response.status == 200
    expect(person.locator("h1")).to_contain_text("Hòa Bình")
    shot(person, "accounts-invited-focal-point-workspace")

    again = new_context().new_page()
    again.goto(path)
    expect(again.locator("#invitation-invalid")).to_be_visible()
