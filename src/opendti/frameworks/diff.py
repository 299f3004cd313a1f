"""What changed between two versions of a framework: indicators added, removed, renamed, moved
to another parent, re-coded (through NodeMapping rows) or changed in max, rule, params or other
fields; pillars; band schemes; and the framework's own identity (name, year, decision, total).

Nodes correspond as in `mapping`: an explicit NodeMapping row wins, otherwise the same code.
Both versions are read as the rows of the framework file, so the diff compares exactly what an
export would write, and a framework exported and imported again shows no difference.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _

from .exchange.rows import framework_rows
from .models import Band, BandScheme, Framework, Node, NodeMapping

FRAMEWORK_FIELDS = (
    "name", "year", "level", "decision_number", "decision_date", "decision_issuer",
    "national_basis", "total_max",
)  # fmt: skip
NODE_FIELDS = (
    "kind", "max_points", "scored", "rule", "params", "pillars", "applies_to",
    "guidance", "evidence_required", "source", "verifier",
)  # fmt: skip
SETS = ("pillars", "applies_to")  # compared as sets of codes
FLAGS = ("scored", "evidence_required")


@dataclass(frozen=True)
class Change:
    """One difference. `part`: framework, pillar, node or band; `kind`: added, removed, renamed,
    repointed (another parent), recoded (another code, by a NodeMapping row) or changed (`field`).
    `code` is the node's or pillar's code in the newer version; for a band, the scheme's scope, or
    `scope:label` for one band of it."""

    part: str
    kind: str
    code: str
    field: str = ""
    before: str = ""
    after: str = ""

    def __str__(self) -> str:
        return change_text(self)


@dataclass(frozen=True)
class FrameworkDiff:
    framework: tuple[Change, ...] = ()
    pillars: tuple[Change, ...] = ()
    nodes: tuple[Change, ...] = ()
    bands: tuple[Change, ...] = ()

    @property
    def entries(self) -> tuple[Change, ...]:
        return self.framework + self.pillars + self.nodes + self.bands

    @property
    def empty(self) -> bool:
        return not self.entries

    def lines(self) -> list[str]:
        return [str(change) for change in self.entries]


def framework_diff(old: Framework, new: Framework) -> FrameworkDiff:
    mappings = list(
        NodeMapping.objects.filter(source__framework=old, target__framework=new)
        .order_by("source__order", "pk")
        .values_list("source__code", "target__code")
    )
    return rows_diff(framework_rows(old), framework_rows(new), mappings)


def rows_diff(
    old_rows: Mapping[str, list[dict[str, str]]],
    new_rows: Mapping[str, list[dict[str, str]]],
    mappings: list[tuple[str, str]] | None = None,
) -> FrameworkDiff:
    """The differences between two frameworks given as the file's rows (e.g. a version in the
    database and a filled template not imported yet); `mappings` are (old code, new code)."""
    mappings = mappings or []
    return FrameworkDiff(
        framework=tuple(_framework(old_rows["meta"], new_rows["meta"])),
        pillars=tuple(_pillars(old_rows["pillars"], new_rows["pillars"])),
        nodes=tuple(_nodes(old_rows["framework"], new_rows["framework"], mappings)),
        bands=tuple(_bands(old_rows["bands"], new_rows["bands"])),
    )


def _framework(old: list[dict[str, str]], new: list[dict[str, str]]) -> Iterable[Change]:
    before = {row["key"]: row["value"] for row in old}
    after = {row["key"]: row["value"] for row in new}
    for name in FRAMEWORK_FIELDS:
        if before[name] != after[name]:
            yield Change("framework", "changed", "", name, before[name], after[name])


def _pillars(old: list[dict[str, str]], new: list[dict[str, str]]) -> Iterable[Change]:
    before = {row["code"]: row["name"] for row in old}
    after = {row["code"]: row["name"] for row in new}
    for code, name in after.items():
        if code not in before:
            yield Change("pillar", "added", code, after=name)
        elif before[code] != name:
            yield Change("pillar", "renamed", code, before=before[code], after=name)
    for code, name in before.items():
        if code not in after:
            yield Change("pillar", "removed", code, before=name)


def _value(row: Mapping[str, str], name: str) -> str:
    """A field as compared: sets of codes sorted, params as compact JSON (key order kept: the
    order of a rule's choices is what units see)."""
    text = row[name]
    if name in SETS:
        return ";".join(sorted(part for part in text.split(";") if part))
    if name == "params" and text.strip():
        try:
            return json.dumps(json.loads(text), ensure_ascii=False, separators=(", ", ": "))
        except ValueError:
            return text
    return text


def _nodes(
    old: list[dict[str, str]], new: list[dict[str, str]], mappings: list[tuple[str, str]]
) -> Iterable[Change]:
    before = {row["code"]: row for row in old}
    stated: dict[str, list[str]] = {}
    for source, target in mappings:
        stated.setdefault(target, []).append(source)
    claimed = {source for source, _target in mappings}
    counterpart: dict[str, str | None] = {}  # new code -> the old code it is compared with
    for row in new:
        code = row["code"]
        sources = stated.get(code)
        if sources:
            counterpart[code] = sources[0] if len(sources) == 1 else None
        elif code in before and code not in claimed:
            counterpart[code] = code
    successor = {source: target for source, target in mappings} | {
        code: code for code, source in counterpart.items() if source == code
    }
    compared = set(successor)
    for row in new:
        code = row["code"]
        if code not in counterpart:
            yield Change("node", "added", code, after=row["name"])
            continue
        for stated_source in stated.get(code, ()):
            if stated_source != code:
                yield Change("node", "recoded", code, before=stated_source, after=code)
        matched = counterpart[code]
        if matched is None:
            continue  # several old nodes merged into this one: no single before to compare
        was = before[matched]
        if was["name"] != row["name"]:
            yield Change("node", "renamed", code, before=was["name"], after=row["name"])
        parent = successor.get(was["parent"], was["parent"]) if was["parent"] else ""
        if parent != row["parent"]:
            yield Change("node", "repointed", code, before=was["parent"], after=row["parent"])
        for name in NODE_FIELDS:
            if _value(was, name) != _value(row, name):
                yield Change("node", "changed", code, name, _value(was, name), _value(row, name))
    for code, was in before.items():
        if code not in compared:
            yield Change("node", "removed", code, before=was["name"])


def _bound(row: Mapping[str, str]) -> str:
    if not row["lower"]:
        return _("mức thấp nhất")
    sign = "≥" if row["lower_inclusive"] == "yes" else ">"
    return f"{sign} {row['lower']}{'%' if row['basis'] == 'percent' else ''}"


def _limit(row: Mapping[str, str]) -> tuple[str, str]:
    """A band's lower bound as compared (the basis is compared once per scheme)."""
    return (row["lower"], row["lower_inclusive"] if row["lower"] else "")


def _scheme(rows: Iterable[Mapping[str, str]]) -> str:
    return "; ".join(f"{row['label']} {_bound(row)}" for row in rows)


def _bands(old: list[dict[str, str]], new: list[dict[str, str]]) -> Iterable[Change]:
    for scope in BandScheme.Scope.values:
        before = {r["label"]: r for r in old if r["scheme"] == scope}
        after = {r["label"]: r for r in new if r["scheme"] == scope}
        if not before or not after:  # a whole scheme added or removed: one entry for it
            if after:
                yield Change("band", "added", scope, after=_scheme(after.values()))
            elif before:
                yield Change("band", "removed", scope, before=_scheme(before.values()))
            continue
        basis_before = next(iter(before.values()))["basis"]
        basis_after = next(iter(after.values()))["basis"]
        if basis_before != basis_after:
            yield Change("band", "changed", scope, "basis", basis_before, basis_after)
        for label, row in after.items():
            if label not in before:
                yield Change("band", "added", f"{scope}:{label}", after=_bound(row))
            elif _limit(before[label]) != _limit(row):
                was = _bound(before[label])
                yield Change("band", "changed", f"{scope}:{label}", "lower", was, _bound(row))
        for label, row in before.items():
            if label not in after:
                yield Change("band", "removed", f"{scope}:{label}", before=_bound(row))


# Words for people ------------------------------------------------------------------------------


def _field_label(part: str, name: str) -> str:
    """The field's name as the models give it (already in the catalogue)."""
    model: type[models.Model] = {"framework": Framework, "band": Band}.get(part, Node)
    if part == "band" and name == "basis":
        model = BandScheme
    field = model._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _shown(field: str, text: str) -> str:
    if not text:
        return _("(trống)")
    if field in FLAGS:
        return _("có") if text == "yes" else _("không")
    return text


def _place(change: Change) -> str:
    if change.part == "framework":
        return _("Bộ chỉ số")
    if change.part == "pillar":
        return _("Trụ cột %(code)s") % {"code": change.code}
    if change.part == "band":
        scope, _sep, label = change.code.partition(":")
        place = _("Thang xếp loại %(scope)s") % {"scope": BandScheme.Scope(scope).label}
        return place + (_(", mức %(label)s") % {"label": label} if label else "")
    return _("Chỉ số %(code)s") % {"code": change.code}


def change_text(change: Change) -> str:
    """One line in Vietnamese: where, what, before → after."""
    before, after = _shown(change.field, change.before), _shown(change.field, change.after)
    what = {
        "added": _("thêm mới: %(after)s"),
        "removed": _("bỏ (trước đây: %(before)s)"),
        "renamed": _("đổi tên: %(before)s → %(after)s"),
        "repointed": _("đổi chỉ số cha: %(before)s → %(after)s"),
        "recoded": _("đổi mã: %(before)s → %(after)s"),
        "changed": _("đổi %(field)s: %(before)s → %(after)s"),
    }[change.kind]
    if change.kind == "repointed":
        before = change.before or _("(gốc)")
        after = change.after or _("(gốc)")
    field = _field_label(change.part, change.field) if change.field else ""
    return f"{_place(change)}: " + what % {"before": before, "after": after, "field": field}
