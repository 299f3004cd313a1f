"""Chart data from the engine's output: the demo Đắk Nông 2023 districts, scored by the engine."""

from __future__ import annotations

import csv
import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string

from opendti.results.charts import (
    BAND_PALETTE,
    MISSING,
    NO_BAND,
    band_colors,
    band_distribution_chart,
    main_index_chart,
    main_indices,
    ranking_chart,
    trend_chart,
    unit_profile_chart,
)
from opendti.scoring import score_period
from opendti.scoring.model import Assessment, PeriodResult
from opendti.workbook.parse import parse_workbook
from opendti.workbook.sheets import read_workbook

ROOT = Path(__file__).resolve().parents[2]
WORKBOOK = ROOT / "src/opendti/demo/workbooks/daknong-2023-districts"
PUBLISHED = ROOT.parent / "shared/data/published/daknong-2023/table3_districts.csv"


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return parse_workbook(read_workbook(WORKBOOK)).assessment


@pytest.fixture(scope="module")
def result(assessment: Assessment) -> PeriodResult:
    return score_period(assessment)


@pytest.fixture(scope="module")
def bands(assessment: Assessment) -> list[str]:
    scheme = assessment.framework.total_bands
    assert scheme is not None
    return [band.label for band in scheme.bands]


def plain(value: object) -> None:
    """Only JSON's own types: no Decimal, no float, no lazy string."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) is str
            plain(item)
    elif isinstance(value, list):
        for item in value:
            plain(item)
    else:
        assert value is None or type(value) in (str, int, bool), (value, type(value))


def test_ranking_follows_the_engine_in_rank_order(result: PeriodResult, bands: list[str]) -> None:
    chart = ranking_chart(result, bands=bands)
    plain(chart)
    ranked = sorted((u for u in result.units if u.rank is not None), key=lambda u: u.rank or 0)
    assert chart["labels"] == [u.name for u in ranked]
    [totals] = chart["datasets"]
    assert totals["values"] == [str(u.total) for u in ranked]
    assert [Decimal(v) for v in totals["values"]] == sorted(
        (Decimal(v) for v in totals["values"]), reverse=True
    )
    assert totals["values"][0] == str(result.unit("dak-song").total) == "685.21"
    assert [row[0] for row in chart["table"]["rows"]] == [str(u.rank) for u in ranked]
    assert chart["table"]["rows"][0][1] == "UBND huyện Đắk Song"


def test_ranking_agrees_with_the_published_table(result: PeriodResult, bands: list[str]) -> None:
    if not PUBLISHED.exists():
        pytest.fail(f"the published tables are expected at {PUBLISHED}")
    with PUBLISHED.open(encoding="utf-8") as f:
        published = [row for row in csv.DictReader(f) if row["rank"]]
    chart = ranking_chart(result, bands=bands)
    assert chart["labels"] == [row["unit"] for row in published]
    assert [row[3] for row in chart["table"]["rows"]] == [row["band"] for row in published]
    # The report prints Cư Jút's total as 387.96, but its own main indices add up to 387.87,
    # which the engine computes; every other total is the published one.
    engine = chart["datasets"][0]["values"]
    differ = [
        row["unit"] for row, ours in zip(published, engine, strict=True) if row["total"] != ours
    ]
    assert differ == ["UBND huyện Cư Jút"]


def test_band_colours_follow_the_band_order(result: PeriodResult, bands: list[str]) -> None:
    palette = band_colors(bands)
    assert bands == ["Tốt", "Khá", "TB", "Yếu"]
    assert palette["Tốt"] == BAND_PALETTE[0] and palette["Yếu"] == BAND_PALETTE[-1]
    order = [BAND_PALETTE.index(palette[b]) for b in bands]
    assert order == sorted(order) and len(set(order)) == len(bands)
    chart = ranking_chart(result, bands=bands)
    [totals] = chart["datasets"]
    assert totals["colors"] == [palette[row[3]] for row in chart["table"]["rows"]]
    assert chart["legend"] == [{"label": b, "color": palette[b]} for b in bands]
    assert band_colors(["Một"]) == {"Một": BAND_PALETTE[0]}


def test_ranking_within_a_group_and_without_band(result: PeriodResult, bands: list[str]) -> None:
    units = list(result.units)
    units[0] = dataclasses.replace(units[0], group="a", group_rank=1, band=None)
    units[2] = dataclasses.replace(units[2], group="a", group_rank=2)
    units[1] = dataclasses.replace(units[1], rank=None, group_rank=None, ranked=False)
    changed = dataclasses.replace(result, units=tuple(units))
    grouped = ranking_chart(changed, bands=bands, group="a")
    assert grouped["labels"] == [units[0].name, units[2].name]
    assert grouped["datasets"][0]["colors"][0] == NO_BAND
    assert grouped["table"]["rows"][0][3] == MISSING
    assert "a" in grouped["title"]
    overall = ranking_chart(changed, bands=bands)
    assert units[1].name not in overall["labels"]  # takes part, not ranked
    assert len(overall["labels"]) == len(units) - 1


def test_table_rows_equal_the_datasets(
    assessment: Assessment, result: PeriodResult, bands: list[str]
) -> None:
    ranking = ranking_chart(result, bands=bands)
    # Tables and tooltips write numbers for people (685,21); the drawing reads 685.21.
    assert [r[2] for r in ranking["table"]["rows"]] == ranking["datasets"][0]["texts"]
    assert all(
        text == value.replace(".", ",")
        for text, value in zip(
            ranking["datasets"][0]["texts"], ranking["datasets"][0]["values"], strict=True
        )
    )
    assert [r[1] for r in ranking["table"]["rows"]] == ranking["labels"]

    # Main indices: a row per dataset (unit, then the average), a column per label.
    indices = main_index_chart(assessment, result)
    rows = indices["table"]["rows"]
    assert [r[0] for r in rows] == [d["label"] for d in indices["datasets"]]
    assert [r[1:] for r in rows] == [
        [MISSING if t is None else t for t in d["texts"]] for d in indices["datasets"]
    ]
    assert len(indices["table"]["header"]) == len(indices["labels"]) + 1

    # Profile, band distribution, trend: a row per label, a column per dataset.
    charts = [
        unit_profile_chart(assessment, result, "gia-nghia"),
        band_distribution_chart(result, bands),
        trend_chart([("2022", result), ("2023", result)], "gia-nghia"),
    ]
    for chart in charts:
        plain(chart)
        assert [r[0] for r in chart["table"]["rows"]] == chart["labels"]
        columns = [list(col) for col in zip(*(r[1:] for r in chart["table"]["rows"]), strict=True)]
        texts = [[MISSING if t is None else t for t in d["texts"]] for d in chart["datasets"]]
        assert columns == texts
        assert chart["table"]["header"][1:] == [d["label"] for d in chart["datasets"]]


def test_main_index_chart_gives_each_units_scores(
    assessment: Assessment, result: PeriodResult
) -> None:
    chart = main_index_chart(assessment, result)
    plain(chart)
    codes = [n.code for n in main_indices(assessment)]
    assert len(codes) == 8
    assert chart["labels"][0] == "Nhận thức số"
    *units, average = chart["datasets"]
    assert [d["label"] for d in units] == [u.name for u in result.units]
    for unit, dataset in zip(result.units, units, strict=True):
        assert dataset["values"] == [str(unit.nodes[c]) for c in codes]
    assert average["values"] == [str(result.averages.nodes[c]) for c in codes]
    assert len({d["color"] for d in units}) == len(units)


def test_profile_against_the_average_and_the_best(
    assessment: Assessment, result: PeriodResult
) -> None:
    chart = unit_profile_chart(assessment, result, "gia-nghia")
    own, average, best = chart["datasets"]
    nodes = main_indices(assessment)
    assert chart["labels"] == [n.name for n in nodes]
    assert own["label"] == "UBND thành phố Gia Nghĩa"
    for i, node in enumerate(nodes):
        scores = [u.nodes[node.code] for u in result.units]
        assert all(s is not None for s in scores)
        points = [s for s in scores if s is not None]
        top = max(points) / node.max_points * 100
        mean = sum(points, Decimal(0)) / len(points) / node.max_points * 100
        assert Decimal(best["values"][i]) == top.quantize(Decimal("0.01"))
        # The engine rounds the mean of the points, then the percent: a cent at most apart.
        assert abs(Decimal(average["values"][i]) - mean) <= Decimal("0.01")
        unit = result.unit("gia-nghia")
        assert Decimal(own["values"][i]) == (
            unit.nodes[node.code] / node.max_points * 100  # type: ignore[operator]
        ).quantize(Decimal("0.01"))
    # Gia Nghĩa: 95.75 of 100 on Hạ tầng số; Đắk Song's 103.70 of 150 is the best economy score.
    assert own["values"][2] == "95.75"
    assert best["values"][6] == "69.13"
    assert chart["max"] == "100"


def test_profile_of_a_unit_missing_an_index(assessment: Assessment, result: PeriodResult) -> None:
    units = list(result.units)
    nodes = dict(units[0].nodes)
    nodes["hoat_dong_kinh_te_so"] = None
    units[0] = dataclasses.replace(units[0], nodes=nodes)
    changed = dataclasses.replace(result, units=tuple(units))
    own, _average, best = unit_profile_chart(assessment, changed, units[0].code)["datasets"]
    assert own["values"][6] is None
    assert best["values"][6] == "64.92"  # Đắk Glong's 97.38 of 150, now the best
    with pytest.raises(KeyError):
        unit_profile_chart(assessment, result, "no-such-unit")


def test_band_distribution_is_the_engines_count(result: PeriodResult, bands: list[str]) -> None:
    chart = band_distribution_chart(result, bands)
    plain(chart)
    assert chart["labels"] == bands
    [counts] = chart["datasets"]
    assert counts["values"] == [str(result.band_counts[b]) for b in bands]
    assert dict(zip(bands, counts["values"], strict=True)) == {
        "Tốt": "0",
        "Khá": "3",
        "TB": "3",
        "Yếu": "2",
    }
    assert counts["colors"] == [band_colors(bands)[b] for b in bands]


def test_trend_gives_null_where_the_unit_is_missing(result: PeriodResult) -> None:
    without = dataclasses.replace(
        result, units=tuple(u for u in result.units if u.code != "cu-jut")
    )
    series = [("2021", result), ("2022", without), ("2023", result)]
    chart = trend_chart(series, "cu-jut")
    plain(chart)
    assert chart["labels"] == ["2021", "2022", "2023"]
    own, average = chart["datasets"]
    total = str(result.unit("cu-jut").total)
    assert own["values"] == [total, None, total]
    assert own["label"] == "UBND huyện Cư Jút"
    assert average["values"] == [str(result.averages.total)] * 3
    assert chart["table"]["rows"][1] == [
        "2022",
        MISSING,
        str(result.averages.total).replace(".", ","),  # the table is for people
    ]
    nowhere = trend_chart([("2022", without)], "cu-jut")
    assert nowhere["datasets"][0]["values"] == [None]


def test_partial_renders_the_figure_the_data_and_the_table(
    result: PeriodResult, bands: list[str]
) -> None:
    chart = ranking_chart(result, bands=bands)
    html = render_to_string(
        "portal/charts/chart.html", {"chart": chart, "chart_id": "ranking-chart", "kind": "bar"}
    )
    assert '<figure class="chart" id="ranking-chart" data-chart="ranking-chart-data"' in html
    assert f'<canvas role="img" aria-label="{chart["title"]}">' in html
    assert "<summary>Số liệu của biểu đồ</summary>" in html
    assert '<table class="chart-table">' in html
    start = html.index('<script id="ranking-chart-data" type="application/json">')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    assert json.loads(body) == json.loads(json.dumps(chart, cls=DjangoJSONEncoder))
    assert '<th scope="row" class="name">UBND huyện Đắk Song</th><td>685,21</td>' in html
    assert html.count("<tr>") == len(chart["table"]["rows"]) + 1


def test_scripts_partial_serves_our_own_files() -> None:
    html = render_to_string("portal/charts/scripts.html")
    assert "vendor/chartjs/chart.umd.min.js" in html and "opendti/charts.js" in html
    assert "http" not in html  # no CDN


def test_the_vendored_library_is_there_and_calls_no_cdn() -> None:
    folder = ROOT / "src/opendti/static/vendor/chartjs"
    library = (folder / "chart.umd.min.js").read_text(encoding="utf-8")
    assert library.startswith("/*!\n * Chart.js v4.")
    assert "sourceMappingURL" not in library
    assert (folder / "LICENSE.md").is_file()
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert library.split("\n")[1].removeprefix(" * Chart.js v") in readme
    ours = (ROOT / "src/opendti/static/opendti/charts.js").read_text(encoding="utf-8")
    assert "http" not in ours
