"""The self-assessment workspace in a real browser: live preview, autosave and history, checks,
evidence upload, the leader's submission and the server-side lock, the coordinator's dashboard;
then an ended session that keeps the typed value, and two browsers saving the same indicator."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from opendti.results.demo import DEMO_PASSWORD

from .conftest import PERIOD, UNIT, WORKSPACE, confirm, login, shot

FOCAL_POINT = "daumoi"
FOCAL_POINT_NAME = "Trần Thị Đầu Mối"
LEADER = "lanhdao"
COORDINATOR = "dieuphoi"

# The smallest document every PDF reader opens: one empty page.
MINIMAL_PDF = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""
# A Windows program's first bytes (the "MZ" header), to be renamed as a PDF.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 240


def indicator(page: Page, code: str) -> Locator:
    return page.locator(f'article.indicator[data-key="{PERIOD}|{UNIT}|{code}"]')


def pk_of(page: Page, code: str) -> str:
    element_id = indicator(page, code).get_attribute("id")
    assert element_id and element_id.startswith("ind-"), element_id
    return element_id.removeprefix("ind-")


def field(page: Page, code: str, name: str = "") -> Locator:
    return indicator(page, code).locator(f'[name="v-{code}-{name}"]')


def save(page: Page, code: str) -> None:
    """Press the indicator's Lưu button and wait until the server answers with the saved card."""
    card = indicator(page, code)
    version = card.get_attribute("data-version") or "0"
    card.get_by_role("button", name="Lưu", exact=True).click()
    expect(card).not_to_have_attribute("data-version", version)
    expect(card.locator(".save-state")).to_contain_text("Đã lưu")


def errors(page: Page, code: str) -> Locator:
    return indicator(page, code).locator("ul.checks li.error")


def check(page: Page, code: str, kind: str, level: str = "error") -> Locator:
    return indicator(page, code).locator(f"ul.checks li.{level}[data-kind={kind}]")


def fill_valid(page: Page, code: str) -> None:
    """Give every input of an indicator a valid value, read from the form itself."""
    for control in indicator(page, code).locator("form.answer [name^='v-']").all():
        name = control.get_attribute("name") or ""
        if control.evaluate("el => el.tagName") == "SELECT":
            values = control.evaluate("el => [...el.options].map(o => o.value).filter(v => v)")
            control.select_option("yes" if "yes" in values else values[0])
        elif name.endswith(("-denominator", "-total")):
            control.fill("4")
        elif name.endswith(("-numerator", "-cashless")):
            control.fill("3")
        else:
            control.fill("2")


