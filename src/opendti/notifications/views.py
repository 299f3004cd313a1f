"""A person's notifications: the list, and marking them read. Only one's own, always."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils.translation import get_language, override
from django.views.decorators.http import require_GET, require_POST

from . import services

PAGE_SIZE = 50


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        services.notifications_of(request.user).only(
            "kind", "title", "body", "url", "created_at", "read_at"
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("trang"))
    language = get_language()
    # Stored paths are in the default language (no prefix); someone reading the site in English
    # follows the link to the English page. translate_url resolves the path in the active
    # language, so it must run in the default one, where unprefixed paths resolve.
    with override(settings.LANGUAGE_CODE):
        rows = [(n, translate_url(n.url, language) if n.url else "") for n in page]
    return render(
        request,
        "notifications/list.html",
        {"page": page, "rows": rows},
    )


@require_POST
@login_required
def mark_read(request: HttpRequest) -> HttpResponse:
    """POST `id` marks that notification read, no `id` marks all; then back to the list (the
    same page of it). Someone else's id changes nothing: mark_read looks at one's own only."""
    if "id" in request.POST:
        try:
            ids = [int(request.POST["id"])]
        except ValueError:
            return HttpResponseBadRequest()
        services.mark_read(request.user, ids)
    else:
        services.mark_read(request.user)
    target = reverse("notifications:list")
    page = request.POST.get("trang", "")
    if page.isascii() and page.isdigit() and page != "1":
        target += f"?trang={page}"
    return redirect(target)
