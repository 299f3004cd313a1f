"""What the public sees: a period's results only once published (404 before, as for a period that
does not exist), the published periods on the home page, and a what-if that writes nothing. The
people who may see provisional results see them marked for what they are at every step."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from opendti.assessments.models import AppraisedScore, Change, InputValue
from opendti.periods.models import Period
from opendti.publication.demo import demo_load_all
from tests.login import login
from tests.results.fresh import period_score

from .conftest import PERIOD, STEPS, UNIT, advance, api_results, forget_cached_results, ranking

pytestmark = pytest.mark.django_db

PAGES = [
    f"/ky/{PERIOD}/ket-qua/",
    f"/ky/{PERIOD}/ket-qua/don-vi/{UNIT}/",
    f"/ky/{PERIOD}/ket-qua/do-on-dinh/",
]
PROVISIONAL = "Kết quả dự kiến"
APPROVED = "Đã phê duyệt, chưa công bố"
PUBLISHED = "Công bố theo Quyết định số 15/QĐ-UBND ngày 02/03/2026"


def logged_in(user) -> Client:
    client = Client()
    login(client, user)
    return client


def test_the_public_sees_a_period_only_once_published(people) -> None:
    period = Period.objects.get(code=PERIOD)
    public, focal, coordinator = Client(), logged_in(people.daumoi), logged_in(people.dieuphoi)
    approver = logged_in(people.pheduyet)
    marks = {
        Period.Status.APPRAISAL: PROVISIONAL,
        Period.Status.REPLY: PROVISIONAL,
        Period.Status.APPROVAL: PROVISIONAL,
        Period.Status.APPROVED: APPROVED,
        Period.Status.PUBLISHED: PUBLISHED,
    }
    for status in STEPS:
        advance(period, people, status)
        for url in PAGES:
            expected = 200 if status == Period.Status.PUBLISHED else 404
            assert public.get(url).status_code == expected, (status, url)
            assert focal.get(url).status_code == expected, (status, url)
            for client in (coordinator, approver):
                response = client.get(url)
                assert response.status_code == 200, (status, url)
                assert marks[status] in response.content.decode(), (status, url)
        # The what-if is part of the scorecard: the same rule.
        what_if = public.post(PAGES[1] + "mo-phong/", {"v-1.2-": "6"})
        assert what_if.status_code == (200 if status == Period.Status.PUBLISHED else 404)
        # The API: without credentials, log in (as for any period that is not public) ...
        api = f"/api/v1/periods/{PERIOD}/results/"
        assert public.get(api).status_code == (200 if status == Period.Status.PUBLISHED else 401)
        # ... and a logged-in user without the role learns nothing of it.
        assert focal.get(api).status_code == (200 if status == Period.Status.PUBLISHED else 404)
    # Once published, the numbers are the approved ones, for everyone alike.
    _assessment, result = period_score(period=period)
    page = ranking(public, PERIOD)
    assert {u: total for u, (_r, total, _b) in page.items()} == {
        u.code: u.total for u in result.units
    }
    assert ranking(coordinator, PERIOD) == page
    assert api_results(public, PERIOD)[UNIT] == (
        result.unit(UNIT).rank,
        f"{result.unit(UNIT).total}",
        result.unit(UNIT).band,
    )
    html = public.get(PAGES[1]).content.decode()
    assert PUBLISHED in html and PROVISIONAL not in html


def test_an_unknown_period_answers_as_an_unpublished_one(people) -> None:
    public = Client()
    assert public.get("/ky/khong-co/ket-qua/").status_code == 404
    assert public.get("/api/v1/periods/khong-co/results/").status_code == 401
    assert logged_in(people.daumoi).get("/api/v1/periods/khong-co/results/").status_code == 404


def test_the_home_page_lists_the_published_periods_only(people) -> None:
    period = Period.objects.get(code=PERIOD)
    for status in STEPS[:-1]:
        advance(period, people, status)
    public, reviewer = Client(), logged_in(people.thamdinh)
    assert "published-periods" not in public.get("/").content.decode()
    assert "Chưa có kết quả nào được công bố." in public.get("/").content.decode()
    advance(period, people, Period.Status.PUBLISHED)
    for client in (public, reviewer, logged_in(people.dieuphoi)):
        html = client.get("/").content.decode()
        listed = html.split('id="published-periods"', 1)[1].split("</ul>", 1)[0]
        assert f'href="/ky/{PERIOD}/ket-qua/"' in listed
        assert period.title in listed and "Quyết định số 15/QĐ-UBND ngày 02/03/2026" in listed
        assert "2024-communes" not in listed and "2026-communes" not in listed


def test_the_demo_lists_its_four_published_periods(db) -> None:
    demo_load_all()
    html = Client().get("/").content.decode()
    listed = html.split('id="published-periods"', 1)[1].split("</ul>", 1)[0]
    for code in ("2022-provinces", "2023-departments", "2023-districts", "2024-communes"):
        assert f'href="/ky/{code}/ket-qua/"' in listed
    assert "2025-communes" not in listed  # in appraisal
    assert Client().get("/ky/2025-communes/ket-qua/").status_code == 404


def counts() -> tuple[int, int, int]:
    return InputValue.objects.count(), AppraisedScore.objects.count(), Change.objects.count()


def test_the_what_if_on_published_results_writes_nothing(people) -> None:
    period = Period.objects.get(code=PERIOD)
    for status in STEPS:
        advance(period, people, status)
    public = Client()
    published = ranking(public, PERIOD)[UNIT][1]
    # A later edit of the live tables does not move the simulation's baseline: the snapshot does.
    InputValue.objects.filter(
        submission__participation__period=period,
        submission__participation__unit__code=UNIT,
        node__code="1.1",
    ).update(value="yes")
    forget_cached_results()
    before = counts()
    html = public.post(PAGES[1] + "mo-phong/", {"v-1.2-": "6"}).content.decode()
    assert counts() == before
    current = html.split("<td>", 2)[1].split("</td>", 1)[0]
    after = html.split('id="what-if-total">', 1)[1].split("<", 1)[0]
    assert Decimal(current.replace(",", ".")) == published
    # 1.2: one session -> six (+25 points), nothing else simulated (1.1 keeps the approved "no").
    assert Decimal(after.replace(",", ".")) - published == Decimal(25)
    # The units' inputs are not public by default: the typed value only, never the stored one.
    assert "1.2 Giá trị: 6" in html and "→" not in html


def test_the_year_comparison_shows_only_what_the_reader_may_see(people) -> None:
    # 2025 published, 2024 (its previous period) not yet: the public compares with nothing.
    later = Period.objects.get(code=PERIOD)
    for status in STEPS:
        advance(later, people, status)
    card = f"/ky/{PERIOD}/ket-qua/don-vi/xa-tan-lap/"
    html = Client().get(card).content.decode()
    assert 'id="scorecard-years"' not in html and "Chưa có kỳ đánh giá trước" in html
    coordinator = logged_in(people.dieuphoi)
    assert 'id="scorecard-years"' in coordinator.get(card).content.decode()
    # 2024 approved and published: its column comes from its snapshot, whatever the tables say.
    earlier = Period.objects.get(code="2024-communes")
    for status in STEPS:
        advance(earlier, people, status)
    first = Client().get(card).content.decode()
    assert 'id="scorecard-years"' in first
    InputValue.objects.filter(submission__participation__period=earlier).update(value="0")
    forget_cached_results()
    assert years_table(Client().get(card).content.decode()) == years_table(first)
    assert years_table(coordinator.get(card).content.decode()) == years_table(first)


def years_table(html: str) -> str:
    return html.split('id="scorecard-years"', 1)[1].split("</table>", 1)[0]
