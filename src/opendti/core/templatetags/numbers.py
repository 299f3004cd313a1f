"""`{% load numbers %}`: every number a page shows, in Vietnamese, by the one numbers module.

{{ value|number }}        exactly as held (45,50; 1.000)
{{ value|number:2 }}      rounded half up to 2 places (45,50)
{{ value|number:"-2" }}   at most 2 places, trailing zeros dropped (45,5; 1.000) — floatformat's
                          negative argument, for maxima and thresholds
{{ value|signed_number }} a change, with its sign (+2,5)
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from opendti import numbers

register = template.Library()


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal | int):
        return Decimal(value)
    try:
        # Stored canonical text ("12.5"); a float never reaches a page, but reads the same.
        return numbers.check_size(Decimal(str(value)))
    except (InvalidOperation, numbers.NumberError):
        return None


def _places(argument: object) -> tuple[int | None, bool]:
    if argument is None or argument == "":
        return None, False
    places = int(str(argument))
    return abs(places), places < 0 or str(argument).startswith("-")


@register.filter
def number(value: object, places: object = None) -> str:
    decimal = _decimal(value)
    if decimal is None:
        return "" if value is None or value == "" else str(value)
    digits, trim = _places(places)
    return numbers.vi(decimal, digits, trim=trim)


@register.filter
def signed_number(value: object, places: object = None) -> str:
    decimal = _decimal(value)
    if decimal is None:
        return "" if value is None or value == "" else str(value)
    digits, trim = _places(places)
    return numbers.vi(decimal, digits, trim=trim, signed=True)
