"""Django's `flush` (empty every table), which on SQLite must lift the audit log's guard.

Emptying the database removes the audit log with everything else, by definition; SQLite's flush
deletes row by row, which the append-only trigger refuses, so the trigger is removed just before
and re-created just after (PostgreSQL's flush truncates, which row triggers do not see). The test
suite's transactional tests flush after each test through this command.
"""

from __future__ import annotations

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from opendti.audit.triggers import statements


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with connection.cursor() as cursor:
            for sql in statements("sqlite", install=False):
                cursor.execute(sql)
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for sql in statements("sqlite", install=True):
                    cursor.execute(sql)
