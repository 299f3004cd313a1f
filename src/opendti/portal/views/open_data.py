"""Open data (docs/open-data.md): each published period's results as CSV and JSON at stable
addresses, the list of them, and an embeddable ranking chart for other sites' pages.

Only published periods answer; anything else is 404 for everyone, coordinators included (open data
is what was published). The files are the snapshot's, so they are cached by the snapshot's document
hash (ETag) and may be fetched from any origin (CORS). Only the embed page may be framed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps

from csp.decorators import csp_replace
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from opendti.publication import open_data
from opendti.publication.models import Snapshot

from .. import published

MAX_AGE = 3600  # a published snapshot never changes: the hour only bounds unchecked reuse
LIST_MAX_AGE = 300  # the list grows when a period is published


def _published_or_404(code: str) -> Snapshot:
    snapshot = open_data.published(code)
    if snapshot is None:
        raise Http404("No published period")
    return snapshot


def _open_headers(response: HttpResponse, max_age: int) -> HttpResponse:
    # Also on a 304: a cache revalidating the file keeps the same rules.
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Content-Disposition"
    return response


def _conditional(
    request: HttpRequest, etag: str, build: Callable[[], HttpResponse], max_age: int
) -> HttpResponse:
    """304 when the client holds this version (If-None-Match), else the response built."""
    quoted = quote_etag(etag)
    response = get_conditional_response(request, etag=quoted)
    if response is None:
        response = build()
    response["ETag"] = quoted
    return _open_headers(response, max_age)


def _snapshot_file(view: Callable[[Snapshot], HttpResponse]) -> Callable[..., HttpResponse]:
    """A file of one published period: 404 unless published, ETag = the snapshot's document hash.
    Made once and kept (portal/published.py): the same bytes for everyone."""

    @require_safe
    @wraps(view)
    def wrapper(request: HttpRequest, period: str) -> HttpResponse:
        served = published.serve(
            request,
            period,
            view=view.__name__,
            render=lambda _public, snapshot: view(snapshot),
            keep=not request.GET,
            etag=lambda snapshot: snapshot.document_sha256,
        )
        if served is None:
            raise Http404("No published period")
        return _open_headers(served, MAX_AGE)

    return wrapper


@_snapshot_file
def period_csv(snapshot: Snapshot) -> HttpResponse:
    response = HttpResponse(open_data.csv_bytes(snapshot), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="opendti-{snapshot.period.code}.csv"'
    return response


@_snapshot_file
def period_json(snapshot: Snapshot) -> HttpResponse:
    return HttpResponse(
        open_data.json_bytes(snapshot), content_type="application/json; charset=utf-8"
    )


def _entries() -> list[tuple[Snapshot, dict]]:
    """Each published period with its open-data addresses (absolute paths), newest first."""
    entries = []
    for snapshot in open_data.catalogue():
        period = snapshot.period
        entries.append(
            (
                snapshot,
                {
                    "code": period.code,
                    "title": period.title,
                    "year": period.year,
                    "level": period.framework.level.code,
                    "level_name": period.framework.level.name,
                    "decision": {
                        "number": snapshot.decision_number,
                        "date": snapshot.issued_on.isoformat(),
                        "signer": snapshot.signer,
                    }
                    if snapshot.has_decision
                    else None,
                    "published_at": timezone.localtime(
                        snapshot.publication.published_at
                    ).isoformat(),
                    "document_sha256": snapshot.document_sha256,
                    "csv": reverse("portal:open_data_csv", args=[period.code]),
                    "json": reverse("portal:open_data_json", args=[period.code]),
                    "embed": reverse("portal:open_data_embed", args=[period.code]),
                    "results": reverse("portal:period_results", args=[period.code]),
                },
            )
        )
    return entries


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    entries = [
        {**entry, "snapshot": snapshot, "embed_url": request.build_absolute_uri(entry["embed"])}
        for snapshot, entry in _entries()
    ]
    return render(request, "portal/open_data/index.html", {"entries": entries})


@require_safe
def period_list(request: HttpRequest) -> HttpResponse:
    body = json.dumps(
        {"format_version": open_data.FORMAT_VERSION, "periods": [e for _s, e in _entries()]},
        ensure_ascii=False,
        indent=2,
    ).encode("utf-8")

    def build() -> HttpResponse:
        return HttpResponse(body, content_type="application/json; charset=utf-8")

    return _conditional(request, hashlib.sha256(body).hexdigest(), build, LIST_MAX_AGE)


def _count(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


EMBED_OPTIONS = {"nhom", "so-luong"}


@require_safe
@xframe_options_exempt  # the one page other sites may put in an iframe: it has nothing to click
# The same for browsers that read the policy: no frame-ancestors directive at all, since "*" would
# not match a page without a network origin (a file, about:blank, a sandboxed frame) and browsers
# then refuse the frame. django-csp types views as taking the request only.
@csp_replace({"frame-ancestors": None})  # type: ignore[arg-type]
def embed(request: HttpRequest, period: str) -> HttpResponse:
    """Kept rendered like the files (the same for everyone, no header)."""
    served = published.serve(
        request,
        period,
        view="embed",
        render=lambda public, _snapshot: _embed(public, period),
        keep=published.keepable(request.GET, EMBED_OPTIONS),
    )
    if served is None:
        raise Http404("No published period")
    return served


def _embed(request: HttpRequest, period: str) -> HttpResponse:
    snapshot = _published_or_404(period)
    chart = open_data.embed_chart(
        snapshot, group=request.GET.get("nhom") or None, top=_count(request.GET.get("so-luong"))
    )
    return render(
        request,
        "portal/open_data/embed.html",
        {"snapshot": snapshot, "period": snapshot.period, "embed": chart},
    )
