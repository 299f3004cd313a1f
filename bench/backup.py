"""Time `opendti backup` and `opendti restore` (not part of the tests).

Builds the demo (`load-demo`: the published periods, the appraisal in progress, the open period)
in a scratch database, then times, as an operator runs them with the production profile, a
backup, a restore into a new empty database and data folder, and `verify-snapshot --all` there.
Then grows the open 2026 commune period to N units (as bench/workspace.py does: each new commune
with a submission and a full set of values copied from the demo's) and does the same again.

    .venv/bin/python bench/backup.py --units 3400
    .venv/bin/python bench/backup.py --units 3400 --postgres postgres://postgres@127.0.0.1:5432

Times are wall-clock seconds of the whole command (about 1.5 s of it is starting Python and
Django); the restore includes creating every table (migrate) in the empty database.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from workspace import _grow  # noqa: E402

OPENDTI = Path(sys.executable).parent / "opendti"
SECRET = "bench-backup-not-a-secret-0123456789-abcdefghijklmnopq"


def _database(postgres: str | None, scratch: Path, name: str) -> str:
    if not postgres:
        return f"sqlite:///{scratch / (name + '.sqlite3')}"
    import psycopg

    with psycopg.connect(postgres.replace("postgres://", "postgresql://") + "/postgres") as db:
        db.autocommit = True
        db.execute(f'DROP DATABASE IF EXISTS "opendti_bench_{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "opendti_bench_{name}"')
    return f"{postgres}/opendti_bench_{name}"


def _run(url: str, data: Path, *args: str) -> tuple[float, str]:
    data.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "opendti.config.settings.production",
        "DJANGO_SECRET_KEY": SECRET,
        "OPENDTI_SEAL_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": url,
        "OPENDTI_DATA_DIR": str(data),
        "OPENDTI_LOG_LEVEL": "WARNING",
    }
    start = time.perf_counter()
    done = subprocess.run(
        [str(OPENDTI), *args], env=env, cwd=data, capture_output=True, text=True, check=False
    )
    took = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"opendti {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return took, done.stdout


def _drill(label: str, source: str, postgres: str | None, scratch: Path) -> dict[str, object]:
    archive = scratch / f"{label}.tar"
    backup, out = _run(source, scratch / "site", "backup", str(archive))
    rows = int(out.split("backup written to")[1].split(":")[1].split()[0])
    target = _database(postgres, scratch, f"restored_{label}")
    restore, _ = _run(target, scratch / f"restored-{label}", "restore", str(archive))
    verify, out = _run(target, scratch / f"restored-{label}", "verify-snapshot", "--all")
    assert out.count("khớp") == 4, out
    return {
        "data": label,
        "rows": rows,
        "archive KB": round(archive.stat().st_size / 1024),
        "backup s": round(backup, 1),
        "restore s": round(restore, 1),
        "verify s": round(verify, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3400)
    parser.add_argument("--postgres", help="a PostgreSQL server URL without a database name")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="opendti-bench-backup-") as folder:
        scratch = Path(folder)
        source = _database(options.postgres, scratch, "source")
        os.environ["DATABASE_URL"] = source
        os.environ["DJANGO_SETTINGS_MODULE"] = "opendti.config.settings.test"
        os.environ["OPENDTI_DATA_DIR"] = str(scratch / "site")
        os.environ["OPENDTI_SEAL_KEY"] = SECRET  # the snapshots sealed here verify there
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import transaction

        from opendti.periods.models import Period
        from opendti.publication.demo import demo_load_all
        from opendti.results.demo import OPEN_PERIOD

        call_command("migrate", verbosity=0)
        demo_load_all()
        results = [_drill("demo", source, options.postgres, scratch)]
        start = time.perf_counter()
        with transaction.atomic():  # one commit, not one per row
            _grow(Period.objects.get(code=OPEN_PERIOD), options.units)
        print(f"grown to {options.units} units in {time.perf_counter() - start:.1f} s")
        results.append(_drill(f"{options.units} units", source, options.postgres, scratch))
    engine = "PostgreSQL" if options.postgres else "SQLite"
    keys = list(results[0])
    print(f"\n{engine}\n| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in results:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