def test_self_assessment_from_first_value_to_submission(new_context) -> None:
    focal = new_context().new_page()
    login(focal, FOCAL_POINT, then=WORKSPACE)
    expect(focal.locator("h1")).to_contain_text("Phiếu tự đánh giá")
    expect(focal.locator("#status")).to_have_text("đang nhập")
    shot(focal, "01-workspace-focal-point")

    # Typing updates the indicator's score and the total at once, without reloading the page.
    pk = pk_of(focal, "1.2")
    score = focal.locator(f"#score-{pk}")
    total = focal.locator("#total-score")
    score_before, total_before = score.inner_text(), total.inner_text()
    focal.evaluate("window.__sameDocument = true")
    field(focal, "1.2").press_sequentially("3")
    expect(score).not_to_have_text(score_before)
    expect(score).to_contain_text("15")
    expect(total).not_to_have_text(total_before)
    assert focal.evaluate("window.__sameDocument === true")

    # Leaving the field saves it; after a reload the value is there, and so is its history.
    field(focal, "1.2").press("Tab")
    expect(indicator(focal, "1.2").locator(".save-state")).to_contain_text("Đã lưu")
    focal.reload()
    expect(field(focal, "1.2")).to_have_value("3")
    history = indicator(focal, "1.2").locator("details.history")
    history.locator("summary").click()
    expect(history.locator(".history-body")).to_contain_text(FOCAL_POINT_NAME)
    expect(history.locator(".history-body")).to_contain_text("3")

    # A numerator above its denominator is refused where it is typed, naming both inputs.
    field(focal, "2.2", "numerator").fill("12")
    field(focal, "2.2", "denominator").fill("10")
    indicator(focal, "2.2").get_by_role("button", name="Lưu", exact=True).click()
    expect(indicator(focal, "2.2").locator(".form-errors")).to_contain_text("(12) lớn hơn")
    expect(indicator(focal, "2.2").locator(".form-errors")).to_contain_text("(10)")

    # An estimate is allowed, with a warning.
    indicator(focal, "1.2").get_by_label("Số liệu ước tính").check()
    save(focal, "1.2")
    expect(check(focal, "1.2", "estimate", level="warning")).to_be_visible()
    shot(focal, "02-workspace-checks")

    # Indicator 1.1 needs evidence: a real PDF satisfies it.
    expect(check(focal, "1.1", "evidence_missing")).to_be_visible()
    form = focal.locator("#evidence-form")
    form.locator("#evidence-kind").select_option("file")
    form.locator("input[name=title]").fill("Quyết định thành lập Ban chỉ đạo")
    form.locator("#evidence-file").set_input_files(
        {"name": "quyet-dinh.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}
    )
    form.locator("#evidence-nodes").select_option("1.1")
    form.get_by_role("button", name="Thêm tài liệu").click()
    expect(focal.locator("ul.messages li.success")).to_contain_text("Đã thêm tài liệu")
    expect(indicator(focal, "1.1").locator("[data-kind=evidence_missing]")).to_have_count(0)
    expect(indicator(focal, "1.1").locator(".evidence-list")).to_contain_text(
        "Quyết định thành lập Ban chỉ đạo"
    )
    expect(focal.locator("#tai-lieu table")).to_contain_text("SHA-256")

    # A program renamed to .pdf is refused, and the page says why.
    form = focal.locator("#evidence-form")
    form.locator("#evidence-kind").select_option("file")
    form.locator("#evidence-file").set_input_files(
        {"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": EXECUTABLE}
    )
    form.locator("#evidence-nodes").select_option("1.1")
    form.get_by_role("button", name="Thêm tài liệu").click()
    expect(focal.locator("ul.messages li.error")).to_contain_text("Loại tệp không được chấp nhận")
    expect(focal.locator("#tai-lieu tbody tr")).to_have_count(1)
    shot(focal, "03-evidence-refused")

    # The leader cannot submit while errors remain.
    leader = new_context().new_page()
    login(leader, LEADER, then=WORKSPACE)
    leader.locator("#submit-button").click()
    confirm(leader, "phiếu bị khóa")
    expect(leader.locator("ul.messages li.error")).to_contain_text("lỗi phải sửa trước khi gửi")
    # The refusal lists the errors, each a link to its indicator's card.
    first_error = leader.locator("#submit-errors a").first
    target = first_error.get_attribute("href") or ""
    first_error.click()
    expect(leader.locator(target)).to_be_in_viewport()
    expect(leader.locator("#status")).to_have_text("đang nhập")
    expect(leader.locator("#locked")).to_have_count(0)
    shot(leader, "04-submission-refused")

    # The focal point completes every indicator that still has an error.
    focal.goto(WORKSPACE)
    remaining = focal.locator("article.indicator:has(ul.checks li.error)")
    codes = [
        (key or "").rsplit("|", 1)[1]
        for key in remaining.evaluate_all("els => els.map(e => e.dataset.key)")
    ]
    assert "2.2" in codes
    for code in codes:
        fill_valid(focal, code)
        save(focal, code)
        expect(errors(focal, code)).to_have_count(0)
    focal.reload()
    expect(focal.locator("ul.checks li.error")).to_have_count(0)
    expect(focal.locator("#gui-phieu")).to_contain_text("0 lỗi phải sửa")

    # Now the leader submits and the unit's form is locked.
    leader.reload()
    leader.locator("#submit-button").click()
    # Asked first: cancelling sends nothing; confirming submits.
    leader.locator("#confirm-cancel").click()
    expect(leader.locator("#confirm-dialog")).to_be_hidden()
    expect(leader.locator("#status")).to_have_text("đang nhập")
    leader.locator("#submit-button").click()
    confirm(leader, "Gửi phiếu tự đánh giá của UBND xã Hòa Bình")
    expect(leader.locator("ul.messages li.success")).to_contain_text("Đã gửi phiếu")
    expect(leader.locator("#locked")).to_be_visible()
    expect(leader.locator("#status")).to_have_text("đã gửi")
    shot(leader, "05-workspace-submitted")

    # The focal point's page, loaded before the submission, can no longer save.
    field(focal, "1.2").fill("6")
    indicator(focal, "1.2").get_by_role("button", name="Lưu", exact=True).click()
    expect(indicator(focal, "1.2").locator(".form-errors")).to_contain_text("Phiếu đã được gửi")
    focal.reload()
    expect(focal.locator("#locked")).to_be_visible()
    expect(focal.locator("article.indicator.unsaved")).to_have_count(0)  # the draft is not shown
    answers = focal.locator("form.answer")
    expect(answers.first).to_have_attribute("inert", "")
    expect(focal.locator("form.answer:not([inert])")).to_have_count(0)
    expect(focal.get_by_role("button", name="Lưu", exact=True)).to_have_count(0)
    expect(focal.locator("#evidence-form")).to_have_count(0)

    # The lock is on the server: a hand-made save from the focal point's browser is refused.
    token = focal.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    version = indicator(focal, "1.2").get_attribute("data-version")
    response = focal.request.post(
        f"{WORKSPACE}chi-so/1.2/luu/",
        form={"version": version or "0", "v-1.2-": "6"},
        headers={"X-CSRFToken": token or "", "HX-Request": "true"},
    )
    assert response.status in (200, 403), response.status
    assert response.status == 403 or "Phiếu đã được gửi" in response.text(), response.text()
    focal.reload()
    expect(field(focal, "1.2")).to_have_value("3")

    # The coordinator sees the unit as submitted.
    coordinator = new_context().new_page()
    login(coordinator, COORDINATOR, then=f"/ky/{PERIOD}/tien-do/")
    row = coordinator.locator(f"#progress-table tr[data-unit={UNIT}]")
    expect(row).to_contain_text("đã gửi")
    expect(coordinator.locator("#submitted-count")).to_contain_text("1/")
    shot(coordinator, "06-dashboard-coordinator")


def test_ended_session_keeps_the_typed_value(page: Page) -> None:
    login(page, FOCAL_POINT, then=WORKSPACE)
    banner = page.locator("#session-banner")
    expect(banner).to_be_hidden()
    field(page, "1.2").fill("4")

    page.context.clear_cookies()
    field(page, "1.2").press("Tab")  # the autosave is now refused
    expect(banner).to_be_visible()
    shot(page, "07-session-ended")

    page.reload()  # the workspace sends a signed-out visitor to the login page
    expect(page).to_have_url(re.compile(r"/dang-nhap/"))
    login(page, FOCAL_POINT, then=WORKSPACE)
    expect(field(page, "1.2")).to_have_value("4")
    expect(indicator(page, "1.2")).to_have_class(re.compile(r"\bunsaved\b"))

    save(page, "1.2")
    expect(indicator(page, "1.2")).not_to_have_class(re.compile(r"\bunsaved\b"))
    page.reload()
    expect(field(page, "1.2")).to_have_value("4")
    expect(indicator(page, "1.2")).not_to_have_class(re.compile(r"\bunsaved\b"))


def test_signing_in_again_from_the_banner_keeps_the_typed_value(page: Page) -> None:
    """The session ends (its cookie expires, the CSRF cookie stays): the banner's link leads
    through the login form back to the workspace, where the value waits to be saved."""
    login(page, FOCAL_POINT, then=WORKSPACE)
    field(page, "1.2").fill("7")
    page.context.clear_cookies(name="sessionid")
    field(page, "1.2").press("Tab")
    banner = page.locator("#session-banner")
    expect(banner).to_be_visible()

    banner.get_by_role("link", name="Đăng nhập lại").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap/"))
    form = page.locator("form:has(input[name=username])")
    form.locator("input[name=username]").fill(FOCAL_POINT)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(re.escape(WORKSPACE) + "$"))
    expect(field(page, "1.2")).to_have_value("7")
    expect(indicator(page, "1.2")).to_have_class(re.compile(r"\bunsaved\b"))
    save(page, "1.2")
    page.reload()
    expect(field(page, "1.2")).to_have_value("7")


def test_simultaneous_saves_show_a_conflict(new_context) -> None:
    first, second = new_context().new_page(), new_context().new_page()
    for page in (first, second):
        login(page, FOCAL_POINT, then=WORKSPACE)
    field(first, "1.2").fill("2")
    field(second, "1.2").fill("5")
    save(first, "1.2")

    card = indicator(second, "1.2")
    card.get_by_role("button", name="Lưu", exact=True).click()
    conflict = card.locator(".conflict")
    expect(conflict).to_be_visible()
    expect(conflict.locator(".theirs")).to_contain_text(": 2")  # the saved version
    expect(conflict.locator(".yours")).to_contain_text(": 5")  # the one not saved
    shot(second, "08-conflict")

    first.reload()
    expect(field(first, "1.2")).to_have_value("2")

    conflict.get_by_role("button", name="Ghi đè bằng bản của tôi").click()
    expect(card.locator(".conflict")).to_have_count(0)
    expect(card.locator(".save-state")).to_contain_text("Đã lưu")
    first.reload()
    expect(field(first, "1.2")).to_have_value("5")
