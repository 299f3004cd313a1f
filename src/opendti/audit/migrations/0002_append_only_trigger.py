"""The database refuses UPDATE and DELETE on the audit log (SQLite and PostgreSQL).

The statements are written out here rather than imported: a landed migration never changes.
"""

from django.db import migrations

MESSAGE = "audit events are append-only"
SQL = {
    "sqlite": (
        [
            "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
            "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        ],
        [
            "DROP TRIGGER IF EXISTS audit_event_no_update",
            "DROP TRIGGER IF EXISTS audit_event_no_delete",
        ],
    ),
    "postgresql": (
        [
            "CREATE OR REPLACE FUNCTION audit_event_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$",
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse()",
        ],
        [
            "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent",
            "DROP FUNCTION IF EXISTS audit_event_refuse()",
        ],
    ),
}


def _run(schema_editor, install: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in SQL:
        raise NotImplementedError(f"no append-only trigger for the {vendor} database")
    for statement in SQL[vendor][0 if install else 1]:
        schema_editor.execute(statement)


def install(apps, schema_editor):
    _run(schema_editor, True)


def remove(apps, schema_editor):
    _run(schema_editor, False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
