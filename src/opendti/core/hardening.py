"""Two hardened defaults every response gets (issue 14; ASVS 5.0 V13.4.4, V14.2.2, V14.3.2).

- TRACE is refused (405): nothing here needs it, and a method that echoes a request has no place
  in production (nginx refuses it too).
- A page served to a signed-in person (any request with a session cookie) is not kept by browsers or shared caches
  (`Cache-Control: no-store, private`…) unless the view set its own caching (the public open data
  keeps its ETag and its public cache).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import add_never_cache_headers, patch_cache_control

ALLOWED = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class HardeningMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "TRACE":
            return HttpResponseNotAllowed(ALLOWED)
        response = self.get_response(request)
        # Whoever carries a session cookie may be signed in: decided from the cookie alone, so
        # that no request loads its session or user for this.
        has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        if has_session and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
