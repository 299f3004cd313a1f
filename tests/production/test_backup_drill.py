"""The backup drill, as an operator runs it with the production profile: the demo with an
evidence file and a report file, `opendti backup` while the site's database is live, `opendti
restore` into a fresh database and a fresh data folder, then `opendti verify-snapshot --all`
passes there, every evidence and report file's SHA-256 matches, and a backup of the restored
installation holds exactly the same rows and files. On the database the suite runs on (SQLite or
PostgreSQL). A damaged archive is refused before anything is written; a non-empty installation
is refused unless --replace is given."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from opendti.accounts.models import User
from opendti.assessments.access import access_submission
from opendti.assessments.evidence import evidence_add_file
from opendti.assessments.models import Evidence
from opendti.frameworks.models import Node
from opendti.publication.demo import demo_load_all
from opendti.publication.models import Snapshot
from opendti.reports.models import ReportFile
from opendti.results.demo import OPEN_PERIOD

from .conftest import database_url, opendti, production_env, request_results_workbook

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
pytestmark = pytest.mark.django_db(transaction=True)


def _fresh_database(tmp_path: Path):
    """A new, empty database beside the test database: its URL, and how to drop it."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}", lambda: None
    name = f"{db['NAME']}_restored"
    admin = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"]}
    if db.get("PASSWORD"):
        admin["password"] = db["PASSWORD"]

    def run(sql: str) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
            server.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    return database_url({**db, "NAME": name}), lambda: run(
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    )


def _tables(url: str) -> int:
    """How many tables the database at url has."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            return 0
        with sqlite3.connect(path) as db:
            return db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[
                0
            ]
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
        query = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        return db.execute(query).fetchone()[0]


def _archive(path: Path) -> tuple[dict, bytes]:
    with tarfile.open(path) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        rows = gzip.decompress(tar.extractfile("database.jsonl.gz").read())
    return manifest, rows


def _damaged(backup: Path) -> Path:
    """A copy of the archive with one byte of the database dump changed."""
    damaged = backup.with_name("damaged.tar")
    with tarfile.open(backup) as tar, tarfile.open(damaged, "w") as out:
        for member in tar.getmembers():
            data = bytearray(tar.extractfile(member).read())
            if member.name == "database.jsonl.gz":
                data[len(data) // 2] ^= 0xFF
            out.addfile(member, io.BytesIO(bytes(data)))
    return damaged


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_backup_then_restore_into_a_fresh_installation(tmp_path, file_storages):
    demo_load_all()
    focal = User.objects.get(username="daumoi")
    submission = access_submission(focal, OPEN_PERIOD, "xa-hoa-binh")
    evidence_add_file(
        submission=submission,
        file=io.BytesIO(PDF),
        name="quyết định.pdf",
        title="QĐ",
        nodes=[Node.objects.get(framework=submission.participation.period.framework, code="1.1")],
        actor=focal,
    )
    report = request_results_workbook()
    report.refresh_from_db()
    assert report.status == ReportFile.Status.DONE, report.error

    source = production_env(tmp_path / "site", file_storages)
    (tmp_path / "site").mkdir()
    backup = tmp_path / "backup.tar"
    done = opendti("backup", str(backup), env=source)
    assert "backup written" in done.stdout
    manifest, rows = _archive(backup)
    assert manifest["database"]["rows"]["accounts.User"] == User.objects.count()
    snapshots = Snapshot.objects.count()
    assert snapshots == 8  # the demo: four years and four quarters published
    assert manifest["database"]["rows"]["publication.Snapshot"] == snapshots
    stored = {(f["storage"], f["name"]): f["sha256"] for f in manifest["files"]}
    expected = {
        ("evidence", e.storage_path): e.sha256 for e in Evidence.objects.filter(kind="file")
    } | {("reports", r.storage_path): r.sha256 for r in ReportFile.objects.filter(status="done")}
    assert stored == expected and len(stored) == 2

    url, drop = _fresh_database(tmp_path)
    try:
        fresh = tmp_path / "fresh"
        fresh.mkdir()
        target = production_env(
            fresh,
            {"evidence": fresh / "evidence", "reports": fresh / "reports"},
            DATABASE_URL=url,
        )
        # A damaged archive is refused before anything is written.
        refused = opendti("restore", str(_damaged(backup)), env=target, check=False)
        assert refused.returncode != 0
        assert "database.jsonl.gz does not match its SHA-256" in refused.stderr
        assert _tables(url) == 0 and not (fresh / "evidence").exists()

        opendti("restore", str(backup), env=target)
        verified = opendti("verify-snapshot", "--all", env=target)
        assert verified.stdout.count("khớp") == snapshots, verified.stdout
        for (alias, name), sha256 in expected.items():
            assert _sha256(fresh / alias / name) == sha256, name

        # The restored installation backs up to the very same rows and files.
        again = tmp_path / "again.tar"
        opendti("backup", str(again), env=target)
        manifest_again, rows_again = _archive(again)
        assert rows_again == rows
        assert manifest_again["files"] == manifest["files"]

        refused = opendti("restore", str(backup), env=target, check=False)
        assert refused.returncode != 0
        assert "this installation is not empty" in refused.stderr
        opendti("restore", "--replace", str(backup), env=target)
        assert opendti("verify-snapshot", "--all", env=target).stdout.count("khớp") == snapshots
    finally:
        drop()
