"""A snapshot that no longer matches its seal is never served: the page, file or API answer that
would have shown it refuses with a clear explanation instead (503: the results are unavailable
until the record is restored), whoever asks."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .seal import SealBroken

STATUS = 503


class SealMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, SealBroken):
            return None
        period = exception.snapshot.period
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _(
                        "Kết quả đã phê duyệt của kỳ %(period)s không khớp với dấu niêm phong; "
                        "tạm ngừng cung cấp."
                    )
                    % {"period": period.code}
                },
                status=STATUS,
            )
        return render(
            request, "publication/seal_broken.html", {"period": period.title}, status=STATUS
        )
