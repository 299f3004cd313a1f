"""The seal of an approved snapshot, and its check whenever a snapshot is served.

The seal is an HMAC (OPENDTI_SEAL_KEY, default the secret key) over what was approved. Version 2
(every snapshot approved from this version on) covers the period, the decision's number, date and
signer, the approver, and the SHA-256 of the frozen rows and of the results. Version 1 (snapshots
approved before) covered the period, the decision number and the two hashes; they still verify
with the rule they were sealed under, and `opendti verify-snapshot` says which version each has.

Every page, file and API answer that serves a snapshot goes through `snapshot_check`: the hashes
of the stored texts and the seal are recomputed once per snapshot per process (cached by every
field the check reads), and a mismatch raises `SealBroken`, which the middleware turns into a
page that refuses that period's results, with an audit event. The texts are hashed again where
they are parsed for serving, so a change made after the check is caught too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings

from opendti.audit.services import Kind, audit_record

from .models import Snapshot

SEAL_VERSION = 2
logger = logging.getLogger("opendti.publication")


@dataclass(frozen=True)
class Difference:
    where: str
    stored: str
    found: str


class SealBroken(Exception):
    """A snapshot no longer matches its seal: its results must not be served."""

    def __init__(self, snapshot: Snapshot, differences: list[Difference]) -> None:
        super().__init__(f"snapshot {snapshot.pk} does not match its seal")
        self.snapshot = snapshot
        self.differences = differences


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _key() -> bytes:
    return (settings.OPENDTI_SEAL_KEY or settings.SECRET_KEY).encode()


def seal_message(snapshot: Snapshot, *, version: int) -> bytes:
    """What the seal of a given version covers, as bytes."""
    if version == 1:
        parts = [
            snapshot.period.code,
            snapshot.decision_number,
            snapshot.rows_sha256,
            snapshot.document_sha256,
        ]
        return "\n".join(parts).encode()
    if version == 2:
        covered = {
            "seal_version": 2,
            "period": snapshot.period.code,
            "decision_number": snapshot.decision_number,
            "decision_date": snapshot.decision_date.isoformat() if snapshot.decision_date else None,
            "signer": snapshot.signer,
            "approved_by": snapshot.approved_by_id,
            "rows_sha256": snapshot.rows_sha256,
            "document_sha256": snapshot.document_sha256,
        }
        return json.dumps(covered, ensure_ascii=False, sort_keys=True).encode()
    raise ValueError(f"unknown seal version {version}")


def seal_of(snapshot: Snapshot, *, version: int = SEAL_VERSION) -> str:
    return hmac.new(_key(), seal_message(snapshot, version=version), hashlib.sha256).hexdigest()


def seal_problems(snapshot: Snapshot) -> list[Difference]:
    """How the stored texts disagree with their hashes, and the record with its seal."""
    found: list[Difference] = []
    for field, text in (("rows", snapshot.rows), ("document", snapshot.document)):
        stored = getattr(snapshot, f"{field}_sha256")
        actual = sha256(text)
        if actual != stored:
            found.append(Difference(f"{field}_sha256", stored, actual))
    try:
        expected = seal_of(snapshot, version=snapshot.seal_version)
    except ValueError as exc:
        found.append(Difference("seal_version", str(snapshot.seal_version), str(exc)))
        return found
    if not hmac.compare_digest(expected, snapshot.seal):
        found.append(Difference("seal", snapshot.seal, expected))
    return found


def _fingerprint(snapshot: Snapshot) -> tuple:
    return (
        snapshot.pk,
        snapshot.period_id,
        snapshot.seal_version,
        snapshot.seal,
        snapshot.rows_sha256,
        snapshot.document_sha256,
        snapshot.decision_number,
        snapshot.decision_date,
        snapshot.signer,
        snapshot.approved_by_id,
    )


_checked: OrderedDict[tuple, bool] = OrderedDict()
_reported: dict[int, float] = {}
_lock = threading.Lock()
CACHE_SIZE = 64
REPORT_EVERY_SECONDS = 600


def snapshot_check(snapshot: Snapshot) -> Snapshot:
    """The snapshot, if it matches its seal; SealBroken otherwise. Checked once per process for
    each state of the record (only intact ones are remembered)."""
    key = _fingerprint(snapshot)
    with _lock:
        if key in _checked:
            _checked.move_to_end(key)
            return snapshot
    problems = seal_problems(snapshot)
    if problems:
        _report(snapshot, problems)
        raise SealBroken(snapshot, problems)
    with _lock:
        _checked[key] = True
        while len(_checked) > CACHE_SIZE:
            _checked.popitem(last=False)
    return snapshot


def checked_before(snapshot: Snapshot) -> bool:
    """Whether this state of the record was checked intact in this process already. Reads only
    the fields of the fingerprint: a caller may load the snapshot without its texts and load
    them for `snapshot_check` only when this says no (publication/pages.py)."""
    key = _fingerprint(snapshot)
    with _lock:
        if key in _checked:
            _checked.move_to_end(key)
            return True
    return False


def text_checked(snapshot: Snapshot, text: str, stored_sha: str) -> str:
    """A stored text about to be parsed for serving, if it still has the hash the seal covers."""
    if sha256(text) != stored_sha:
        problems = [Difference("rows_sha256", stored_sha, sha256(text))]
        _report(snapshot, problems)
        raise SealBroken(snapshot, problems)
    return text


def _report(snapshot: Snapshot, problems: list[Difference]) -> None:
    """An audit event, at most once per snapshot every ten minutes in a process (a public page
    asked for again and again must not flood the log)."""
    now = time.monotonic()
    with _lock:
        last = _reported.get(snapshot.pk)
        if last is not None and now - last < REPORT_EVERY_SECONDS:
            return
        _reported[snapshot.pk] = now
    logger.error("snapshot %s does not match its seal", snapshot.pk)
    audit_record(
        Kind.SEAL_BROKEN,
        target=f"period:{snapshot.period.code}",
        detail={
            "snapshot": snapshot.pk,
            "differences": [p.where for p in problems],
        },
    )


def forget_checks() -> None:
    """As a new process: nothing checked or reported yet (tests)."""
    with _lock:
        _checked.clear()
        _reported.clear()
