"""The coordinator's live ranking keeps what it works out over every unit (the ranking table, its
sorted rows, the levels, the year-on-year statistics, each page's rendered rows, charts and
findings) per results (results.derived): the same page is the same bytes until the results, the
previous period's results, the thresholds or the groups' names change, and then the change is
seen at once."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation

from opendti.accounts.models import User
from opendti.assessments.access import access_submission
from opendti.assessments.services import answer_get, answer_save
from opendti.frameworks.models import Node
from opendti.periods.models import Period, RankingGroup
from opendti.results import derived
from opendti.results.demo import OPEN_PERIOD
from opendti.results.levels import thresholds_set
from tests.results.fresh import period_score

pytestmark = pytest.mark.django_db

URL = f"/ky/{OPEN_PERIOD}/ket-qua/"
TOKEN = re.compile(r'value="[A-Za-z0-9]{64}"|"X-CSRFToken": "[^"]+"')


def page(client, address: str = URL) -> str:
    response = client.get(address)
    assert response.status_code == 200
    return TOKEN.sub("", response.content.decode())  # the reader's own CSRF token


def row_of(html: str, unit: str) -> str:
    return (
        html.split('<table id="ranking"', 1)[1]
        .split(f'data-unit="{unit}"', 1)[1]
        .split("</tr>", 1)[0]
    )


def vi(number: Decimal) -> str:
    return str(number).replace(".", ",")


def test_a_saved_value_is_seen_on_the_next_request(coordinator) -> None:
    first = page(coordinator)
    assert page(coordinator) == first  # kept: the same bytes
    focal = User.objects.get(username="daumoi")
    submission = access_submission(focal, OPEN_PERIOD, "xa-hoa-binh")
    node = Node.objects.get(framework=submission.participation.period.framework, code="1.2")
    answer_save(
        submission=submission,
        node=node,
        raw={"": "6"},
        version=answer_get(submission, node).version,
        actor=focal,
    )
    _, now = period_score(period=Period.objects.get(code=OPEN_PERIOD))
    after = page(coordinator)
    assert after != first
    assert vi(now.unit("xa-hoa-binh").total) in row_of(after, "xa-hoa-binh")
    assert row_of(after, "xa-hoa-binh") != row_of(first, "xa-hoa-binh")


def test_thresholds_and_group_names_are_seen(coordinator) -> None:
    before = page(coordinator)
    levels = before.split('id="component-levels"', 1)[1].split("</section>", 1)[0]
    assert "Có điểm, chưa phân mức" in levels
    thresholds_set(
        period=Period.objects.get(code=OPEN_PERIOD),
        actor=User.objects.get(username="dieuphoi"),
        good=Decimal(70),
        fair=Decimal(40),
        reason="kiểm thử",
    )
    levels = page(coordinator).split('id="component-levels"', 1)[1].split("</section>", 1)[0]
    assert "Khá" in levels and "Có điểm, chưa phân mức" not in levels
    group = RankingGroup.objects.filter(period__code=OPEN_PERIOD).first()
    assert group is not None
    RankingGroup.objects.filter(pk=group.pk).update(name="Nhóm đổi tên")  # not a result
    levels = page(coordinator).split('id="component-levels"', 1)[1].split("</section>", 1)[0]
    assert "Nhóm đổi tên" in levels


def test_each_page_sort_and_language_has_its_own_parts(coordinator) -> None:
    first, second = page(coordinator), page(coordinator, URL + "?sap-xep=ten")
    assert first != second
    assert page(coordinator) == first and page(coordinator, URL + "?sap-xep=ten") == second
    english = page(coordinator, "/en" + URL)
    assert "Ranking" in english and "Xếp hạng theo" not in english.split("<main>", 1)[1]


def test_a_kept_value_is_built_again_for_another_comparison_or_language() -> None:
    built = []

    def build() -> int:
        built.append(1)
        return len(built)

    key = (1, "settled", 7, "")
    one, other = object(), object()
    assert derived.kept(key, "n", build, against=one) == 1
    assert derived.kept(key, "n", build, against=one) == 1
    assert derived.kept(key, "n", build, against=other) == 2  # another previous period's change
    assert derived.kept((1, "settled", 8, ""), "n", build, against=one) == 3  # a new revision
    assert derived.kept(key, "n", build, against=one, extra=("x",)) == 4
    with translation.override("en"):
        assert derived.kept(key, "n", build, against=one) == 5
