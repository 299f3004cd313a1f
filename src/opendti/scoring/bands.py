"""Band schemes (mức xếp loại): which band a score falls in, and what a reader needs to see why.

A province's decision defines its bands on the score itself ("lớn hơn 75% tổng điểm", "từ 90%
điểm trở lên"), so a band is decided on the exact share: the score is compared with
bound × applicable max / 100 in whole numbers, never through a rounded percent. A period may say
instead that it classifies on the percent as published (`band_on = displayed`, the rounded
percent). A scheme on points compares the score with the bound directly (the score is exact).

The percent shown stays rounded to the period's decimals. Where that rounded figure sits on the
other side of a bound than the exact share (75.00 shown for 75.00125 %, "more than 75 %"), the
result carries the percent with just enough decimals to show the side (`percent_detail`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor

from .model import Band, BandScheme
from .rounding import quantize, ratio

EXACT, DISPLAYED = "exact", "displayed"
BAND_ON: tuple[str, ...] = (EXACT, DISPLAYED)
ZERO = Decimal(0)
HUNDRED = Decimal(100)
# A share that is not on a bound is separated from it at some number of decimals; this many
# suffice for any score and max the database can hold, and stay within Decimal's 28 digits.
MAX_DETAIL_DECIMALS = 24


class BandSchemeError(ValueError):
    pass


def validate_scheme(scheme: BandScheme) -> None:
    """Bands go from the highest to the lowest; only the last one may be open below."""
    if scheme.basis not in ("percent", "points"):
        raise BandSchemeError(f"basis must be 'percent' or 'points', not {scheme.basis!r}")
    if not scheme.bands:
        raise BandSchemeError("a band scheme needs at least one band")
    previous: Band | None = None
    for position, band in enumerate(scheme.bands):
        last = position == len(scheme.bands) - 1
        if band.lower is None and not last:
            raise BandSchemeError(f"band '{band.label}' has no lower bound but is not the lowest")
        if previous is not None and previous.lower is not None and band.lower is not None:
            same_bound_ok = (
                band.lower == previous.lower
                and previous.lower_inclusive is False
                and band.lower_inclusive
            )
            if band.lower > previous.lower or (band.lower == previous.lower and not same_bound_ok):
                raise BandSchemeError(
                    f"band '{band.label}' must have a lower bound below band '{previous.label}'"
                )
        previous = band


def _reaches(sign: int, band: Band) -> bool:
    """`sign` is the sign of (value - the band's lower bound)."""
    return sign > 0 or (sign == 0 and band.lower_inclusive)


def _sign(value: Decimal | int) -> int:
    return (value > 0) - (value < 0)


def band_for(value: Decimal, scheme: BandScheme | None) -> str | None:
    """The first band, from the top, whose lower bound `value` (on the scheme's basis) reaches."""
    if scheme is None:
        return None
    for band in scheme.bands:
        if band.lower is None or _reaches(_sign(value - band.lower), band):
            return band.label
    return None


Classifier = Callable[[Decimal, Decimal], str | None]


def classifier(scheme: BandScheme | None, *, band_on: str = EXACT, decimals: int = 2) -> Classifier:
    """`decide(score, max_points)`: the band of `score` out of `max_points` — on points, or on
    the share of the max: exact, or the percent rounded to `decimals` as shown (`band_on =
    displayed`). Built once per scheme: the engine decides thousands of units with it."""
    if scheme is None:
        return lambda score, max_points: None
    if scheme.basis == "points":
        return lambda score, max_points: band_for(score, scheme)
    if band_on == DISPLAYED:
        return lambda score, max_points: band_for(ratio(score, max_points, decimals), scheme)
    bounds = [
        (band.label, None if band.lower is None else band.lower.as_integer_ratio(), band)
        for band in scheme.bands
    ]
    maxima: dict[Decimal, tuple[int, int]] = {}

    def decide(score: Decimal, max_points: Decimal) -> str | None:
        if not max_points:  # a share of a zero max is zero, as the percent shown
            return band_for(ZERO, scheme)
        if max_points not in maxima:
            maxima[max_points] = max_points.as_integer_ratio()
        m, n = maxima[max_points]
        a, b = score.as_integer_ratio()
        # score / max × 100 against the bound c/d, in whole numbers (Decimal products round past
        # 28 digits; integers never do): a/b × 100 − c/d × m/n has the sign of a·100·d·n − c·m·b.
        scaled, over = a * 100 * n, m * b
        for label, bound, band in bounds:
            if bound is None:
                return label
            c, d = bound
            if _reaches(_sign(scaled * d - c * over), band):
                return label
        return None

    return decide


def classify(
    score: Decimal,
    max_points: Decimal,
    scheme: BandScheme | None,
    *,
    band_on: str = EXACT,
    decimals: int = 2,
) -> str | None:
    """The band of one score (`classifier` for one use)."""
    return classifier(scheme, band_on=band_on, decimals=decimals)(score, max_points)


def percent_detail(
    score: Decimal,
    max_points: Decimal,
    scheme: BandScheme | None,
    band: str | None,
    decimals: int,
    percent: Decimal | None = None,
) -> Decimal | None:
    """The percent with the fewest decimals (more than `decimals`) that reads into `band` on
    the scheme, where the percent rounded to `decimals` reads into another band; else None.

    75.00125 % is "more than 75 %" but shows as 75.00: its detail is 75.001. 89.996 % shows as
    90.00 but is not "90 % or more": its detail is 89.996. A period that classifies on the rounded
    percent never has a detail (its rounded percent is what decided). `percent`: the rounded
    percent, when the caller has it already."""
    if scheme is None or band is None or scheme.basis != "percent" or not max_points:
        return None
    if percent is None:
        percent = ratio(score, max_points, decimals)
    if band_for(percent, scheme) == band:
        return None
    for places in range(decimals + 1, MAX_DETAIL_DECIMALS):
        shown = ratio(score, max_points, places)
        if band_for(shown, scheme) == band:
            return shown
    return ratio(score, max_points, MAX_DETAIL_DECIMALS)


def points_to_band(
    score: Decimal,
    max_points: Decimal,
    scheme: BandScheme,
    target: Band,
    *,
    band_on: str = EXACT,
    decimals: int = 2,
) -> Decimal | None:
    """The fewest points, a multiple of the period's step (10^-decimals, the step every score
    moves by), to add to `score` for `classify` to reach `target`; None where no score reaches
    it (no bound, or a percent of a zero max)."""
    if target.lower is None:
        return None
    step = Fraction(1, 10**decimals)  # of points, and of the percent shown
    lower, inclusive = Fraction(target.lower), target.lower_inclusive
    if scheme.basis == "percent":
        if not max_points:
            return None
        if band_on == DISPLAYED:
            # The rounded percent reaches the bound from the first step it may show (the bound's
            # own, or the one above it when exclusive), and shows that step from half a step
            # below it on (half-up): an "at least" threshold on the exact share.
            lower, inclusive = _first_step(lower, inclusive, step) - step / 2, True
        threshold = lower * Fraction(max_points) / 100
    else:
        threshold = lower
    needed = _first_step(threshold, inclusive, step)
    missing = Decimal(needed.numerator) / Decimal(needed.denominator) - score
    return max(quantize(missing, decimals), quantize(ZERO, decimals))


def _first_step(threshold: Fraction, inclusive: bool, step: Fraction) -> Fraction:
    """The smallest multiple of `step` at (inclusive) or strictly above `threshold`."""
    steps = threshold / step
    return (ceil(steps) if inclusive else floor(steps) + 1) * step


def band_labels(scheme: BandScheme | None) -> list[str]:
    return [band.label for band in scheme.bands] if scheme else []
