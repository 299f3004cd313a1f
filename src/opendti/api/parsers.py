"""The API's JSON parser: DRF's, with nesting deeper than any request needs refused as a 400.

Python's json module recurses once per array or object level: `[[[[…` 100,000 deep raises
RecursionError, which DRF does not catch (a 500), and a few hundred levels that do parse would
still recurse through validation and error messages. No request of the API nests beyond a few
levels, so anything deeper than MAX_DEPTH is refused with a message. The body itself is bounded
before it is read (opendti.core.limits).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def depth(document: object) -> int:
    """How deeply lists and objects nest in a parsed document (walked without recursion)."""
    deepest = 0
    pending: list[tuple[object, int]] = [(document, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        too_deep = ParseError(
            _("JSON lồng nhau quá sâu: tối đa %(depth)d cấp.") % {"depth": MAX_DEPTH}
        )
        try:
            document = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if depth(document) > MAX_DEPTH:
            raise too_deep
        return document
