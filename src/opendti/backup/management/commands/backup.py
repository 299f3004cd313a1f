"""`opendti backup FILE`: the database and every stored file in one archive (backup/archive.py)."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opendti.backup.archive import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a backup (database, every evidence and report file, a manifest with SHA-256 and "
        "row counts) to FILE; safe while the site runs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="the archive to write (a .tar file)")

    def handle(self, *args, file: Path, **options) -> None:
        if file.exists():
            raise CommandError(f"{file} exists: name a new file")
        start = time.perf_counter()
        try:
            manifest = backup_create(file, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["database"]["rows"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"backup written to {file}: {rows} rows, {len(manifest['files'])} files, "
                f"{file.stat().st_size} bytes, {time.perf_counter() - start:.1f} s"
            )
        )
