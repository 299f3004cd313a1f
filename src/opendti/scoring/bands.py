"""Band schemes (mức xếp loại): which band a percent or a number of points falls in."""

from __future__ import annotations

from decimal import Decimal

from .model import Band, BandScheme


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


def band_for(value: Decimal, scheme: BandScheme | None) -> str | None:
    """The first band, from the top, whose lower bound `value` reaches."""
    if scheme is None:
        return None
    for band in scheme.bands:
        if band.lower is None:
            return band.label
        if value > band.lower or (band.lower_inclusive and value == band.lower):
            return band.label
    return None


def band_labels(scheme: BandScheme | None) -> list[str]:
    return [band.label for band in scheme.bands] if scheme else []
