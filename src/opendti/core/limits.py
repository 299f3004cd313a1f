"""Request bodies are capped before they are read (issue 14, hardened defaults).

Django checks DATA_UPLOAD_MAX_MEMORY_SIZE only when a view reads the body, and streams multipart
uploads to disk whatever their size. This middleware answers 413 from the announced
Content-Length alone, so a client cannot make a worker read (or wait for) a body that will be
refused anyway: a multipart upload may carry up to OPENDTI_UPLOAD_MAX_BYTES (the evidence cap and
room for the other fields), any other body DATA_UPLOAD_MAX_MEMORY_SIZE. A body sent without a
Content-Length (chunked) is still bounded by Django's own checks and by the proxy
(client_max_body_size in deploy/nginx/opendti.conf).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


def body_cap(content_type: str) -> int:
    """The largest body, in bytes, accepted for a request of this content type."""
    if content_type.split(";", 1)[0].strip().lower() == "multipart/form-data":
        return int(settings.OPENDTI_UPLOAD_MAX_BYTES)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        announced = request.META.get("CONTENT_LENGTH") or ""
        try:
            length = int(announced) if announced else 0
        except ValueError:
            return HttpResponse(_("Độ dài nội dung không hợp lệ."), status=400)
        cap = body_cap(request.META.get("CONTENT_TYPE", ""))
        if length > cap:
            response = HttpResponse(
                _("Nội dung gửi lên quá lớn: tối đa %(mb)s MB.") % {"mb": cap // (1024 * 1024)},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
            # The unread body stays on the connection: it must not be taken for the next request.
            response["Connection"] = "close"
            return response
        return self.get_response(request)
