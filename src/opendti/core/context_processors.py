"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url


def language_switch(request: HttpRequest) -> dict[str, str]:
    """The current page's address in the default language, for the language switch.

    With prefix_default_language=False, Django's set_language runs in the default language and
    cannot resolve an /en/... address, so the switch would stay on the English page; an address
    without the prefix resolves in every language and is translated to the one chosen.
    """
    return {"language_next": translate_url(request.get_full_path(), settings.LANGUAGE_CODE)}
