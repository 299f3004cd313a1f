"""notify / mark_read / unread_count: one row per person, no repeats, one private e-mail each,
nothing e-mailed for a change that is rolled back."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import transaction

from opendti.notifications.models import Notification
from opendti.notifications.services import mark_read, notify, unread_count

KIND = Notification.Kind.REQUEST


def test_notify_creates_one_row_per_distinct_active_person(people) -> None:
    created = notify(
        [people.an, people.binh, people.an, people.cu], kind=KIND, title="Yêu cầu", body="B"
    )
    assert created == 2
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["an", "binh"]
    row = Notification.objects.get(user=people.an)
    assert (row.kind, row.title, row.body, row.read_at) == ("request", "Yêu cầu", "B", None)


def test_a_dedupe_key_prevents_a_second_notification(people) -> None:
    key = "deadline:2026-communes:xa-hoa-binh:2026-05-01"
    assert notify([people.an], kind="deadline", title="T", body="", dedupe_key=key) == 1
    # The job runs again the same day, now with binh too: only binh is told.
    assert (
        notify([people.an, people.binh], kind="deadline", title="T", body="", dedupe_key=key) == 1
    )
    assert Notification.objects.filter(dedupe_key=key).count() == 2
    # Another day's key, or no key at all, tells again.
    assert notify([people.an], kind="deadline", title="T", body="", dedupe_key=key + "x") == 1
    assert notify([people.an], kind="deadline", title="T", body="") == 1
    assert notify([people.an], kind="deadline", title="T", body="") == 1
    assert Notification.objects.filter(user=people.an).count() == 4


def test_one_email_per_person_showing_nobody_else(
    people, mailoutbox, settings, django_capture_on_commit_callbacks
) -> None:
    settings.OPENDTI_SITE_URL = "https://dti.example.gov.vn/"
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(
            [people.an, people.binh, people.chi],
            kind=KIND,
            title="Yêu cầu bổ sung\nchỉ số 1.2",
            body="Vui lòng bổ sung tài liệu.",
            url="/ky/2026-communes/don-vi/xa-hoa-binh/",
        )
    assert created == 3
    assert sorted(m.to[0] for m in mailoutbox) == [
        "an@xa-hoa-binh.gov.vn",
        "binh@xa-tan-lap.gov.vn",
    ]
    addresses = {"an@xa-hoa-binh.gov.vn", "binh@xa-tan-lap.gov.vn"}
    for message in mailoutbox:
        assert len(message.to) == 1 and message.cc == [] and message.bcc == []
        others = addresses - set(message.to)
        assert not any(other in message.message().as_string() for other in others)
        assert message.subject == "[OpenDTI] Yêu cầu bổ sung chỉ số 1.2"
        assert message.body == (
            "Vui lòng bổ sung tài liệu.\n\n"
            "https://dti.example.gov.vn/ky/2026-communes/don-vi/xa-hoa-binh/"
        )
    emailed = dict(Notification.objects.values_list("user__username", "emailed"))
    assert emailed == {"an": True, "binh": True, "chi": False}


def test_no_link_in_the_email_without_a_url(people, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify([people.an], kind="other", title="T", body="Nội dung")
    assert mailoutbox[0].body == "Nội dung"


def test_emails_wait_for_the_commit(people, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([people.an], kind=KIND, title="T", body="B")
    assert mailoutbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(mailoutbox) == 1


def test_nothing_is_emailed_when_the_transaction_rolls_back(
    people, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify([people.an, people.binh], kind=KIND, title="T", body="B")
        raise RuntimeError("the change that caused the notification failed")
    assert callbacks == []
    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_a_mail_server_failure_keeps_the_notification_unemailed(
    people, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with (
        mock.patch(
            "opendti.notifications.services.send_mass_mail", side_effect=OSError("no route")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert notify([people.an], kind=KIND, title="T", body="B") == 1
    assert Notification.objects.get().emailed is False


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/", "ky/x/"])
def test_only_site_relative_links_are_accepted(people, url) -> None:
    with pytest.raises(ValueError):
        notify([people.an], kind=KIND, title="T", body="B", url=url)
    assert not Notification.objects.exists()


def test_an_unknown_kind_is_refused(people) -> None:
    with pytest.raises(ValueError):
        notify([people.an], kind="spam", title="T", body="B")


def test_mark_read_and_unread_count_touch_only_ones_own(people) -> None:
    notify([people.an, people.binh], kind=KIND, title="1", body="")
    notify([people.an, people.binh], kind=KIND, title="2", body="")
    binhs = list(Notification.objects.filter(user=people.binh).values_list("pk", flat=True))
    first_of_an = Notification.objects.filter(user=people.an).last()
    assert first_of_an is not None
    assert mark_read(people.an, binhs) == 0
    assert mark_read(people.an, [first_of_an.pk]) == 1
    assert (unread_count(people.an), unread_count(people.binh)) == (1, 2)
    assert mark_read(people.an) == 1
    assert (unread_count(people.an), unread_count(people.binh)) == (0, 2)
