"""Bands decided on the exact share (issue 11): at and around every bound, with uneven maxima and
pillar maxima that differ; `band_on: displayed`; the percent detail shown where the rounded
percent reads into another band; and the points a unit needs for the next band."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opendti.scoring import score_period
from opendti.scoring.bands import band_for, classify, percent_detail, points_to_band
from opendti.scoring.model import BandScheme, PeriodResult

from .builders import D, assessment, node, scheme

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
# Uneven maxima of real frameworks (Bắc Kạn's pillars 600/560/580, communes 940, Đắk Nông 1000
# less what is not deployed) and a few awkward ones.
MAXIMA = (D(940), D(560), D(580), D(800), D(600), D(700), D(1000), D("583.5"), D(7), D(3))

# Bắc Kạn, decision 1294/QĐ-UBND (seed 002): "Mức dẫn dắt là đơn vị có tổng điểm đánh giá lớn hơn
# 75% tổng điểm; mức nâng cao ... lớn hơn 50% tổng điểm và nhỏ hơn hoặc bằng 75% tổng điểm; mức
# hình thành ... lớn hơn 25% tổng điểm và nhỏ hơn hoặc bằng 50% tổng điểm; mức khởi động ... nhỏ
# hơn hoặc bằng 25% tổng điểm."
BAC_KAN = scheme(
    "percent",
    ("Dẫn dắt", 75, False),
    ("Nâng cao", 50, False),
    ("Hình thành", 25, False),
    ("Khởi động", None, True),
)
# The four-band scheme "Tốt từ 90% điểm trở lên, Khá từ 70% đến dưới 90%, Trung bình từ 50% đến
# dưới 70%, Yếu dưới 50%" (the product specification's example, issue 11's "từ 90% điểm trở lên").
FROM_90 = scheme(
    "percent",
    ("Tốt", 90, True),
    ("Khá", 70, True),
    ("Trung bình", 50, True),
    ("Yếu", None, True),
)


def _share(score: Decimal, maximum: Decimal) -> Fraction:
    return Fraction(score) * 100 / Fraction(maximum) if maximum else Fraction(0)


def _half_up(value: Fraction, decimals: int) -> Decimal:
    return Decimal(math.floor(value * 10**decimals + Fraction(1, 2))).scaleb(-decimals)


def _expected(value: Fraction, bands: BandScheme) -> str:
    """The highest band whose lower bound `value` reaches, from the wording: "lớn hơn" is >,
    "từ … trở lên" is ≥."""
    for band in bands.bands:
        if band.lower is None:
            return band.label
        if value > band.lower or (band.lower_inclusive and value == Fraction(band.lower)):
            return band.label
    raise AssertionError("a scheme ends with an open band")


# --- the examples -------------------------------------------------------------------------


def test_more_than_75_percent_is_the_higher_band_though_it_rounds_to_75() -> None:
    # 600.01 of 800 is 75.00125 %: more than 75 %, shown as 75.00.
    result = score_period(
        assessment([node("m", 800)], ["a"], scores={"m": {"a": "600.01"}}, total_bands=BAC_KAN)
    )
    a = result.unit("a")
    assert (a.percent, a.band, a.percent_detail) == (D("75.00"), "Dẫn dắt", D("75.001"))


def test_89_996_percent_is_not_90_or_more_though_it_rounds_to_90() -> None:
    # 899.96 of 1000 is 89.996 %, shown as 90.00.
    result = score_period(
        assessment([node("m", 1000)], ["a"], scores={"m": {"a": "899.96"}}, total_bands=FROM_90)
    )
    a = result.unit("a")
    assert (a.percent, a.band, a.percent_detail) == (D("90.00"), "Khá", D("89.996"))


def test_a_period_that_classifies_on_the_displayed_percent() -> None:
    rows = {"a": "600.01", "b": "899.96"}
    for bands, code, shown in ((BAC_KAN, "a", "Nâng cao"), (FROM_90, "b", "Tốt")):
        result = score_period(
            assessment(
                [node("m", 800 if code == "a" else 1000)],
                [code],
                scores={"m": {code: rows[code]}},
                total_bands=bands,
                band_on="displayed",
            )
        )
        unit = result.unit(code)
        assert (unit.band, unit.percent_detail) == (shown, None)


def test_exactly_on_a_bound_is_decided_by_the_bound_kind_in_both_modes() -> None:
    for band_on in ("exact", "displayed"):
        result = score_period(
            assessment(
                [node("m", 940)],
                ["on75", "on90"],
                scores={"m": {"on75": 705, "on90": 846}},  # 75 % and 90 % of 940
                total_bands=BAC_KAN,
                band_on=band_on,
            )
        )
        assert result.unit("on75").band == "Nâng cao"  # "nhỏ hơn hoặc bằng 75%"
        assert result.unit("on75").percent_detail is None
    result = score_period(
        assessment([node("m", 940)], ["a"], scores={"m": {"a": 846}}, total_bands=FROM_90)
    )
    assert result.unit("a").band == "Tốt"  # "từ 90% trở lên"


def test_pillar_bands_are_exact_on_each_pillars_own_max() -> None:
    # Bắc Kạn districts: pillars of 600, 560 and 580 points. 420.01 of 560 is 75.00179 %.
    nodes = [
        node("cqs", 600, pillars=["p_cqs"]),
        node("kts", 560, pillars=["p_kts"]),
        node("xhs", 580, pillars=["p_xhs"]),
    ]
    result = score_period(
        assessment(
            nodes,
            ["a"],
            pillars=["p_cqs", "p_kts", "p_xhs"],
            scores={"cqs": {"a": "450"}, "kts": {"a": "420.01"}, "xhs": {"a": "435"}},
            pillar_bands=BAC_KAN,
        )
    )
    pillars = result.unit("a").pillars
    assert (pillars["p_kts"].percent, pillars["p_kts"].band) == (D("75.00"), "Dẫn dắt")
    assert pillars["p_kts"].percent_detail == D("75.002")
    assert (pillars["p_cqs"].band, pillars["p_xhs"].band) == ("Nâng cao", "Nâng cao")  # = 75 %
    assert pillars["p_cqs"].percent_detail is None


def test_a_zero_max_is_a_zero_share() -> None:
    assert classify(D(0), D(0), BAC_KAN) == "Khởi động"
    assert classify(D(0), D(0), FROM_90) == "Yếu"
    assert percent_detail(D(0), D(0), BAC_KAN, "Khởi động", 2) is None


def test_far_more_decimals_than_shown_are_exact() -> None:
    # A share one part in 10^12 above the bound is still above it.
    maximum = D("1000000.0000")
    score = D("750000.000001")
    assert classify(score, maximum, BAC_KAN, decimals=6) == "Dẫn dắt"
    detail = percent_detail(score, maximum, BAC_KAN, "Dẫn dắt", 2)
    assert detail is not None and detail > 75
    assert band_for(detail, BAC_KAN) == "Dẫn dắt"


# --- properties at and around every bound ---------------------------------------------------------


@st.composite
def schemes(draw: st.DrawFn) -> BandScheme:
    """Bounds with up to three decimals, each inclusive or not, on percent or points."""
    basis = draw(st.sampled_from(["percent", "percent", "points"]))
    top = 100_000 if basis == "percent" else 1_000_000
    raw = draw(st.lists(st.integers(1, top - 1), min_size=1, max_size=4, unique=True))
    bounds = [Decimal(b).scaleb(-3) for b in sorted(raw, reverse=True)]
    rows = [(f"b{i}", bound, draw(st.booleans())) for i, bound in enumerate(bounds)]
    return scheme(basis, *rows, ("thấp nhất", None, True))


def _around(bands: BandScheme, maximum: Decimal, decimals: int) -> list[Decimal]:
    """Scores a step below, at and a step above every bound (in points), and the ends."""
    step = Decimal(1).scaleb(-decimals)
    found = {Decimal(0), maximum}
    for band in bands.bands:
        if band.lower is None:
            continue
        at = Fraction(band.lower) * (Fraction(maximum) / 100 if bands.basis == "percent" else 1)
        below = Decimal(math.floor(at * 10**decimals)).scaleb(-decimals)
        found |= {below - step, below, below + step, below + 2 * step}
    return sorted(s for s in found if 0 <= s <= maximum)


@given(
    schemes(),
    schemes(),
    st.sampled_from(MAXIMA),
    st.sampled_from(MAXIMA),
    st.integers(0, 3),
    st.sampled_from(["exact", "displayed"]),
)
@SETTINGS
def test_every_band_is_decided_on_the_exact_share(
    total_bands: BandScheme,
    pillar_bands: BandScheme,
    max_one: Decimal,
    max_two: Decimal,
    decimals: int,
    band_on: str,
) -> None:
    """Two main indices with their own maxima, each its own pillar: the total's and each pillar's
    band, percent detail and points to the next band, checked against the schemes' wording."""
    ones, twos = _around(pillar_bands, max_one, decimals), _around(pillar_bands, max_two, decimals)
    near_total = _around(total_bands, max_one + max_two, decimals)
    pairs = {(a, b) for a in ones for b in twos[:2] + twos[-2:]}
    pairs |= {(a, b) for b in twos for a in ones[:1]}
    pairs |= {
        (min(t, max_one), t - min(t, max_one)) for t in near_total if t - min(t, max_one) <= max_two
    }
    pairs_list = sorted(pairs)
    codes = [f"u{i}" for i in range(len(pairs_list))]
    result = score_period(
        assessment(
            [node("m1", max_one, pillars=["p1"]), node("m2", max_two, pillars=["p2"])],
            codes,
            pillars=["p1", "p2"],
            scores={
                "m1": {c: a for c, (a, _b) in zip(codes, pairs_list, strict=True)},
                "m2": {c: b for c, (_a, b) in zip(codes, pairs_list, strict=True)},
            },
            total_bands=total_bands,
            pillar_bands=pillar_bands,
            decimals=decimals,
            band_on=band_on,
        )
    )
    for code in codes:
        u = result.unit(code)
        _check(
            u.total,
            u.max_points,
            u.percent,
            u.band,
            u.percent_detail,
            total_bands,
            decimals,
            band_on,
        )
        for pillar in u.pillars.values():
            _check(
                pillar.score,
                pillar.max_points,
                pillar.percent,
                pillar.band,
                pillar.percent_detail,
                pillar_bands,
                decimals,
                band_on,
            )
    _check_counts(result, total_bands, len(codes))


