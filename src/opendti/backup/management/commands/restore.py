"""`opendti restore FILE [--replace]`: a backup back into an empty installation."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opendti.backup.archive import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `opendti backup` into this installation's database and file "
        "storage. Refuses an installation that holds data unless --replace is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="the archive to read")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete this installation's data and files of the same names first",
        )

    def handle(self, *args, file: Path, replace: bool, **options) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        start = time.perf_counter()
        try:
            manifest = backup_restore(file, replace=replace, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"restored the backup of {manifest['created_at']}: "
                f"{sum(manifest['database']['rows'].values())} rows, "
                f"{len(manifest['files'])} files, {time.perf_counter() - start:.1f} s"
            )
        )
