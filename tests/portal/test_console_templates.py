"""A period's framework from a framework template in the coordinator's console (docs/console.md):
the list of templates with their decision, the values the decision leaves unstated asked for and
each missing or invalid one named, the difference from last year's framework, and the
confirmation that imports the version and gives it to the period (refused once it opened)."""

from __future__ import annotations

import pytest
from django.test import Client

from opendti.accounts.models import User
from opendti.audit.models import AuditEvent
from opendti.frameworks.catalog import template_get
from opendti.frameworks.models import Framework
from opendti.periods.models import Period, PeriodChange
from tests.login import login
from tests.portal.test_console import NEW, OPEN_PERIOD, _create

SLUG = "bac-kan-1294-communes"
FOUNDATION = ["nhan_thuc_so", "the_che_so", "ha_tang_so", "nhan_luc_so", "nen_tang_5", "nen_tang_6"]
# The pillars of 1294/QĐ-UBND for communes: 600, 600 and 700 points (six foundation indices in
# each, and one activity index of its own).
VALUES = {
    "nen_tang_5.name": "Chỉ số nền tảng thử A",
    "nen_tang_6.name": "Chỉ số nền tảng thử B",
    **{f"{code}.max_points": "60" for code in FOUNDATION},
    "hoat_dong_chinh_quyen_so.max_points": "240",
    "hoat_dong_kinh_te_so.max_points": "240",
    "hoat_dong_xa_hoi_so.max_points": "340",
}


def _form(values: dict[str, str]) -> dict[str, str]:
    """The supplements as the page's fields (v0, v1, … in the template's order)."""
    keys = template_get(SLUG).missing_keys
    return {f"v{i}": values.get(key, "") for i, key in enumerate(keys)}


def _url(period: str, tail: str = "") -> str:
    return f"/ky/{period}/bo-chi-so/mau/{tail}"


def test_the_templates_are_listed_with_their_decision(coordinator):
    page = coordinator.get(_url(OPEN_PERIOD)).content.decode()
    assert f'data-template="{SLUG}"' in page
    assert "1294/QĐ-UBND, 14/07/2022, UBND tỉnh Bắc Kạn" in page
    assert 'data-template="dak-nong-1552-districts"' in page
    assert _url(OPEN_PERIOD, f"{SLUG}/") in page
    _create(coordinator)  # a period that has not opened: the form of the missing values
    form = coordinator.get(_url(NEW, f"{SLUG}/")).content.decode()
    assert "tên của chỉ số chính nen_tang_5" in form and 'name="v10"' in form
    assert coordinator.get(_url(OPEN_PERIOD, "khong-co/")).status_code == 404


def test_missing_and_invalid_values_are_named_and_nothing_is_written(coordinator):
    _create(coordinator)
    versions = Framework.objects.count()
    partial = {k: v for k, v in VALUES.items() if k != "nen_tang_6.name"}
    response = coordinator.post(_url(NEW, f"{SLUG}/"), _form(partial))
    page = response.content.decode()
    assert response.status_code == 422
    assert "nen_tang_6.name: tên của chỉ số chính nen_tang_6" in page
    assert 'id="template-confirm"' not in page
    assert "Chỉ số nền tảng thử A" in page  # what was typed is kept
    wrong = coordinator.post(_url(NEW, f"{SLUG}/"), _form(VALUES | {"the_che_so.max_points": "x"}))
    assert wrong.status_code == 422 and "the_che_so.max_points" in wrong.content.decode()
    assert Framework.objects.count() == versions


def test_the_difference_then_the_confirmation(coordinator):
    _create(coordinator)
    period = Period.objects.get(code=NEW)
    old = period.framework
    last_year = Period.objects.get(code=OPEN_PERIOD).framework
    versions = Framework.objects.count()
    response = coordinator.post(_url(NEW, f"{SLUG}/"), _form(VALUES))
    page = response.content.decode()
    assert response.status_code == 200, page[:3000]
    assert Framework.objects.count() == versions  # the preview wrote nothing
    assert 'data-kind="added" data-code="nen_tang_5"' in page
    assert 'data-kind="removed"' in page  # last year's indices are not in the template
    assert f"phiên bản {last_year.version}:" in page
    confirm = coordinator.post(
        _url(NEW, f"{SLUG}/xac-nhan/"), _form(VALUES) | {"seen_framework": old.pk}
    )
    assert confirm.status_code == 302, confirm.content.decode()[:3000]
    period.refresh_from_db()
    new = period.framework
    assert (new.code, new.year, new.decision_number) == ("bac-kan-xa", 2027, "1294/QĐ-UBND")
    assert new.nodes.get(code="nen_tang_5").name == "Chỉ số nền tảng thử A"
    assert new.nodes.get(code="hoat_dong_xa_hoi_so").max_points == 340
    history = PeriodChange.objects.get(period=period, kind="framework")
    assert history.detail["template"] == SLUG and history.detail["framework"] == [old.pk, new.pk]
    assert AuditEvent.objects.filter(kind="period_configured", target=f"period:{NEW}").count() == 2
    # The same confirmation again: the period's framework changed since that preview.
    again = coordinator.post(
        _url(NEW, f"{SLUG}/xac-nhan/"), _form(VALUES) | {"seen_framework": old.pk}
    )
    assert again.status_code == 422 and Framework.objects.count() == versions + 1


def test_a_template_of_another_level_is_refused(coordinator):
    _create(coordinator)
    response = coordinator.post(_url(NEW, "dak-nong-1552-districts/"), {})
    assert response.status_code == 422
    assert "không dùng được cho kỳ" in response.content.decode()


def test_an_opened_period_keeps_its_framework(coordinator):
    period = Period.objects.get(code=OPEN_PERIOD)
    before = period.framework_id
    page = coordinator.get(_url(OPEN_PERIOD, f"{SLUG}/")).content.decode()
    assert 'id="period-opened"' in page and 'id="template-supplements"' not in page
    response = coordinator.post(
        _url(OPEN_PERIOD, f"{SLUG}/xac-nhan/"), _form(VALUES) | {"seen_framework": before}
    )
    assert response.status_code == 409
    period.refresh_from_db()
    assert period.framework_id == before


@pytest.mark.parametrize("username", ["daumoi", "lanhdao", "thamdinh", "pheduyet"])
def test_others_get_404(coordinator, username):
    client = Client()
    login(client, User.objects.get(username=username))
    assert client.get(_url(OPEN_PERIOD)).status_code == 404
    assert client.get(_url(OPEN_PERIOD, f"{SLUG}/")).status_code == 404
    assert client.post(_url(OPEN_PERIOD, f"{SLUG}/xac-nhan/"), _form(VALUES)).status_code == 404