def _check(
    score: Decimal,
    maximum: Decimal,
    percent: Decimal,
    band: str | None,
    detail: Decimal | None,
    bands: BandScheme,
    decimals: int,
    band_on: str,
) -> None:
    share = _share(score, maximum)
    assert percent == _half_up(share, decimals)
    if bands.basis == "points":
        decided_on = Fraction(score)
    elif band_on == "exact":
        decided_on = share
    else:
        decided_on = Fraction(percent)
    assert band == _expected(decided_on, bands), (score, maximum, decided_on)
    assert band == classify(score, maximum, bands, band_on=band_on, decimals=decimals)

    # The detail: only where the rounded percent reads into another band; then the share rounded
    # to the fewest places that read into the band.
    reads_right = bands.basis == "points" or _expected(Fraction(percent), bands) == band
    if reads_right:
        assert detail is None
    else:
        assert band_on == "exact"
        assert detail is not None
        places = -detail.as_tuple().exponent  # type: ignore[operator]
        assert places > decimals
        assert detail == _half_up(share, places)
        assert _expected(Fraction(detail), bands) == band
        for fewer in range(decimals, places):
            assert _expected(Fraction(_half_up(share, fewer)), bands) != band

    # Points to the next band: exactly enough, in the period's steps.
    labels = [b.label for b in bands.bands]
    position = labels.index(band)  # type: ignore[arg-type]
    if position == 0:
        return
    target = bands.bands[position - 1]
    needed = points_to_band(score, maximum, bands, target, band_on=band_on, decimals=decimals)
    if bands.basis == "percent" and not maximum:
        assert needed is None
        return
    assert needed is not None and needed > 0
    step = Decimal(1).scaleb(-decimals)
    assert needed % step == 0
    reached = classify(score + needed, maximum, bands, band_on=band_on, decimals=decimals)
    assert labels.index(reached) <= position - 1  # type: ignore[arg-type]
    short = classify(score + needed - step, maximum, bands, band_on=band_on, decimals=decimals)
    assert labels.index(short) == position  # type: ignore[arg-type]


def _check_counts(result: PeriodResult, bands: BandScheme, units: int) -> None:
    counted = {label: 0 for label in (b.label for b in bands.bands)}
    for u in result.units:
        counted[u.band] += 1  # type: ignore[index]
    assert dict(result.band_counts) == counted
    assert sum(result.band_counts.values()) == units


@pytest.mark.parametrize("maximum", MAXIMA)
def test_the_wording_of_bac_kan_at_every_bound(maximum: Decimal) -> None:
    """Every bound of decision 1294 at its exact point and one step either side, for each max."""
    step = D("0.01")
    for bound, on_or_below, above in (
        (75, "Nâng cao", "Dẫn dắt"),
        (50, "Hình thành", "Nâng cao"),
        (25, "Khởi động", "Hình thành"),
    ):
        at = Fraction(bound) * Fraction(maximum) / 100
        below = Decimal(math.floor(at * 100)).scaleb(-2)
        for score in (below - step, below, below + step):
            share = _share(score, maximum)
            expected = above if share > bound else on_or_below
            assert classify(score, maximum, BAC_KAN) == expected, (score, maximum)
