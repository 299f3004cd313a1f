"""Serving a published period's pages and files from what was kept (publication/pages.py).

A reader without a session gets the kept bytes with the public header, `ETag`, `Last-Modified`
and `Cache-Control: public` (304 when they still hold it); nothing on the way reads the session or
makes a CSRF token, so the answer carries no cookie and does not vary on one and any shared cache
may keep it. A logged-in reader who sees the page as the public does gets the same kept bytes with
their own header (name, notifications, logout, the language form) put in. Anyone else (a
coordinator, who may see provisional years beside it; a unit's own people, who see its raw
inputs) gets the page rendered for them, as before.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import translate_url
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from opendti.accounts.middleware import has_session
from opendti.publication import pages
from opendti.publication.models import Snapshot

MARKER = pages.HEADER_MARKER  # where base.html leaves the header of a kept page
MAX_AGE = 3600  # a published page never changes; the hour bounds how long a cache reuses it blind

Render = Callable[[HttpRequest, Snapshot], HttpResponse]
ReadsAsPublic = Callable[[Any, Snapshot], bool]


def keepable(query: Mapping[str, str], allowed: set[str]) -> bool:
    """Whether a page with this query is worth keeping: only the page's own filters, short."""
    return all(name in allowed and len(query[name]) <= 64 for name in query)


def serve(
    request: HttpRequest,
    code: str,
    *,
    view: str,
    render: Render,
    reads_as_public: ReadsAsPublic | None = None,
    keep: bool = True,
    etag: Callable[[Snapshot], str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse | None:
    """The kept page of the published period `code`, or None where it does not apply (not a
    published period, not a GET, or a logged-in reader who does not read it as the public: the
    caller renders the page as usual). `reads_as_public` None: the answer is the same for
    everyone (a file, the embed) and the user is never looked at."""
    if request.method not in ("GET", "HEAD"):
        return None
    session = has_session(request)
    if session and reads_as_public is not None:
        # A logged-in reader: whether they read the page as the public needs the period.
        snapshot = pages.published_for_serving(code)  # SealBroken (503): tampered
        if snapshot is None:
            return None
        user = request.user
        if user.is_authenticated and not reads_as_public(user, snapshot):
            return None
    address = request.get_full_path()
    key = pages.page_key(code, view=view, language=get_language(), address=address)
    # One query: the page with its snapshot's record, checked against its seal (SealBroken).
    page = pages.stored(key) if keep else None
    if page is None:
        snapshot = pages.published_for_serving(code)
        if snapshot is None:
            return None
        rendered = render(_as_public(request), snapshot)
        if rendered.status_code != 200:
            return rendered
        kept = pages.store if keep else _unkept
        page = kept(
            snapshot,
            key,
            rendered.content,
            content_type=rendered["Content-Type"],
            disposition=rendered.get("Content-Disposition", ""),
            etag=etag(snapshot) if etag is not None else None,
        )
    body = page.body
    if page.headed:
        body = body.replace(MARKER, _header(request, session, address), 1)
    response = HttpResponse(body, content_type=page.content_type)
    if page.disposition:
        response["Content-Disposition"] = page.disposition
    if session and reads_as_public is not None:
        # Their own header is in it: for them only, and asked again each time.
        response["Cache-Control"] = "private, no-cache"
    else:
        quoted = quote_etag(page.etag)
        modified = int(page.modified.timestamp())
        response = (
            get_conditional_response(request, etag=quoted, last_modified=modified) or response
        )
        response["ETag"] = quoted
        response["Last-Modified"] = http_date(modified)
        response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _unkept(snapshot: Snapshot, key: str, body: bytes, **fields: Any) -> pages.Page:
    etag = fields.pop("etag") or ""
    return pages.Page(body, fields["content_type"], fields["disposition"], etag, timezone.now())


def _as_public(request: HttpRequest) -> HttpRequest:
    """The request as someone without a session makes it, for rendering the page to keep: no user,
    an empty session never saved, no messages, and its own META (a CSRF token asked for while
    rendering would otherwise mark the real request to set a cookie)."""
    public = copy.copy(request)
    public.META = dict(request.META)
    public.COOKIES = {}
    public.user = AnonymousUser()
    public.session = import_module(settings.SESSION_ENGINE).SessionStore()
    public.__dict__.pop("_messages", None)
    public.stored_page = True  # type: ignore[attr-defined]  # base.html leaves the header out
    return public


def _header(request: HttpRequest, session: bool, address: str) -> bytes:
    if not session:
        return _public_header(get_language(), address)
    return render_to_string("page_header.html", {"public": False}, request=request).encode()


@functools.lru_cache(maxsize=512)
def _public_header(language: str, address: str) -> bytes:
    """The header of a reader without a session: the same for all of them at one address."""
    links = [(code, name, translate_url(address, code)) for code, name in settings.LANGUAGES]
    context = {"public": True, "LANGUAGE_CODE": language, "language_links": links}
    return render_to_string("page_header.html", context).encode()
