"""The site's own static search index: full text of every filing, facets, a few KB per term.

Pagefind (tried first) stores every word's positions and groups words into large chunks,
so a query of common words fetched 400–570 KB on this corpus. This index stores, per
term, only which units contain it or another form of its stem (delta-coded ids), a
one-byte BM25 impact and the passage where it first occurs, hashed into small shards; a
term found in many units gets a file of its own. The browser fetches one shard
per query word (plus that file), the metadata of the results it shows and the passage of
each result that holds the words. ``docs/javascripts/search.js`` reads it; the formats
below are the contract between the two.

Files under ``search/idx/``:

Binary files are gzipped on disk. JSON files are left for the host to compress.

- ``manifest.json``: version, unit count, shard counts, block sizes, facet definitions,
  the British → American rules (``kb.search.terms``) as [pattern, replacement] for a
  query word the index lacks.
- ``facets.bin``: one byte per unit for each facet column, column after column. Kinds,
  categories and the other facets are value codes (0 = none); a stance column is a bit
  set (1 supports, 2 opposes, 4 mixed) since a press article can report several holders.
  After the facets, one more column: each unit's weight tier (``kb.search.units``: 3
  bills and organisation pages, 2 organisations' filings and agency documents, 1 long
  and 0 short comments of individuals), which ranking multiplies relevance by.
- ``t/<h>.bin``: entries ``term, stem, k, k other forms of the stem, kind`` (strings are
  varint length + UTF-8, numbers varints); kind 0 is followed by a posting block, kind 1
  by the number of the file ``p/<n>.bin`` that holds it. The shard of a term is FNV-1a (32-bit, UTF-8) modulo the shard count.
- ``b/<h>.bin``: the same entries (empty stem, no other forms) for pairs of adjacent
  words' groups, "fair use" (the key of "fair" and of "use", one space between): a phrase
  query is the AND of its pairs, and the pair's passage is where the phrase first occurs.
  The shard is FNV-1a of the pair modulo the phrase shard count.
- ``v/<hex>.json``: ``[word, units]`` of the words that start with the same two
  characters (the hex of their UTF-8 is the name), commonest first: as-you-type
  completions and "did you mean" corrections.
- posting block: ``n``, ``n`` varint id deltas, ``n`` impact bytes, ``n`` varint passage
  numbers (where the stem first occurs in the unit's text).
- ``d/<k>.json``: ``[url, heading, date, docket, passages]`` of units ``k·D … k·D+D-1``.
- ``x/<unit>-<g>.json``: passages ``g·G … g·G+G-1`` of a unit's text (``x/<unit>-0.json`` is
  written for every unit, empty for one without text).

Units are numbered by date (undated last), so ordering by date is ordering by number.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kb.render.issues import issue_name
from kb.search.terms import groups, organisation_acronyms, variant_rules
from kb.search.units import STANCE_BITS, Unit, units_from_db
from kb.search.words import WORD, adjacent, words
from nlp.stance import ISSUES

VERSION = 3  # the browser refuses an index of another version
PASSAGE_CHARS = 400  # a passage is about this long, cut at whitespace
GROUP = 8  # passages per file
DOC_BLOCK = 32  # units per metadata file
MAX_FORMS = 24  # other forms of a stem listed with a term (the snippet marks them)
OWN_FILE = 160  # a stem in more units than this gets a postings file of its own
SHARD_BYTES = 4096  # aim for shards about this size (before compression)
OTHER_FORMS = 0.5  # another form of a query word's stem counts half
TITLE_WEIGHT = 3  # a word in the heading counts as this many in the text
K1, B = 1.2, 0.75  # BM25
NOWHERE = 1 << 30  # first passage of a word that is only in the heading

PREFIX = 2  # vocabulary files hold the words that start with the same two characters
SUGGEST_MIN_UNITS = 2  # a word in fewer units is neither suggested nor a correction


def passages(text: str, size: int = PASSAGE_CHARS) -> list[str]:
    """``text`` cut at whitespace into pieces of about ``size`` characters."""
    out, start = [], 0
    text = text.strip()
    while start < len(text):
        end = start + size
        if end < len(text):
            space = text.rfind(" ", start + size // 2, end + size // 4)
            end = space if space > start else end
        out.append(text[start:end].strip())
        start = end
    return [p for p in out if p]


def fnv1a(term: str) -> int:
    h = 0x811C9DC5
    for byte in term.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def varint(n: int, out: bytearray) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def string(s: str, out: bytearray) -> None:
    raw = s.encode("utf-8")
    varint(len(raw), out)
    out += raw


@dataclass
class IndexReport:
    units: int = 0
    terms: int = 0
    stems: int = 0
    shards: int = 0
    own_files: int = 0
    phrases: int = 0
    phrase_shards: int = 0
    vocabulary_files: int = 0
    files: int = 0
    bytes: int = 0

    def summary(self) -> str:
        return (
            f"{self.units} units, {self.terms} terms ({self.stems} stems), {self.shards} shards, "
            f"{self.phrases} word pairs in {self.phrase_shards} shards, "
            f"{self.vocabulary_files} vocabulary files, "
            f"{self.own_files} own postings files, {self.files} files, {self.bytes / 1e6:.1f} MB"
        )


def facet_columns(units: list[Unit]) -> tuple[list[dict[str, Any]], list[bytes]]:
    """Facet definitions for the manifest and one byte column per facet."""
    defs: list[dict[str, Any]] = []
    columns: list[bytes] = []

    def coded(name: str, values: list[str]) -> None:
        labels = sorted({v for v in values if v})
        code = {v: i + 1 for i, v in enumerate(labels)}
        defs.append({"name": name, "values": labels})
        columns.append(bytes(code.get(v, 0) for v in values))

    coded("Kind", [u.kind.replace("_", " ") for u in units])
    coded("Category", [u.category for u in units])
    coded("Filer", [u.filer for u in units])
    coded("Docket", [u.docket for u in units])
    coded("Year", [u.date[:4] for u in units])
    coded("Form letter", ["form letter" if u.form_letter else "own words" for u in units])
    for issue in ISSUES:
        defs.append(
            {"name": issue_name(issue), "issue": issue, "values": list(STANCE_BITS), "bits": True}
        )
        columns.append(bytes(u.stances.get(issue, 0) for u in units))
    return defs, columns


def postings_block(entries: list[tuple[int, int, int]]) -> bytearray:
    """(unit, impact, passage) sorted by unit → the binary posting block."""
    out = bytearray()
    varint(len(entries), out)
    last = 0
    for unit, _, _ in entries:
        varint(unit - last, out)
        last = unit
    out += bytes(impact for _, impact, _ in entries)
    for _, _, passage in entries:
        varint(passage, out)
    return out


class Files:
    """Writes the index's files under one folder, counting them for the report.
    Binary files are stored gzipped (a static host need not compress them; the browser
    inflates them with DecompressionStream); JSON is left for the host to compress."""

    def __init__(self, root: Path, report: IndexReport) -> None:
        self.root, self.report = root, report
        for sub in ("t", "b", "p", "d", "x", "v"):
            (root / sub).mkdir(parents=True, exist_ok=True)

    def write(self, rel: str, data: bytes) -> None:
        (self.root / rel).write_bytes(data)
        self.report.files += 1
        self.report.bytes += len(data)

    def binary(self, rel: str, data: bytes) -> None:
        self.write(rel, gzip.compress(data, compresslevel=9, mtime=0))

    def json(self, rel: str, data: Any) -> None:
        self.write(rel, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


def order(units: Iterable[Unit]) -> list[Unit]:
    return sorted(units, key=lambda u: (not u.date, u.date, u.key))


#: surface term → unit → [weighted term frequency, first passage]
Postings = dict[str, dict[int, list[int]]]


def count_terms(units: list[Unit], files: Files) -> tuple[Postings, list[int]]:
    """Each term's units with frequency and first passage, and each unit's length; writes
    the passage and metadata files on the way."""
    postings: Postings = defaultdict(dict)
    lengths: list[int] = []
    n_passages: list[int] = []
    for n, unit in enumerate(units):
        pieces = passages(unit.text)
        n_passages.append(len(pieces))
        # Every unit has its first passage file (empty without text): the search page
        # asks for a result's passages before its metadata has said how many there are.
        for g in range(0, max(len(pieces), 1), GROUP):
            files.json(f"x/{n}-{g // GROUP}.json", pieces[g : g + GROUP])
        length = 0
        for p, piece in enumerate(pieces):
            for term, tf in Counter(words(piece)).items():
                length += tf
                postings[term].setdefault(n, [0, p])[0] += tf
        for term, tf in Counter(words(f"{unit.heading} {unit.extra}")).items():
            length += tf
            postings[term].setdefault(n, [0, NOWHERE])[0] += TITLE_WEIGHT * tf
        lengths.append(length)
    for k in range(0, len(units), DOC_BLOCK):
        files.json(
            f"d/{k // DOC_BLOCK}.json",
            [
                [u.url, u.heading, u.date, u.docket, n_passages[k + i]]
                for i, u in enumerate(units[k : k + DOC_BLOCK])
            ],
        )
    return postings, lengths


def count_phrases(units: list[Unit], stem_of: dict[str, str]) -> Postings:
    """Each pair of adjacent words' groups ("fair use", "fair us" for "fair uses") with the
    units holding it, its frequency and first passage, as :func:`count_terms` counts words."""
    phrases: Postings = defaultdict(dict)
    for n, unit in enumerate(units):
        tail = ""  # the last word of the previous passage, so no pair is lost at a cut
        for p, piece in enumerate(passages(unit.text)):
            pairs = Counter(f"{stem_of[a]} {stem_of[b]}" for a, b in adjacent(f"{tail} {piece}"))
            for key, tf in pairs.items():
                phrases[key].setdefault(n, [0, p])[0] += tf
            last = list(WORD.finditer(piece))
            tail = last[-1][0] if last else ""
        heading = Counter(
            f"{stem_of[a]} {stem_of[b]}" for a, b in adjacent(f"{unit.heading} {unit.extra}")
        )
        for key, tf in heading.items():
            phrases[key].setdefault(n, [0, NOWHERE])[0] += TITLE_WEIGHT * tf
    return phrases


def write_vocabulary(postings: Postings, files: Files) -> int:
    """``v/<hex>.json``: the words in at least SUGGEST_MIN_UNITS units, by their first
    PREFIX characters (hex of their UTF-8), commonest first, as ``[word, units]``; the
    browser suggests completions and corrections from them. Returns the file count."""
    by_prefix: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for term, found in postings.items():
        if len(term) >= PREFIX and len(found) >= SUGGEST_MIN_UNITS and not term.isdigit():
            by_prefix[term[:PREFIX]].append((term, len(found)))
    for prefix, entries in by_prefix.items():
        entries.sort(key=lambda e: (-e[1], e[0]))
        files.json(f"v/{prefix.encode().hex()}.json", [list(e) for e in entries])
    return len(by_prefix)


def stem_groups(postings: Postings) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each term's group (:func:`kb.search.terms.groups`: variants joined, stems, protected
    words apart), and each group's terms, the commonest first."""
    stem_of = groups(postings, organisation_acronyms())
    forms: dict[str, list[str]] = defaultdict(list)
    for term, stem in stem_of.items():
        forms[stem].append(term)
    for group in forms.values():
        group.sort(key=lambda t: (-len(postings[t]), t))
    return stem_of, forms


