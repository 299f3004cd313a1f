"""Year-on-year statistics and the sentences provinces write from them (issue 16, part 1).

The periods are built to match the seeds' numbers; each test quotes the seed sentence it
reproduces. The change between the periods comes from scoring.compare.compare_periods, the one
way the project follows units into the previous period."""

from __future__ import annotations

from decimal import Decimal

from opendti.results.year_on_year import sentences, year_on_year
from opendti.scoring.compare import compare_periods
from opendti.scoring.model import Averages, PeriodResult, UnitResult

D = Decimal
BANDS = ("Tốt", "Khá", "Trung bình", "Yếu")


def _unit(code: str, total: str, band: str | None, group: str = "SO") -> UnitResult:
    return UnitResult(
        code=code,
        name=f"Đơn vị {code}",
        group=group,
        ranked=True,
        total=D(total),
        max_points=D(1000),
        percent=D(total) / 10,
        index=D(total) / 1000,
        band=band,
        rank=None,
        group_rank=None,
        nodes={},
        node_max={},
        pillars={},
    )


def _averages(total: str | None) -> Averages:
    return Averages(D(total) if total is not None else None, None, {}, {})


def _result(units: list[UnitResult], averages: dict[str, str]) -> PeriodResult:
    return PeriodResult(
        units=tuple(units),
        averages=_averages(averages.get("")),
        group_averages={g: _averages(a) for g, a in averages.items() if g},
        band_counts={},
        pillar_band_counts={},
        findings=(),
    )


def test_ninh_binh_district_average_in_points_and_percent() -> None:
    # Seed 001: "điểm trung bình năm 2021 là 381,21 điểm và năm 2022 là 521,76 điểm tăng
    # 140,55 điểm" and "tối thiểu là tăng 86,73 điểm và tối đa là tăng 191,75 điểm".
    before = _result(
        [_unit("A", "300.00", "Trung bình", "H"), _unit("B", "462.42", "Khá", "H")],
        {"H": "381.21"},
    )
    after = _result(
        [_unit("A", "491.75", "Khá", "H"), _unit("B", "549.15", "Khá", "H")],
        {"H": "521.76"},
    )
    stats = year_on_year(
        after, before, compare_periods(after, before), bands=BANDS, group_names={"H": "Huyện"}
    )
    (group,) = stats.groups
    assert group.change == D("140.55")
    assert group.previous_average + group.change == group.average  # type: ignore[operator]
    assert group.percent_change == D("36.9")  # 140,55 / 381,21 = 36,87 %
    assert group.most_change == D("191.75") and group.most_improved == ("Đơn vị A",)
    assert group.least_change == D("86.73") and group.least_improved == ("Đơn vị B",)
    text = sentences(stats)
    assert text[0] == (
        "Điểm trung bình của nhóm Huyện tăng 140,55 điểm so với năm trước (tăng 36,9%), "
        "từ 381,21 điểm lên 521,76 điểm."
    )
    assert "Đơn vị A tăng nhiều nhất (tăng 191,75 điểm)." in text
    assert "Đơn vị B tăng ít nhất (tăng 86,73 điểm)." in text


def test_brief_sentence_and_band_counts_from_9_of_20_to_19_of_20() -> None:
    # "Điểm trung bình của nhóm Sở, ban, ngành tăng 52,31 điểm so với năm trước (tăng 10,2%)";
    # "từ 9/20 đơn vị đạt loại Khá lên 19/20".
    codes = [f"S{i:02d}" for i in range(20)]
    before = _result(
        [_unit(c, "500", "Khá" if i < 9 else "Trung bình") for i, c in enumerate(codes)],
        {"SO": "512.50"},
    )
    after = _result(
        [_unit(c, "560", "Khá" if i < 19 else "Trung bình") for i, c in enumerate(codes)],
        {"SO": "564.81"},
    )
    stats = year_on_year(
        after,
        before,
        compare_periods(after, before),
        bands=BANDS,
        group_names={"SO": "Sở, ban, ngành"},
    )
    (group,) = stats.groups
    text = sentences(stats)
    assert text[0].startswith(
        "Điểm trung bình của nhóm Sở, ban, ngành tăng 52,31 điểm so với năm trước (tăng 10,2%)"
    )
    assert any("từ 9/20 đơn vị đạt loại Khá lên 19/20" in s for s in text)
    assert any("từ 11/20 đơn vị đạt loại Trung bình xuống 1/20" in s for s in text)
    assert dict(group.band_counts)["Khá"] == 19
    assert dict(group.previous_band_counts)["Khá"] == 9
    assert group.transitions == (
        ("Khá", "Khá", 9),
        ("Trung bình", "Khá", 10),
        ("Trung bình", "Trung bình", 1),
    )
    assert sum(n for _, _, n in group.transitions) == group.units
    assert len(group.band_changes) == 10
    # Every unit gained 60 points: the ties are all listed, and no "least" sentence repeats them.
    assert len(group.most_improved) == 20
    assert not any("ít nhất" in s for s in text)


