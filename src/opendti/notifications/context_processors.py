"""Template context for every page: the unread count behind the header's "Thông báo" link."""

from __future__ import annotations

from django.http import HttpRequest

from .services import unread_count


def unread(request: HttpRequest) -> dict[str, int]:
    # Requests that skipped the authentication middleware (some error pages) have no user.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count(user)}
