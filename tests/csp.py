"""What every response must satisfy under the Content-Security-Policy (issue 14, hardened
defaults): the header is there and allows no inline script or style, and an HTML page carries no
inline <script>, <style>, style="" or on…="" handler the policy would block."""

from __future__ import annotations

import re

INLINE = [
    ("<style>", re.compile(r"<style[\s>]", re.I)),
    ('style=""', re.compile(r"""<[a-z][^>]*\sstyle\s*=""", re.I)),
    (
        "inline <script>",
        re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    ),
    ('on…=""', re.compile(r"""<[a-z][^>]*\son[a-z]+\s*=\s*["']""", re.I)),
]


def header_problems(response) -> list[str]:
    policy = response.get("Content-Security-Policy")
    if not policy:
        return ["no Content-Security-Policy header"]
    problems = []
    directives = {part.strip().split(" ", 1)[0] for part in policy.split(";") if part.strip()}
    for name in ("default-src", "script-src", "style-src", "object-src", "base-uri"):
        if name not in directives:
            problems.append(f"no {name}")
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        problems.append(f"unsafe source in {policy!r}")
    return problems


def inline_problems(html: str) -> list[str]:
    """The inline code of an HTML page, by kind (the first few characters of each)."""
    found = []
    for kind, pattern in INLINE:
        for match in pattern.finditer(html):
            found.append(f"{kind}: {html[match.start() : match.start() + 80]!r}")
    return found


def problems(response) -> list[str]:
    found = header_problems(response)
    if response.get("Content-Type", "").startswith("text/html") and not getattr(
        response, "streaming", False
    ):
        found += inline_problems(response.content.decode("utf-8", "replace"))
    return found
