"""The portal's pages and who may see them: deny by default, 404 for what is not yours to see."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from opendti.accounts.models import User
from opendti.accounts.roles import ROLES
from opendti.results.demo import demo_load
from tests.login import login

pytestmark = pytest.mark.django_db

ALLOWED_RESULTS = {"coordinator", "approver", "administrator"}


@pytest.fixture
def demo() -> None:
    demo_load()


def client_for(role: str | None) -> Client:
    client = Client()
    if role is not None:
        user = User.objects.filter(groups__name=role).first()
        assert user is not None
        login(client, user)
    return client


@pytest.mark.parametrize("role", [None, *ROLES])
def test_period_results_access_by_role(demo: None, role: str | None) -> None:
    # Not published (base demo): the public, logged in or not, learns nothing of the period.
    response = client_for(role).get("/ky/2023-departments/ket-qua/")
    if role in ALLOWED_RESULTS:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


def test_unknown_period_and_hidden_period_answer_alike(demo: None) -> None:
    focal = client_for("focal_point")
    assert focal.get("/ky/khong-co/ket-qua/").status_code == 404
    assert focal.get("/ky/2023-districts/ket-qua/").status_code == 404


def test_results_page_shows_the_engine_numbers(demo: None) -> None:
    html = client_for("coordinator").get("/ky/2023-districts/ket-qua/").content.decode()
    # Vietnamese number format, as the province publishes: a comma before the decimals.
    assert '<td class="score">685,21</td>' in html and "UBND huyện Đắk Song" in html
    assert "Kết quả tạm tính" in html
    assert '<td class="score">387,87</td>' in html  # the parts win over the published 387.96
    # ... and the published number that does not add up is shown, in Vietnamese, with the gap.
    assert "Tổng điểm được nhập khác tổng các chỉ số chính" in html
    assert '<span class="found">387.96</span>' in html and "(chênh lệch +0.09)" in html


def test_home_lists_periods_only_to_result_viewers(demo: None) -> None:
    assert "2023-departments" not in client_for(None).get("/").content.decode()
    assert "2023-departments" in client_for("coordinator").get("/").content.decode()
    assert "2023-departments" not in client_for("reviewer").get("/").content.decode()


def test_groups_exist_for_every_role(demo: None) -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
