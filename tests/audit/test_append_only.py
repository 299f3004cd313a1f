"""The audit log is append-only: the application and the database both refuse to change or
remove an event, on SQLite and PostgreSQL alike, and the admin only shows it."""

from __future__ import annotations

import logging

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from opendti.accounts.models import User
from opendti.audit.models import AppendOnlyError, AuditEvent
from opendti.audit.services import Kind, audit_record
from tests.login import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    return audit_record(Kind.EXPORT, username="an", target="period:2025", detail={"n": 1})


def test_the_database_refuses_update_and_delete(event) -> None:
    for statement in (
        "UPDATE audit_auditevent SET username = 'khac' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])
    # The ORM's bulk paths bypass save()/delete(): the trigger stops them too.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(username="khac")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.username == "an" and AuditEvent.objects.count() == 1


def test_the_application_refuses_too(event) -> None:
    event.username = "khac"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_an_event_is_also_a_structured_log_line(caplog) -> None:
    with caplog.at_level(logging.INFO, logger="opendti.audit"):
        event = audit_record(
            Kind.EXPORT, username="an", target="period:2025", detail={"format": "csv"}
        )
    (record,) = [r for r in caplog.records if r.name == "opendti.audit"]
    assert record.event == "export" and record.audit_id == event.pk  # type: ignore[attr-defined]
    assert record.actor_id is None and "an" not in record.getMessage().split()  # type: ignore[attr-defined]
    assert record.target == "period:2025"  # type: ignore[attr-defined]
    assert record.detail == {"format": "csv"}  # type: ignore[attr-defined]


def test_a_malformed_address_is_kept_as_text_not_refused_by_the_database(rf) -> None:
    request = rf.get("/", REMOTE_ADDR="not-an-address")
    event = audit_record(Kind.LOGIN_FAILED, username="an", request=request)
    event.refresh_from_db()
    assert event.address is None and event.detail["address_text"] == "not-an-address"


def test_the_admin_shows_events_but_cannot_add_change_or_delete(event) -> None:
    admin = User.objects.create_superuser("quantri", password="x")
    client = Client()
    login(client, admin)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    change = f"/admin/audit/auditevent/{event.pk}/change/"
    assert client.get(change).status_code == 200  # view only
    assert client.post(change, {"username": "khac"}).status_code == 403
    assert (
        client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    event.refresh_from_db()
    assert event.username == "an"


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_keeps_the_guard() -> None:
    audit_record(Kind.EXPORT, username="an")
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    kept = audit_record(Kind.EXPORT, username="binh")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=kept.pk).delete()
