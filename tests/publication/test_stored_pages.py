"""A published period's pages and files are rendered once per snapshot, language and address, kept
and served as they are (docs/performance.md): ETag, Last-Modified and Cache-Control: public with
304 on revalidation; no session, cookie or `Vary: Cookie` for a reader without a session; the same
kept body for a logged-in reader who reads the page as the public, with their own header; the seal
still checked before a kept page is served."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opendti.accounts.models import User
from opendti.periods.models import Period
from opendti.publication import pages
from opendti.publication.demo import demo_load_all
from opendti.publication.models import Snapshot, StoredPage
from opendti.publication.seal import forget_checks
from tests.login import login

from .conftest import forget_cached_results, take_to
from .test_seal import rewrite_a_value_and_rehash, tamper

pytestmark = pytest.mark.django_db

CODE = "2024-communes"
RANKING = f"/ky/{CODE}/ket-qua/"
SCORECARD = f"/ky/{CODE}/ket-qua/don-vi/xa-hoa-binh/"
PUBLIC = [
    RANKING,
    SCORECARD,
    f"/du-lieu-mo/{CODE}.csv",
    f"/du-lieu-mo/{CODE}.json",
    f"/du-lieu-mo/{CODE}/nhung/",
]


@pytest.fixture
def frozen(db) -> Snapshot:
    demo_load_all()
    forget_cached_results()
    return Snapshot.objects.select_related("period").get(period__code=CODE)


def header_free(body: bytes) -> bytes:
    """The page without its header (body tag to </header>), the one part that is the reader's."""
    start, end = body.index(b"<body"), body.index(b"</header>")
    return body[:start] + body[end:]