def impacts(
    postings: Postings, forms: dict[str, list[str]], lengths: list[int]
) -> dict[str, list[tuple[int, int, int]]]:
    """Each term's (unit, impact, passage) rows: BM25 over every form of its stem, its own
    form counting fully and the others at OTHER_FORMS, scaled to one byte."""
    avg = sum(lengths) / max(len(lengths), 1)
    scored: dict[str, list[tuple[int, float, int]]] = {}
    for group in forms.values():
        found: dict[int, list[int]] = {}  # unit → [tf of all forms, first passage]
        for term in group:
            for n, (tf, p) in postings[term].items():
                seen = found.setdefault(n, [0, p])
                seen[0] += tf
                seen[1] = min(seen[1], p)
        idf = math.log(1 + (len(lengths) - len(found) + 0.5) / (len(found) + 0.5))
        ids = sorted(found)
        norms = [K1 * (1 - B + B * lengths[n] / avg) for n in ids]
        for term in group:
            own_tf = postings[term]
            rows = []
            for n, norm in zip(ids, norms, strict=True):
                mine = own_tf[n][0] if n in own_tf else 0
                weight = mine + OTHER_FORMS * (found[n][0] - mine)
                passage = found[n][1] if found[n][1] != NOWHERE else 0
                rows.append((n, idf * weight * (K1 + 1) / (weight + norm), passage))
            scored[term] = rows
    top = max((s for rows in scored.values() for _, s, _ in rows), default=1.0)
    return {
        term: [(n, max(1, round(s / top * 255)), p) for n, s, p in rows]
        for term, rows in scored.items()
    }


