"""The coordinator's targets page (portal/views/targets.py) and the progress on the scorecard and
the ranking page: numbers typed as people write them, every change kept with its reason, bad
input refused with a message naming the field and nothing saved."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opendti.periods.models import Period
from opendti.results.models import LevelThresholds, Target, TargetChange
from tests.results.fresh import period_score

pytestmark = pytest.mark.django_db

PAGE = "/ky/2025-communes/muc-tieu/"
CARD = "/ky/2025-communes/ket-qua/don-vi/xa-hoa-binh/"
RANKING = "/ky/2025-communes/ket-qua/"


def test_set_a_target_in_vietnamese_notation_and_see_it_everywhere(coordinator) -> None:
    assert coordinator.get(PAGE).status_code == 200
    response = coordinator.post(
        PAGE,
        {
            "subject": "unit:xa-hoa-binh",
            "node": "",
            "measure": "points",
            "value": "1.000,5",
            "reason": "Nghị quyết Ban Chỉ đạo",
        },
    )
    assert response.status_code == 302
    target = Target.objects.get(period__code="2025-communes")
    assert target.value == Decimal("1000.5") and target.subject == "xa-hoa-binh"
    change = TargetChange.objects.get()
    assert change.actor.username == "dieuphoi" and change.reason == "Nghị quyết Ban Chỉ đạo"
    page = coordinator.get(PAGE).content.decode()
    assert "Nghị quyết Ban Chỉ đạo" in page and "1.000,5" in page
    _assessment, result = period_score(period=Period.objects.get(code="2025-communes"))
    total = result.unit("xa-hoa-binh").total
    card = coordinator.get(CARD).content.decode()
    section = card.split('id="unit-targets"', 1)[1].split("</table>", 1)[0]
    assert 'data-reached="no"' in section
    short = numbers_vi(Decimal("1000.5") - total)
    assert f"{short} điểm" in section
    ranking = coordinator.get(RANKING).content.decode()
    assert 'id="ranking-targets"' in ranking and "Chưa đạt" in ranking


def numbers_vi(value: Decimal) -> str:
    from opendti import numbers

    return numbers.vi(value, 4, trim=True)


def test_a_group_rank_target_counts_the_group_on_the_ranking(coordinator) -> None:
    coordinator.post(
        PAGE,
        {"subject": "group:xa", "node": "", "measure": "rank", "value": "2", "reason": "Mục tiêu"},
    )
    _assessment, result = period_score(period=Period.objects.get(code="2025-communes"))
    members = [u for u in result.units if u.group == "xa"]
    reached = sum(1 for u in members if u.group_rank is not None and u.group_rank <= 2)
    ranking = coordinator.get(RANKING).content.decode()
    item = ranking.split('id="group-targets"', 1)[1].split("</li>", 1)[0]
    ranked = sum(1 for u in members if u.group_rank is not None)  # the unranked one not told
    assert ranked < len(members)
    assert f"đạt {reached}/{ranked} đơn vị được xếp hạng" in item


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("value", "1,2,3", "Giá trị mục tiêu"),
        ("value", "", "Giá trị mục tiêu: chưa nhập."),
        ("reason", "", "Lý do thay đổi: chưa nhập."),
        ("value", "2,5", "phải là số nguyên"),  # a rank
    ],
)
def test_bad_input_is_named_and_nothing_saved(coordinator, field, value, message) -> None:
    data = {"subject": "unit:xa-hoa-binh", "node": "", "measure": "rank", "value": "3",
            "reason": "Mục tiêu"}  # fmt: skip
    data[field] = value
    response = coordinator.post(PAGE, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Target.objects.exists() and not TargetChange.objects.exists()


def test_level_bounds_from_the_console_show_on_the_scorecard(coordinator) -> None:
    card = coordinator.get(CARD).content.decode()
    levels = card.split('id="unit-levels"', 1)[1].split("</section>", 1)[0]
    assert "Chưa đặt ngưỡng" in levels and "Có điểm, chưa phân mức" in levels
    response = coordinator.post(
        "/ky/2025-communes/muc-tieu/nguong/", {"good": "75", "fair": "40", "reason": "Kế hoạch"}
    )
    assert response.status_code == 302
    assert LevelThresholds.objects.get().good == Decimal(75)
    card = coordinator.get(CARD).content.decode()
    row = card.split('id="unit-levels"', 1)[1].split('data-row="xa-hoa-binh"', 1)[1]
    row = row.split("</tr>", 1)[0]
    # Counted by hand in tests/results/test_levels.py: 4 / 3 / 2 / 4 / 4 of 17.
    cells = [c.split(">", 1)[1] for c in row.split("<td")[2:]]
    assert [c.split("<", 1)[0] for c in cells] == ["4", "3", "2", "4", "4", "17"]
    refused = coordinator.post(
        "/ky/2025-communes/muc-tieu/nguong/", {"good": "30", "fair": "40", "reason": "Sai"}
    )
    assert refused.status_code == 422 and "mức trung bình &lt; mức khá" in refused.content.decode()
    assert TargetChange.objects.count() == 1


def test_a_published_period_refuses_changes(coordinator) -> None:
    Period.objects.filter(code="2025-communes").update(status=Period.Status.PUBLISHED)
    page = coordinator.get(PAGE).content.decode()
    assert 'id="targets-locked"' in page and 'id="target-form"' not in page
    response = coordinator.post(
        PAGE,
        {
            "subject": "unit:xa-hoa-binh",
            "node": "",
            "measure": "rank",
            "value": "1",
            "reason": "x",
        },
    )
    assert response.status_code == 422 and not Target.objects.exists()
