"""A framework in the database as rows of text: the file format's sheets and columns.

The `framework`, `pillars` and `bands` sheets have the columns and value conventions of the
assessment workbook's sheets of the same names, so the workbook parser checks them; `meta` holds
what a workbook keeps in its settings plus the issuing decision, as key/value rows.
"""

from __future__ import annotations

from decimal import Decimal

from opendti.numbers import plain

from ..models import Framework, Node

Rows = dict[str, list[dict[str, str]]]

META_KEYS = (
    "code",
    "name",
    "year",
    "level",
    "level_name",
    "decision_number",
    "decision_date",
    "decision_issuer",
    "national_basis",
    "total_max",
)
COLUMNS: dict[str, tuple[str, ...]] = {
    "meta": ("key", "value"),
    "pillars": ("code", "name"),
    "framework": (
        "code",
        "parent",
        "name",
        "kind",
        "max_points",
        "pillars",
        "scored",
        "rule",
        "params",
        "applies_to",
        "guidance",
        "evidence_required",
        "source",
        "verifier",
    ),
    "bands": ("scheme", "label", "basis", "lower", "lower_inclusive"),
}
SHEET_NAMES = tuple(COLUMNS)


def number_text(value: Decimal | None) -> str:
    """A stored decimal as plain text without trailing zeros: 100.0000 -> 100, 0.5000 -> 0.5."""
    return plain(value)


def flag_text(flag: bool) -> str:
    return "yes" if flag else "no"


def framework_rows(framework: Framework) -> Rows:
    """Every sheet of the framework file as rows of text, in the framework's own order."""
    nodes = list(
        Node.objects.filter(framework=framework)
        .select_related("parent")
        .prefetch_related("pillars")
        .order_by("order", "pk")
    )
    meta = {
        "code": framework.code,
        "name": framework.name,
        "year": str(framework.year),
        "level": framework.level.code,
        "level_name": framework.level.name,
        "decision_number": framework.decision_number,
        "decision_date": framework.decision_date.isoformat() if framework.decision_date else "",
        "decision_issuer": framework.decision_issuer,
        "national_basis": framework.national_basis,
        "total_max": number_text(framework.total_max),
    }
    schemes = sorted(
        framework.band_schemes.prefetch_related("bands"), key=lambda s: s.scope != "total"
    )
    return {
        "meta": [{"key": key, "value": meta[key]} for key in META_KEYS],
        "pillars": [
            {"code": p.code, "name": p.name} for p in framework.pillars.order_by("order", "pk")
        ],
        "framework": [
            {
                "code": n.code,
                "parent": n.parent.code if n.parent else "",
                "name": n.name,
                "kind": n.kind,
                "max_points": number_text(n.max_points),
                "pillars": ";".join(
                    p.code for p in sorted(n.pillars.all(), key=lambda p: (p.order, p.pk))
                ),
                "scored": flag_text(n.scored),
                "rule": n.rule,
                "params": n.params if n.rule else "",
                "applies_to": ";".join(n.applies_to),
                "guidance": n.guidance,
                "evidence_required": flag_text(n.evidence_required),
                "source": n.source,
                "verifier": n.verifier,
            }
            for n in nodes
        ],
        "bands": [
            {
                "scheme": scheme.scope,
                "label": band.label,
                "basis": scheme.basis,
                "lower": number_text(band.lower),
                "lower_inclusive": flag_text(band.lower_inclusive),
            }
            for scheme in schemes
            for band in sorted(scheme.bands.all(), key=lambda b: (b.order, b.pk))
        ],
    }