def write_terms(
    rows: dict[str, list[tuple[int, int, int]]],
    stem_of: dict[str, str],
    forms: dict[str, list[str]],
    files: Files,
    folder: str = "t",
) -> int:
    """The shards (and a common term's own postings file); returns the shard count."""
    entries: dict[str, bytearray] = {}
    for term in sorted(rows):
        buf = entries[term] = bytearray()
        string(term, buf)
        string(stem_of[term], buf)
        others = [f for f in forms[stem_of[term]] if f != term][:MAX_FORMS]
        varint(len(others), buf)
        for other in others:
            string(other, buf)
        block = postings_block(rows[term])
        if len(rows[term]) > OWN_FILE:
            own = files.report.own_files
            files.report.own_files += 1
            files.binary(f"p/{own}.bin", block)
            varint(1, buf)
            varint(own, buf)
        else:
            varint(0, buf)
            buf += block
    shards = max(1, math.ceil(sum(map(len, entries.values())) / SHARD_BYTES))
    content = [bytearray() for _ in range(shards)]
    for term, data in entries.items():
        content[fnv1a(term) % shards] += data
    for h, buf in enumerate(content):
        files.binary(f"{folder}/{h}.bin", buf)
    return shards


def build_index(units: list[Unit], out: Path) -> IndexReport:
    """Write the index of ``units`` under ``out`` (see the module's docstring)."""
    units = order(units)
    report = IndexReport(units=len(units))
    files = Files(out, report)
    postings, lengths = count_terms(units, files)
    stem_of, forms = stem_groups(postings)
    report.shards = write_terms(impacts(postings, forms, lengths), stem_of, forms, files)
    phrases = count_phrases(units, stem_of)
    report.phrases = len(phrases)
    alone = {key: [key] for key in phrases}
    report.phrase_shards = write_terms(
        impacts(phrases, alone, lengths), dict.fromkeys(phrases, ""), {"": []}, files, "b"
    )
    del phrases, alone
    report.vocabulary_files = write_vocabulary(postings, files)
    defs, columns = facet_columns(units)
    files.binary("facets.bin", b"".join(columns) + bytes(u.tier for u in units))
    files.json(
        "manifest.json",
        {
            "version": VERSION,
            "units": len(units),
            "dated": sum(1 for u in units if u.date),
            "shards": report.shards,
            "phrase_shards": report.phrase_shards,
            "prefix": PREFIX,
            "variants": variant_rules(),
            "doc_block": DOC_BLOCK,
            "group": GROUP,
            "facets": defs,
        },
    )
    report.terms, report.stems = len(postings), len(forms)
    return report


def write_search_index(db: Database, site: Path) -> IndexReport:
    """Index the database's filings, bills and organisations into ``site/search/idx``."""
    return build_index(units_from_db(db), site / "search" / "idx")
