"""The names people read for a period's ranking groups, never their codes (opendti.core.names
gives the usual ones)."""

from __future__ import annotations

from collections.abc import Iterable

from opendti.core.names import group_default_name


def group_names(period, codes: Iterable[str] = ()) -> dict[str, str]:
    """code -> name of the period's ranking groups (and of `codes`, e.g. those of a snapshot),
    each named by its row, else by its usual name, else by its code."""
    named = {code: name for code, name in period.groups.values_list("code", "name")}
    found = {
        code: (named.get(code) if named.get(code) not in (None, "", code) else None)
        or group_default_name(code)
        for code in {*named, *codes}
        if code
    }
    return dict(sorted(found.items()))


def group_choices(period, codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, name) of the ranking groups present, ordered by name as people look for them."""
    names = group_names(period, codes)
    return sorted(((code, names[code]) for code in set(codes) if code), key=lambda c: c[1])
