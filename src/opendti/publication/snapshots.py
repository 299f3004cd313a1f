"""Freezing a period's results, verifying a snapshot, and reading its results back."""

from __future__ import annotations

import copy
import datetime
import json
from dataclasses import dataclass
from typing import Any

from opendti.periods.models import Period
from opendti.results.selectors import Rows, period_rows
from opendti.scoring import score_period
from opendti.workbook.output import result_document
from opendti.workbook.parse import ParsedWorkbook, parse_workbook
from opendti.workbook.sheets import raw_from_rows

from .models import TEXTS, Snapshot
from .seal import SEAL_VERSION, Difference, seal_of, seal_problems, sha256, snapshot_check
from .seal import text_checked as _text_checked

__all__ = ["Difference", "canonical", "sha256", "snapshot_freeze", "snapshot_verify"]


def canonical(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _parse(rows: Rows) -> ParsedWorkbook:
    return parse_workbook(raw_from_rows(rows))


# Snapshots approved by engine 1.0.0 (before issue 11) were classified on the percent rounded to
# the period's decimals, and their frozen rows do not say so (they have no band_on setting): they
# are read with band_on = displayed, so they show and verify as approved. Later snapshots always
# freeze band_on (results.selectors.period_rows writes it).
LEGACY_ENGINE = "1.0.0"
LEGACY_BAND_ON = "displayed"


def frozen_rows(text: str) -> Rows:
    """A snapshot's frozen workbook rows, as every reader of the snapshot reads them."""
    rows: Rows = json.loads(text)
    settings_rows = rows.get("settings", [])
    if not any(row.get("key", "").strip().lower() == "band_on" for row in settings_rows):
        rows["settings"] = [*settings_rows, {"key": "band_on", "value": LEGACY_BAND_ON}]
    return rows


def _as_approved(document: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """The recomputed result document in the layout of the stored one's engine. Engine 1.0.0
    wrote no band_on setting, no percent details and no notes (a missing informational value was
    a finding, listed in the same order: by unit, then node, then kind)."""
    if stored.get("engine_version") != LEGACY_ENGINE:
        return document
    document = copy.deepcopy(document)
    document["engine_version"] = LEGACY_ENGINE
    document["settings"].pop("band_on", None)
    for unit in document["units"]:
        unit.pop("percent_detail", None)
        for pillar in unit["pillars"].values():
            pillar.pop("percent_detail", None)
    units = {u["code"]: i for i, u in enumerate(document["units"])}
    nodes = {code: i for i, code in enumerate(document["averages"]["nodes"])}
    document["findings"] = sorted(
        document["findings"] + document.pop("notes", []),
        key=lambda f: (units.get(f["unit"], 0), nodes.get(f["node"], len(nodes)), f["kind"]),
    )
    return document


def snapshot_freeze(
    *,
    period: Period,
    actor,
    decision_number: str,
    decision_date: datetime.date | None,
    signer: str,
) -> Snapshot:
    """Take the period's final inputs and results as they stand now (inside the caller's
    transaction, with the period's approval, or a quarter's publication: no decision)."""
    rows = period_rows(period, appraised=True)
    parsed = _parse(rows)
    result = score_period(parsed.assessment)
    rows_text = canonical(rows)
    document_text = canonical(result_document(parsed.assessment, result))
    snapshot = Snapshot(
        period=period,
        decision_number=decision_number,
        decision_date=decision_date,
        signer=signer,
        approved_by=actor,
        engine_version=result.engine_version,
        rows=rows_text,
        rows_sha256=sha256(rows_text),
        document=document_text,
        document_sha256=sha256(document_text),
        seal_version=SEAL_VERSION,
    )
    snapshot.seal = seal_of(snapshot)
    snapshot.save()
    return snapshot


def _walk(stored: object, found: object, where: str, out: list[Difference]) -> None:
    if isinstance(stored, dict) and isinstance(found, dict):
        for key in sorted(set(stored) | set(found), key=str):
            _walk(stored.get(key), found.get(key), f"{where}.{key}" if where else str(key), out)
    elif isinstance(stored, list) and isinstance(found, list) and len(stored) == len(found):
        for i, (a, b) in enumerate(zip(stored, found, strict=True)):
            _walk(a, b, f"{where}[{i}]", out)
    elif stored != found:
        out.append(
            Difference(
                where, json.dumps(stored, ensure_ascii=False), json.dumps(found, ensure_ascii=False)
            )
        )


def snapshot_verify(snapshot: Snapshot) -> list[Difference]:
    """Every way the stored snapshot disagrees with itself: hashes, seal, and the results
    recomputed from its rows against the stored results. Empty when intact."""
    found = seal_problems(snapshot)
    try:
        parsed = _parse(frozen_rows(snapshot.rows))
    except Exception as exc:  # a tampered row may not even parse: that is a finding too
        found.append(Difference("rows", "", f"{type(exc).__name__}: {exc}"))
        return found
    stored = json.loads(snapshot.document)
    recomputed = result_document(parsed.assessment, score_period(parsed.assessment))
    _walk(stored, json.loads(canonical(_as_approved(recomputed, stored))), "", found)
    return found


@dataclass(frozen=True)
class _FrozenRows:
    """A checked snapshot as results.source reads it (results.source.FrozenRows)."""

    snapshot: Snapshot

    @property
    def rows_sha256(self) -> str:
        return self.snapshot.rows_sha256

    def rows(self) -> Rows:
        # Hashed again as it is read: what is computed is what the seal covers.
        snapshot = self.snapshot
        return frozen_rows(_text_checked(snapshot, snapshot.rows, snapshot.rows_sha256))


def frozen_reader(period: Period, snapshot: object | None = None) -> _FrozenRows | None:
    """The period's snapshot for results.source (registered in PublicationConfig.ready), or
    None; SealBroken when it no longer matches its seal."""
    if snapshot is None:
        # Texts read only when needed (a first seal check, or results not yet kept).
        snapshot = Snapshot.objects.filter(period=period).defer(*TEXTS).first()
        if snapshot is None:
            return None
    assert isinstance(snapshot, Snapshot)
    snapshot.period = period  # already loaded
    return _FrozenRows(snapshot_check(snapshot))