@pytest.mark.parametrize("address", PUBLIC)
def test_an_anonymous_reader_gets_a_cacheable_answer_without_a_session(frozen, address) -> None:
    client = Client()
    response = client.get(address)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public, max-age=")
    assert response["ETag"].startswith('"') and response["Last-Modified"]
    assert "cookie" not in response.get("Vary", "").lower()
    assert not response.cookies  # no session, no CSRF cookie
    body = response.content
    assert b"csrfmiddlewaretoken" not in body and b"X-CSRFToken" not in body
    # Revalidation: the same version is 304 by its ETag and by its date.
    again = client.get(address, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again["ETag"] == response["ETag"]
    assert not again.content
    dated = client.get(address, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert dated.status_code == 304
    assert client.get(address, HTTP_IF_NONE_MATCH='"another"').status_code == 200


def test_the_page_is_rendered_once_and_then_read_in_a_fixed_number_of_queries(frozen) -> None:
    client = Client()
    with CaptureQueriesContext(connection) as first:
        rendered = client.get(RANKING)
    assert StoredPage.objects.filter(snapshot=frozen).count() == 1
    forget_cached_results()  # as another server process: nothing but the database is shared
    with CaptureQueriesContext(connection) as second:
        kept = client.get(RANKING)
    with CaptureQueriesContext(connection) as third:
        client.get(RANKING)
    assert kept.content == rendered.content and kept["ETag"] == rendered["ETag"]
    assert StoredPage.objects.filter(snapshot=frozen).count() == 1
    # One query: the kept page with its snapshot's record; a new process also reads the whole
    # record once, for its seal check.
    assert len(third.captured_queries) == 1
    assert len(second.captured_queries) == 2 < len(first.captured_queries)


def test_each_language_has_its_own_page(frozen) -> None:
    client = Client()
    vietnamese, english = client.get(RANKING), client.get("/en" + RANKING)
    assert vietnamese.status_code == english.status_code == 200
    assert vietnamese.content != english.content
    assert vietnamese["ETag"] != english["ETag"]
    assert b'lang="vi"' in vietnamese.content and b'lang="en"' in english.content
    assert b"Ranking" in english.content or b"ranking" in english.content
    assert StoredPage.objects.filter(snapshot=frozen).count() == 2
    # The public header switches language with links, not a form that needs a token.
    assert b'href="/en/ky/2024-communes/ket-qua/"' in vietnamese.content
    assert b'href="/ky/2024-communes/ket-qua/"' in english.content


def test_a_logged_in_public_reader_gets_the_kept_page_with_their_own_header(frozen) -> None:
    anonymous = Client().get(SCORECARD)
    reader = User.objects.get(username="daumoi2")  # a focal point of another unit
    client = login(Client(), reader)
    with CaptureQueriesContext(connection):
        response = client.get(SCORECARD)
    assert response.status_code == 200
    assert StoredPage.objects.filter(snapshot=frozen).count() == 1  # the same kept page
    assert header_free(response.content) == header_free(anonymous.content)
    header = response.content.decode().split("</header>", 1)[0]
    assert reader.full_name in header and "X-CSRFToken" in header
    assert response["Cache-Control"] == "private, no-cache"
    assert "ETag" not in response


def test_a_coordinator_gets_the_page_rendered_for_them(frozen) -> None:
    client = login(Client(), User.objects.get(username="dieuphoi"))
    response = client.get(RANKING)
    assert response.status_code == 200
    assert "ETag" not in response
    assert not StoredPage.objects.exists()


def test_a_search_is_answered_but_not_kept(frozen) -> None:
    response = Client().get(RANKING + "?q=hoa")
    assert response.status_code == 200 and response["ETag"]
    assert not StoredPage.objects.exists()


def test_the_what_if_answers_a_reader_of_the_kept_page(frozen) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.get(SCORECARD).status_code == 200
    response = client.post(SCORECARD + "mo-phong/", {"v-1.2-": "6"})
    assert response.status_code == 200


@pytest.mark.parametrize("address", PUBLIC)
def test_a_kept_page_of_a_tampered_snapshot_is_refused(frozen, address) -> None:
    client = Client()
    kept = client.get(address)
    assert kept.status_code == 200
    assert StoredPage.objects.exists()
    rewrite_a_value_and_rehash(frozen)  # the hashes recomputed: only the seal tells
    assert StoredPage.objects.exists()  # still kept: refused on the snapshot's check
    response = client.get(address)
    assert response.status_code == 503
    assert response.content != kept.content and "ETag" not in response


def test_a_kept_page_is_refused_when_only_the_text_was_changed(frozen) -> None:
    client = Client()
    assert client.get(RANKING).status_code == 200
    tamper(frozen, rows=frozen.rows.replace('"value"', '"value" ', 1))
    forget_checks()  # a new process checks the record again from its texts
    assert client.get(RANKING).status_code == 503


def test_publishing_a_period_removes_the_kept_pages(people) -> None:
    """A kept page shows the other published periods (the previous one, the quarters, the years):
    it is rendered again once another period is published."""
    take_to("2025-communes", people, Period.Status.PUBLISHED)
    client = Client()
    kept = client.get("/ky/2025-communes/ket-qua/")
    assert kept.status_code == 200 and StoredPage.objects.count() == 1
    take_to("2026-communes", people, Period.Status.PUBLISHED)
    assert not StoredPage.objects.exists()
    assert client.get("/ky/2025-communes/ket-qua/").status_code == 200
    assert StoredPage.objects.count() == 1


def test_a_kept_body_is_read_once_per_process_and_a_new_row_is_seen(frozen) -> None:
    """The body is kept in the process by the row it was read from; the one query per request
    still says which row is served, so a page rendered again (a new row) is served at once."""
    client = Client()
    rendered = client.get(RANKING)  # rendered and kept
    assert client.get(RANKING).content == rendered.content  # its body read into memory
    with CaptureQueriesContext(connection) as queries:
        again = client.get(RANKING)
    assert again.content == rendered.content and again["ETag"] == rendered["ETag"]
    assert len(queries.captured_queries) == 1
    assert '"body"' not in queries.captured_queries[0]["sql"]  # the record only, not the body
    kept = StoredPage.objects.get()
    kept.delete()  # as when a period is published: the page is kept anew
    pages.store(frozen, kept.key, b"<p>rendered again</p>", content_type=kept.content_type)
    fresh = client.get(RANKING)
    assert fresh.status_code == 200 and fresh.content == b"<p>rendered again</p>"
    assert fresh["ETag"] != rendered["ETag"]
    assert client.get(RANKING, HTTP_IF_NONE_MATCH=rendered["ETag"]).status_code == 200
    assert client.get(RANKING, HTTP_IF_NONE_MATCH=fresh["ETag"]).status_code == 304


@pytest.mark.parametrize("address", [RANKING, f"/du-lieu-mo/{CODE}.csv"])
def test_a_withdrawn_period_is_not_served_from_memory_and_a_republished_one_is(
    frozen, address
) -> None:
    client = Client()
    first = client.get(address)
    assert client.get(address).content == first.content  # kept in this process's memory
    Period.objects.filter(code=CODE).update(status=Period.Status.APPROVED)  # withdrawn
    assert client.get(address).status_code == 404
    assert client.get(address, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404
    Period.objects.filter(code=CODE).update(status=Period.Status.PUBLISHED)  # published again
    again = client.get(address)
    assert again.status_code == 200 and again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert not again.cookies and "cookie" not in again.get("Vary", "").lower()
    assert client.get(address, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_kept_bodies_stay_within_their_bound() -> None:
    kept = pages.Bodies(limit=10)
    page = pages.Page(b"12345", "text/plain", "", "e", datetime.datetime.now(datetime.UTC))
    kept.put("a", (1, "e", "s"), page)
    kept.put("b", (2, "e", "s"), page)
    kept.put("c", (3, "e", "s"), page)  # over the bound: the least recently served goes
    assert kept.get("a") is None and kept.get("c") == ((3, "e", "s"), page)
    assert kept.size == 10
    kept.put("c", (4, "e", "s"), pages.Page(b"x" * 11, "text/plain", "", "e", page.modified))
    assert kept.get("c") is None and kept.size == 5  # larger than the bound: read each time
