"""The site's query rule in Python, read from a built index: the same parts (words, phrases
in quotes), the same AND, scores and orders as ``docs/javascripts/search.js``. ``kb bench
search`` ranks with it, and tests compare it with what the browser shows."""

from __future__ import annotations

import gzip
import itertools
import json
import re
import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from kb.search.read import Entry, lookup
from kb.search.terms import proposals
from kb.search.words import WORD, fold, is_indexed

MAX_WORDS = 20  # search.js: MAX_WORDS
PREFIX_WORDS = 16  # search.js: PREFIX_WORDS
TIER_BOOST = 1.0  # search.js: TIER_BOOST


QUERY_WORD = re.compile(WORD.pattern + r"\*?")


def split_groups(text: str) -> list[list[str]]:
    """The query's words as the browser splits them: one word, or the parts of a
    hyphenated word (a phrase) when every part is indexed, else its joined form. A word
    with a star after it ("licens*") is a prefix and keeps its star."""
    out = []
    for m in QUERY_WORD.finditer(fold(text)):
        star = m[0].endswith("*")
        parts = m[0].rstrip("*").split("-")
        if len(parts) > 1 and all(map(is_indexed, parts)):
            out.append(parts)
        elif is_indexed("".join(parts)):
            out.append(["".join(parts) + ("*" if star else "")])
    return out


def query_parts(query: str) -> list[list[str]]:
    """Each part of the query: one word, or the words of a phrase in quotes or of a
    hyphenated word."""
    parts: list[list[str]] = []
    for i, piece in enumerate(query.split('"')):
        groups = split_groups(piece)
        if i % 2 == 1:
            words = [w.rstrip("*") for g in groups for w in g]
            parts += [words] if words else []
        else:
            parts += groups
    out, total = [], 0
    for part in parts:
        total += len(part)
        if total <= MAX_WORDS:
            out.append(part)
    return out


@dataclass
class Index:
    """A built index on disk (``site/search/idx``)."""

    root: Path

    @cached_property
    def manifest(self) -> dict[str, object]:
        data: dict[str, object] = json.loads((self.root / "manifest.json").read_text("utf-8"))
        return data

    @cached_property
    def tiers(self) -> bytes:
        units = int(str(self.manifest["units"]))
        facets = len(self.manifest["facets"])  # type: ignore[arg-type]
        data = gzip.decompress((self.root / "facets.bin").read_bytes())
        return data[facets * units : (facets + 1) * units]

    def entries(self, part: list[str]) -> list[Entry] | None:
        """The entries a part is the AND of (a word's, or a phrase's adjacent pairs'), or
        None when one is not in the index."""
        if len(part) == 1:
            found = self.word_or_prefix(part[0])
            return [found] if found else None
        words = [self.word(w) for w in part]
        if any(e is None for e in words):
            return None
        pairs = [
            lookup(self.root, f"{a.stem} {b.stem}", "b")
            for a, b in itertools.pairwise(words)
            if a and b
        ]
        if any(e is None for e in pairs):
            return None
        return [e for e in pairs if e]

    def word(self, word: str) -> Entry | None:
        """A word's entry, or that of the first American form of it the index holds."""
        for form in (word, *proposals(word)):
            entry = lookup(self.root, form)
            if entry:
                return entry
        return None

    def word_or_prefix(self, word: str) -> Entry | None:
        """A word's entry; for "licens*", or a word the index lacks, the entry of the
        words it begins (``prefix``)."""
        bare = word.rstrip("*")
        found = None if word.endswith("*") else self.word(bare)
        return found or self.prefix(bare)

    def prefix_words(self, prefix: str) -> list[str]:
        """The commonest words of the vocabulary that begin with ``prefix``."""
        head = prefix[: int(str(self.manifest["prefix"]))]
        path = self.root / "v" / f"{head.encode().hex()}.json"
        if len(head) < int(str(self.manifest["prefix"])) or not path.exists():
            return []
        vocab = json.loads(path.read_text("utf-8"))
        return [w for w, _ in vocab if w.startswith(prefix)][:PREFIX_WORDS]

    def prefix(self, prefix: str) -> Entry | None:
        """The words beginning with ``prefix`` as one entry (search.js ``prefixLookup``):
        a unit holding any of them, with its best impact and that word's passage."""
        stems: set[str] = set()
        best: dict[int, tuple[int, int]] = {}
        forms: list[str] = []
        for word in self.prefix_words(prefix):
            entry = lookup(self.root, word)
            if entry is None:
                continue
            forms.append(word)
            if entry.stem in stems:
                continue
            stems.add(entry.stem)
            forms += entry.forms
            for unit, impact, passage in entry.postings:
                if unit not in best or impact > best[unit][0]:
                    best[unit] = (impact, passage)
        if not stems:
            return None
        return Entry("", forms, [(u, *best[u]) for u in sorted(best)])

    def search(self, query: str, sort: str = "") -> list[int]:
        """The units matching ``query``, in the order the search page shows them ("" best
        match, "orgs" organisations first, "people" individuals first)."""
        found: list[Entry] = []
        for part in query_parts(query):
            entries = self.entries(part)
            if entries is None:
                return []
            found += entries
        if not found:
            return []
        scores: dict[int, float] = {}
        count: dict[int, int] = {}
        for entry in found:
            for unit, impact, _ in entry.postings:
                scores[unit] = scores.get(unit, 0) + impact
                count[unit] = count.get(unit, 0) + 1
        hits = [u for u, c in count.items() if c == len(found)]
        score = {u: scores[u] * (1 + TIER_BOOST * self.tiers[u]) for u in hits}

        def group(u: int) -> int:
            if sort == "orgs":
                return 0 if self.tiers[u] >= 2 else 1
            if sort == "people":
                return 1 if self.tiers[u] >= 2 else 0
            return 0

        # Float32 in the browser: round the same way so ties break alike.
        return sorted(hits, key=lambda u: (group(u), -_f32(score[u]), -u))

    def urls(self) -> list[str]:
        """Each unit's URL (``filings/<id>/`` …), by unit number."""
        block = int(str(self.manifest["doc_block"]))
        units = int(str(self.manifest["units"]))
        out: list[str] = []
        for k in range(0, units, block):
            rows = json.loads((self.root / "d" / f"{k // block}.json").read_text("utf-8"))
            out += [r[0] for r in rows]
        return out


def _f32(x: float) -> float:
    return float(struct.unpack("f", struct.pack("f", x))[0])