def test_dak_nong_districts_decrease() -> None:
    # Seed 004: "Giá trị trung bình của DTI các huyện, thành phố là 559,11 điểm, so với năm
    # 2022 điểm trung bình DTI giảm 31,45 điểm".
    before = _result(
        [_unit("X", "600.00", "Khá", "H"), _unit("Y", "581.12", "Khá", "H")], {"H": "590.56"}
    )
    after = _result(
        [_unit("X", "580.00", "Khá", "H"), _unit("Y", "538.22", "Trung bình", "H")],
        {"H": "559.11"},
    )
    stats = year_on_year(
        after,
        before,
        compare_periods(after, before),
        bands=BANDS,
        group_names={"H": "Huyện, thành phố"},
    )
    (group,) = stats.groups
    assert group.change == D("-31.45")
    assert group.percent_change == D("-5.3")
    text = sentences(stats)
    assert text[0] == (
        "Điểm trung bình của nhóm Huyện, thành phố giảm 31,45 điểm so với năm trước "
        "(giảm 5,3%), từ 590,56 điểm xuống 559,11 điểm."
    )
    assert "Đơn vị X giảm ít nhất (giảm 20,00 điểm)." in text
    assert "Đơn vị Y giảm nhiều nhất (giảm 42,90 điểm)." in text
    assert [(m.unit, m.previous_band, m.band) for m in group.band_changes] == [
        ("Y", "Khá", "Trung bình")
    ]


def test_units_new_gone_and_through_lineage_are_counted_apart() -> None:
    # M was merged from P and Q: compared with their mean, but not a band transition.
    before = _result(
        [
            _unit("A", "400", "Trung bình"),
            _unit("P", "300", "Trung bình"),
            _unit("Q", "500", "Khá"),
            _unit("G", "200", "Yếu"),
        ],
        {"SO": "350"},
    )
    after = _result(
        [_unit("A", "450", "Trung bình"), _unit("M", "480", "Khá"), _unit("N", "100", "Yếu")],
        {"SO": "343.33"},
    )
    change = compare_periods(after, before, {"M": ("P", "Q")})
    (group,) = year_on_year(after, before, change, bands=BANDS).groups
    assert group.new_units == ("Đơn vị M", "Đơn vị N")
    assert group.gone_units == ("Đơn vị P", "Đơn vị Q", "Đơn vị G")
    assert group.transitions == (("Trung bình", "Trung bình", 1),)
    moves = {m.unit: m for m in group.moves}
    assert moves["M"].via == "lineage" and moves["M"].change == D("80.00")
    assert moves["N"].via == "none" and moves["N"].change is None
    # N has no predecessor: not among the most or least improved.
    assert group.most_improved == ("Đơn vị M",) and group.most_change == D("80.00")
    assert group.least_improved == ("Đơn vị A",)
    assert group.name == "SO"  # no name given: its code


def test_without_groups_and_zero_previous_average() -> None:
    before = _result([_unit("A", "0", "Yếu", "")], {"": "0"})
    after = _result([_unit("A", "10", "Yếu", "")], {"": "10"})
    stats = year_on_year(after, before, compare_periods(after, before), bands=BANDS)
    (group,) = stats.groups
    assert group.percent_change is None
    assert sentences(stats)[0] == (
        "Điểm trung bình của các đơn vị tăng 10 điểm so với năm trước, từ 0 điểm lên 10 điểm."
    )
