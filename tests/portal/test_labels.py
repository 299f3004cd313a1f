"""Labels and names (issue 12, part 2): an input's label, history rows stored as codes and named in
the reader's language, ranking groups' and levels' names, and a ranking that says when it orders
by share of the applicable maximum."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import Client
from django.utils import translation

from opendti.accounts.models import User
from opendti.assessments import history_codes
from opendti.assessments.access import access_submission
from opendti.assessments.inputs import input_label
from opendti.assessments.models import Change
from opendti.assessments.services import answer_get, answer_save
from opendti.core.names import group_default_name, level_default_name
from opendti.frameworks.models import Level, Node
from opendti.periods.models import Period, RankingGroup
from opendti.periods.names import group_choices, group_names
from opendti.portal import history_text
from opendti.publication.demo import demo_load_all
from opendti.publication.services import published_snapshot
from opendti.results import charts
from opendti.results.demo import demo_load
from opendti.results.rankings import TOTAL, ranking_table, ranks_by_share
from tests.login import login
from tests.results.fresh import period_score, snapshot_scores

# --- inputs -------------------------------------------------------------------------------------


def test_an_input_is_named_by_its_label_else_by_the_rules_name_in_the_readers_language() -> None:
    assert input_label("cashless", "Số giao dịch không dùng tiền mặt") == (
        "Số giao dịch không dùng tiền mặt"
    )
    assert input_label("numerator") == "Tử số (số đạt)"
    assert input_label("") == "Giá trị"
    with translation.override("en"):
        assert input_label("denominator") == "Denominator (total)"
        assert input_label("") == "Value"


# --- history ------------------------------------------------------------------------------------


def test_history_codes_are_named_when_read_in_the_readers_language() -> None:
    adjust = history_codes.decision("adjust", score=Decimal("12.5"), state="awaiting")
    assert adjust == "decision:adjust:12.5|awaiting"
    assert history_text.text(adjust) == "điều chỉnh điểm: 12,5 — chờ thành viên thứ hai đồng ý"
    request = history_codes.decision("request", due_on=__import__("datetime").date(2026, 3, 9))
    assert history_text.text(request) == "yêu cầu bổ sung, chỉnh sửa (09/03/2026)"
    assert history_text.text(history_codes.flag(True)) == "Có"
    assert history_text.text(history_codes.CONFIRMED) == "đã xác nhận"
    assert history_text.text(history_codes.REASON_EXCEL) == "tải lên từ tệp Excel"
    assert history_text.text(history_codes.round_opened(2)) == "Mở lần thẩm định 2"
    assert history_text.text(history_codes.objection("upheld", Decimal("40"))) == "chấp nhận: 40"
    with translation.override("en"):
        assert history_text.text(history_codes.flag(False)) == "No"
        assert history_text.text(history_codes.REASON_CARRY_OVER) == (
            "carried over from the previous period"
        )
        assert history_text.text("decision:accept") == "accepted"
    # A person's own words, and rows written before the codes, read as written.
    assert history_text.text("Đã đối chiếu với báo cáo quý IV") == "Đã đối chiếu với báo cáo quý IV"
    assert history_text.text("decision:nonsense:x") == "decision:nonsense:x"


@pytest.mark.django_db
def test_a_history_row_written_in_vietnamese_reads_in_english_for_an_english_reader() -> None:
    demo_load()
    focal = User.objects.get(username="daumoi")
    submission = access_submission(focal, "2026-communes", "xa-hoa-binh")
    node = Node.objects.get(framework=submission.participation.period.framework, code="1.1")
    for flag in (True, False):
        answer_save(
            submission=submission,
            node=node,
            raw={"": "có"},
            version=answer_get(submission, node).version,
            actor=focal,
            is_estimate=flag,
        )
    rows = Change.objects.filter(submission=submission, node=node).order_by("pk")
    assert list(rows.values_list("field", "before", "after")) == [
        ("", "", "yes"),
        ("is_estimate", "no", "yes"),
        ("is_estimate", "yes", "no"),
    ]
    url = "/ky/2026-communes/don-vi/xa-hoa-binh/chi-so/1.1/lich-su/"
    client = login(Client(), focal)
    vietnamese = client.get(url).content.decode()
    english = client.get("/en" + url).content.decode()
    assert "Số liệu ước tính" in vietnamese and ">Có<" in vietnamese
    assert "Estimated figure" in english and ">Yes<" in english and ">Có<" not in english


@pytest.mark.django_db
def test_the_migration_turns_known_words_of_earlier_rows_into_codes() -> None:
    demo_load()
    focal = User.objects.get(username="daumoi")
    submission = access_submission(focal, "2026-communes", "xa-hoa-binh")
    node = Node.objects.get(framework=submission.participation.period.framework, code="1.2")
    old = [
        ("is_estimate", "không", "có", ""),
        ("is_estimate", "yes", "no", "uploaded from an Excel file"),
        ("carried_over", "chưa xác nhận", "đã xác nhận", ""),
        ("open_until", "2026-01-05", "", "Mở lần thẩm định 2"),
        ("note", "có", "không", "nhập tiếp từ kỳ trước"),  # a note is a person's words
    ]
    for field, before, after, reason in old:
        Change.objects.create(
            submission=submission,
            node=node,
            kind=Change.Kind.FLAG,
            field=field,
            before=before,
            after=after,
            reason=reason,
            actor=focal,
        )
    migration = importlib.import_module("opendti.assessments.migrations.0006_history_codes")
    migration.forwards(apps, None)
    assert list(
        Change.objects.filter(submission=submission, node=node)
        .order_by("pk")
        .values_list("field", "before", "after", "reason")
    ) == [
        ("is_estimate", "no", "yes", ""),
        ("is_estimate", "yes", "no", "system:excel_upload"),
        ("carried_over", "unconfirmed", "confirmed", ""),
        ("open_until", "2026-01-05", "", "system:round_opened:2"),
        ("note", "có", "không", "system:carry_over"),
    ]


# --- ranking groups and levels ------------------------------------------------------------------


def test_usual_codes_have_vietnamese_names_and_others_keep_their_code() -> None:
    assert group_default_name("xa") == "Xã" and group_default_name("phuong") == "Phường"
    assert group_default_name("thi_tran") == "Thị trấn"
    assert group_default_name("vung-cao") == "vung-cao"
    assert level_default_name("communes") == "Cấp xã"
    assert level_default_name("departments") == "Sở, ban, ngành"


@pytest.mark.django_db
def test_an_import_names_groups_and_levels_and_a_group_named_by_the_province_keeps_it() -> None:
    demo_load()
    period = Period.objects.select_related("framework__level").get(code="2025-communes")
    assert period.framework.level.name == "Cấp xã"
    assert dict(period.groups.values_list("code", "name")) == {"xa": "Xã", "phuong": "Phường"}
    RankingGroup.objects.filter(period=period, code="xa").update(name="Xã miền núi")
    assert group_names(period) == {"phuong": "Phường", "xa": "Xã miền núi"}
    assert group_choices(period, {"xa", "phuong", ""}) == [
        ("phuong", "Phường"),
        ("xa", "Xã miền núi"),
    ]
    for code in ("2023-districts", "2023-departments"):
        assert "—" in Period.objects.get(code=code).title
        assert not any(w in Period.objects.get(code=code).title for w in ("districts", "depart"))


@pytest.mark.django_db
def test_the_migrations_name_groups_and_levels_that_carry_their_code() -> None:
    demo_load()
    RankingGroup.objects.filter(code="phuong").update(name="phuong")
    RankingGroup.objects.filter(code="xa").update(name="Xã vùng cao")  # named: kept
    Level.objects.filter(code="communes").update(name="communes")
    importlib.import_module("opendti.periods.migrations.0009_ranking_group_names").forwards(
        apps, None
    )
    importlib.import_module("opendti.frameworks.migrations.0005_level_names").forwards(apps, None)
    assert set(RankingGroup.objects.filter(code="phuong").values_list("name", flat=True)) == {
        "Phường"
    }
    assert set(RankingGroup.objects.filter(code="xa").values_list("name", flat=True)) == {
        "Xã vùng cao"
    }
    assert Level.objects.get(code="communes").name == "Cấp xã"


# --- what the ranking orders by -----------------------------------------------------------------


@pytest.fixture
def published(db):
    demo_load_all()

    def scores(code: str):
        return snapshot_scores(published_snapshot(Period.objects.get(code=code)))

    return scores


def test_mixed_maxima_rank_by_share_and_the_table_and_chart_say_so(published) -> None:
    assert ranks_by_share(published("2024-communes").result.units)
    # 2025: wards and communes have different maxima, and the order differs from the points'.
    assessment, result = period_score(period=Period.objects.get(code="2025-communes"))
    assert ranks_by_share(result.units)
    table = ranking_table(assessment, result, view=TOTAL)
    assert table.by_share
    ranked = [r for r in table.rows if r.rank is not None]
    shares = [r.score / r.max_points for r in ranked]
    assert shares == sorted(shares, reverse=True)  # the order is the share's
    # …which is not the points' order: a lower total ranks above a higher one.
    assert any(a.score < b.score for i, a in enumerate(ranked) for b in ranked[i + 1 :])
    chart = charts.ranking_chart(result, bands=[], group=None)
    assert "tỷ lệ điểm đạt" in chart["title"]
    assert chart["table"]["header"][2:5] == [
        "Tỷ lệ điểm đạt (%)",
        "Tổng điểm",
        "Điểm tối đa áp dụng",
    ]
    wards = charts.ranking_chart(result, bands=[], group="phuong", group_name="Phường")
    assert wards["title"].endswith("nhóm Phường")


def test_equal_maxima_rank_by_points(published) -> None:
    scores = published("2023-districts")
    assert not ranks_by_share(scores.result.units)
    assert not ranking_table(scores.assessment, scores.result, view=TOTAL).by_share
    assert charts.ranking_chart(scores.result, bands=[])["title"] == "Xếp hạng theo tổng điểm"


def test_the_public_ranking_page_shows_the_applicable_maximum_first_the_share(published) -> None:
    html = Client().get("/ky/2024-communes/ket-qua/").content.decode()
    heading = html.split('<h2 id="ranking-title">', 1)[1].split("</h2>", 1)[0]
    assert heading == "Xếp hạng theo tỷ lệ điểm đạt (Tổng điểm / điểm tối đa áp dụng)"
    head = html.split('<table id="ranking"', 1)[1].split("</thead>", 1)[0]
    order = [head.index(w) for w in ("Tỷ lệ điểm đạt (%)", "Tổng điểm", "Điểm tối đa áp dụng")]
    assert order == sorted(order)
    assert 'id="ranking-basis"' in html
    districts = Client().get("/ky/2023-districts/ket-qua/").content.decode()
    assert '<h2 id="ranking-title">Xếp hạng theo Tổng điểm</h2>' in districts
    assert "Điểm tối đa áp dụng" not in districts.split('<table id="ranking"', 1)[1]


def test_the_approval_page_says_so_too(published) -> None:
    coordinator = login(Client(), User.objects.get(username="dieuphoi"))
    mixed = coordinator.get("/ky/2025-communes/phe-duyet/").content.decode()
    table = mixed.split('<table id="ranking"', 1)[1].split("</table>", 1)[0]
    assert "Điểm tối đa áp dụng" in table and 'id="ranking-basis"' in mixed
    equal = coordinator.get("/ky/2023-districts/phe-duyet/").content.decode()
    assert 'id="ranking-basis"' not in equal
    assert "Điểm tối đa áp dụng" not in equal.split('<table id="ranking"', 1)[1]
