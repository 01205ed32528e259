"""Blanks left in an answer: the "[описание принятых мер]" of a template not filled in.

A placeholder is a short bracketed phrase of words only: "[норма закона]", "[Measures
taken]". Brackets holding a digit ("[1]", "[п. 3]") are references, not blanks, and are kept.
"""

from __future__ import annotations

import re

# Letters, spaces, hyphens and a few signs of a phrase; no digit, no bracket, no new line.
_PLACEHOLDER = re.compile(r"\[([^\[\]\d\n]{2,80})\]")


def find_placeholders(text: str | None) -> list[str]:
    """The blanks still in `text`, each once, in the order they appear (with brackets)."""
    found: list[str] = []
    for match in _PLACEHOLDER.finditer(text or ""):
        inner = match.group(1)
        if not any(ch.isalpha() for ch in inner):
            continue
        token = match.group(0)
        if token not in found:
            found.append(token)
    return found
