"""The words of the search index, as the browser sees them: folding (lower case, no
accents), index terms (hyphenated words as parts and joined), and pairs of adjacent
terms for phrases. ``docs/javascripts/search.js`` folds and splits queries the same way."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator

WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def fold(text: str) -> str:
    """Lower case without accents (the browser folds queries the same way)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))


def words(text: str) -> Iterator[str]:
    """Index terms of ``text``: each word, and each part and the joined form of a
    hyphenated one ("opt-out" → opt, out, optout); single letters are left out."""
    for m in WORD.finditer(fold(text)):
        parts = m[0].split("-")
        for part in parts:
            if is_indexed(part):
                yield part
        if len(parts) > 1:
            yield "".join(parts)


def is_indexed(part: str) -> bool:
    return len(part) > 1 or part.isdigit()


def adjacent(text: str) -> Iterator[tuple[str, str]]:
    """Pairs of adjacent index terms of ``text``, for phrase queries: "fair use" → (fair,
    use); a hyphenated word is its parts in a row and its joined form ("an opt-out
    scheme" → (an, opt), (opt, out), (out, scheme), (an, optout), (optout, scheme))."""
    before: list[str] = []
    for m in WORD.finditer(fold(text)):
        split = m[0].split("-")
        joined = ["".join(split)] if len(split) > 1 else []
        parts = [p for p in split if is_indexed(p)]
        if not parts and not joined:
            continue
        for a in before:
            for b in parts[:1] + joined:
                yield a, b
        yield from itertools.pairwise(parts)
        before = parts[-1:] + joined
