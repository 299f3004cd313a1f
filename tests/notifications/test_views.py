"""The notifications page, marking read, and the header badge: always one's own only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from opendti.notifications.context_processors import unread
from opendti.notifications.models import Notification
from tests.login import login

LIST = reverse("notifications:list")
MARK = reverse("notifications:mark_read")


def _note(user, title: str, **extra) -> Notification:
    return Notification.objects.create(user=user, kind="request", title=title, **extra)


def test_the_list_shows_only_ones_own_notifications(people, client_as) -> None:
    _note(people.an, "Của An", body="Dòng 1\nDòng 2", url="/ky/2026-communes/")
    _note(people.binh, "Của Bình")
    response = client_as(people.an).get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Của An" in html and "Dòng 1<br>Dòng 2" in html
    assert 'href="/ky/2026-communes/"' in html
    assert "yêu cầu bổ sung" in html  # the kind
    assert "Của Bình" not in html


def test_unread_notifications_are_marked(people, client_as) -> None:
    new = _note(people.an, "Mới đến")
    old = _note(people.an, "Đã xem")
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
    html = client_as(people.an).get(LIST).content.decode()
    assert f'class="notice panel unread" data-id="{new.pk}"' in html
    assert f'class="notice panel" data-id="{old.pk}"' in html


def test_the_list_is_paginated_by_50(people, client_as) -> None:
    Notification.objects.bulk_create(
        Notification(user=people.an, kind="other", title=f"N{i}") for i in range(51)
    )
    client = client_as(people.an)
    first = client.get(LIST).content.decode()
    second = client.get(LIST + "?trang=2").content.decode()
    assert first.count('class="notice panel') == 50
    assert second.count('class="notice panel') == 1


def test_links_follow_the_readers_language(people, client_as) -> None:
    _note(people.an, "T", url="/ky/2026-communes/ket-qua/")
    html = client_as(people.an).get("/en" + LIST).content.decode()
    assert '<a href="/en/ky/2026-communes/ket-qua/">T</a>' in html
    html = client_as(people.an).get(LIST).content.decode()
    assert '<a href="/ky/2026-communes/ket-qua/">T</a>' in html


def test_mark_read_marks_only_ones_own(people, client_as) -> None:
    mine = _note(people.an, "Của An")
    also_mine = _note(people.an, "Của An 2")
    theirs = _note(people.binh, "Của Bình")
    client = client_as(people.an)
    response = client.post(MARK, {"id": theirs.pk})
    assert response.status_code == 302 and response["Location"] == LIST
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.post(MARK, {"id": mine.pk, "trang": "2"})
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=also_mine.pk).read_at is None
    response = client.post(MARK)  # no id: all of mine
    assert response["Location"] == LIST
    assert Notification.objects.get(pk=also_mine.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_read_goes_back_to_the_same_page(people, client_as) -> None:
    response = client_as(people.an).post(MARK, {"trang": "3"})
    assert response["Location"] == LIST + "?trang=3"


def test_mark_read_refuses_a_bad_id(people, client_as) -> None:
    assert client_as(people.an).post(MARK, {"id": "x"}).status_code == 400


def test_mark_read_refuses_get(people, client_as) -> None:
    _note(people.an, "T")
    assert client_as(people.an).get(MARK).status_code == 405
    assert Notification.objects.get().read_at is None


def test_mark_read_needs_the_csrf_token(people) -> None:
    note = _note(people.an, "T")
    client = Client(enforce_csrf_checks=True)
    login(client, people.an)
    assert client.post(MARK, {"id": note.pk}).status_code == 403
    assert Notification.objects.get().read_at is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_public_is_sent_to_the_login_page(db, method) -> None:
    url = LIST if method == "get" else MARK
    response = getattr(Client(), method)(url)
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_the_header_shows_the_unread_count(people, client_as) -> None:
    for i in range(3):
        _note(people.an, f"T{i}")
    _note(people.binh, "Của Bình")
    client = client_as(people.an)
    # Any page of the site has it (the password page: one that needs no data).
    html = client.get(reverse("accounts:password_change")).content.decode()
    assert f'<a href="{LIST}" id="notifications-link">Thông báo' in html
    assert '<span class="unread-count" id="unread-count">3<' in html
    client.post(MARK)
    html = client.get(LIST).content.decode()
    assert 'id="notifications-link"' in html and 'id="unread-count"' not in html


def test_the_public_has_no_notifications_link(db) -> None:
    html = Client().get(reverse("portal:login")).content.decode()
    assert 'id="notifications-link"' not in html


def test_the_context_processor_counts_with_one_query(people, rf, django_assert_num_queries) -> None:
    from django.contrib.auth.models import AnonymousUser

    _note(people.an, "T")
    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread(request) == {"unread_notifications": 0}
    request.user = people.an
    with django_assert_num_queries(1):
        assert unread(request) == {"unread_notifications": 1}
