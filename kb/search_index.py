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

- ``manifest.json``: version, unit count, shard count, block sizes, facet definitions.
- ``facets.bin``: one byte per unit for each facet column, column after column. Kinds,
  categories and the other facets are value codes (0 = none); a stance column is a bit
  set (1 supports, 2 opposes, 4 mixed) since a press article can report several holders.
- ``t/<h>.bin``: entries ``term, stem, k, k other forms of the stem, kind`` (strings are
  varint length + UTF-8, numbers varints); kind 0 is followed by a posting block, kind 1
  by the number of the file ``p/<n>.bin`` that holds it. The shard of a term is FNV-1a (32-bit, UTF-8) modulo the shard count.
- posting block: ``n``, ``n`` varint id deltas, ``n`` impact bytes, ``n`` varint passage
  numbers (where the stem first occurs in the unit's text).
- ``d/<k>.json``: ``[url, heading, date, docket, passages]`` of units ``k·D … k·D+D-1``.
- ``x/<unit>-<g>.json``: passages ``g·G … g·G+G-1`` of a unit's text.

Units are numbered by date (undated last), so ordering by date is ordering by number.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import snowballstemmer
from bs4 import BeautifulSoup
from sqlite_utils import Database

from kb.render.filings import filing_label
from kb.render.issues import issue_name
from kb.render.markup import category_label, plain_title
from kb.store import site_query as q
from kb.store.query import export_bills
from nlp.stance import ISSUES

VERSION = 2  # the browser refuses an index of another version
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
STANCE_BITS = {"supports": 1, "opposes": 2, "mixed": 4}

WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
STEMMER = snowballstemmer.stemmer("english")


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
            if len(part) > 1 or part.isdigit():
                yield part
        if len(parts) > 1:
            yield "".join(parts)


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
class Unit:
    """One search result: a filing, a bill or an organisation."""

    key: str
    url: str
    kind: str
    heading: str
    text: str = ""
    extra: str = ""  # searchable words shown on the page but not in the snippet
    date: str = ""
    docket: str = ""
    category: str = ""
    form_letter: bool = False
    stances: dict[str, int] = field(default_factory=dict)


@dataclass
class IndexReport:
    units: int = 0
    terms: int = 0
    stems: int = 0
    shards: int = 0
    own_files: int = 0
    files: int = 0
    bytes: int = 0

    def summary(self) -> str:
        return (
            f"{self.units} units, {self.terms} terms ({self.stems} stems), {self.shards} shards, "
            f"{self.own_files} own postings files, {self.files} files, {self.bytes / 1e6:.1f} MB"
        )


def units_from_db(db: Database) -> list[Unit]:
    """Every filing (with its attachments' text), bill and organisation page of the site."""
    docs = q.documents(db)
    positions = q.positions_by_document(db)
    campaign_of = {m for c in q.campaigns(db) for m in c["document_ids"]}
    units: list[Unit] = []
    for doc_id, text, _pages in q.texts(db):
        doc = docs[doc_id]
        stances: dict[str, int] = defaultdict(int)
        for p in positions.get(doc_id, []):
            stances[p["issue"]] |= STANCE_BITS.get(p["stance"], 0)
        units.append(
            Unit(
                key=doc_id,
                url=f"filings/{doc_id}/",
                kind=str(doc.get("kind") or ""),
                heading=f"{filing_label(doc)} ({doc_id})",
                text=text,
                extra=" ".join(str(doc.get(k) or "") for k in ("title", "submitter", "org_name")),
                date=str(doc.get("posted_at") or "")[:10],
                docket=str(doc.get("docket_id") or ""),
                category=category_label(doc.get("category")),
                form_letter=doc_id in campaign_of,
                stances=dict(stances),
            )
        )
    for bill in export_bills(db):
        units.append(bill_unit(bill))
    held: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rows in positions.values():
        for p in rows:
            if p.get("holder_id"):
                held[p["holder_id"]].append(p)
    filers = {oid for d in docs.values() for oid in d["org_ids"]}
    for org in q.organizations(db):
        if org["id"] not in filers and org["id"] not in held:
            continue
        quotes = [qt.get("text", "") for p in held[org["id"]] for qt in p.get("quotes") or []]
        stances = defaultdict(int)
        for p in held[org["id"]]:
            stances[p["issue"]] |= STANCE_BITS.get(p["stance"], 0)
        units.append(
            Unit(
                key=org["id"],
                url=f"organizations/{org['id']}/",
                kind="organisation",
                heading=plain_title(org["name"]) or org["id"],
                text="\n".join(quotes),
                extra=" ".join(org.get("aliases") or []),
                category=category_label(org.get("category")),
                stances=dict(stances),
            )
        )
    return units


def bill_unit(bill: dict[str, Any]) -> Unit:
    sponsor = (bill.get("sponsor") or {}).get("name") or ""
    summaries = " ".join(
        BeautifulSoup(s.get("text") or "", "html.parser").get_text(" ")
        for s in bill.get("summaries") or []
    )
    latest = (bill.get("latest_action") or {}).get("text") or ""
    text = "\n".join(
        t
        for t in (
            bill.get("title") or "",
            f"Sponsor: {sponsor}" if sponsor else "",
            f"Latest action: {latest}" if latest else "",
            summaries,
        )
        if t
    )
    extra = " ".join(
        [
            str(bill.get("short_title") or ""),
            f"{bill.get('type') or ''} {bill.get('number') or ''}",
            " ".join(c.get("name") or "" for c in bill.get("cosponsors") or []),
            " ".join(a.get("text") or "" for a in bill.get("actions") or []),
            " ".join(bill.get("subjects") or []),
            str(bill.get("policy_area") or ""),
        ]
    )
    return Unit(
        key=bill["id"],
        url=f"bills/{bill['id']}/",
        kind="bill",
        heading=f"{bill.get('short_title') or bill.get('title') or bill['id']} ({bill['id']})",
        text=text,
        extra=extra,
        date=str(bill.get("introduced") or "")[:10],
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


def write_bin(path: Path, data: bytes) -> int:
    """Binary files are stored gzipped (a static host need not compress them; the browser
    inflates them with DecompressionStream)."""
    raw = gzip.compress(data, compresslevel=9, mtime=0)
    path.write_bytes(raw)
    return len(raw)


def write_json(path: Path, data: Any) -> int:
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.write_bytes(raw)
    return len(raw)


def order(units: Iterable[Unit]) -> list[Unit]:
    return sorted(units, key=lambda u: (not u.date, u.date, u.key))


def build_index(units: list[Unit], out: Path) -> IndexReport:
    """Write the index of ``units`` under ``out`` (see the module's docstring)."""
    units = order(units)
    report = IndexReport(units=len(units))
    for sub in ("t", "p", "d", "x"):
        (out / sub).mkdir(parents=True, exist_ok=True)

    def write(path: Path, data: Any) -> None:
        report.files += 1
        report.bytes += write_json(path, data)

    # Postings by surface term: unit → (weighted tf, first passage); lengths for BM25.
    postings: dict[str, dict[int, list[int]]] = defaultdict(dict)
    lengths: list[int] = []
    n_passages: list[int] = []
    for n, unit in enumerate(units):
        pieces = passages(unit.text)
        n_passages.append(len(pieces))
        for g in range(0, len(pieces), GROUP):
            write(out / "x" / f"{n}-{g // GROUP}.json", pieces[g : g + GROUP])
        length = 0
        for p, piece in enumerate(pieces):
            for term, tf in Counter(words(piece)).items():
                length += tf
                entry = postings[term].setdefault(n, [0, p])
                entry[0] += tf
        for term, tf in Counter(words(f"{unit.heading} {unit.extra}")).items():
            length += tf
            postings[term].setdefault(n, [0, NOWHERE])[0] += TITLE_WEIGHT * tf
        lengths.append(length)
    for k in range(0, len(units), DOC_BLOCK):
        write(
            out / "d" / f"{k // DOC_BLOCK}.json",
            [
                [u.url, u.heading, u.date, u.docket, n_passages[k + i]]
                for i, u in enumerate(units[k : k + DOC_BLOCK])
            ],
        )

    # A term matches every form of its stem ("licensing" finds "licence", "licensed"),
    # its own form counting fully and the others at OTHER_FORMS.
    stem_of = dict(zip(postings, STEMMER.stemWords(list(postings)), strict=True))
    forms: dict[str, list[str]] = defaultdict(list)
    for term, stem in stem_of.items():
        forms[stem].append(term)
    for group in forms.values():  # the commonest forms first
        group.sort(key=lambda t: (-len(postings[t]), t))
    avg = sum(lengths) / max(len(lengths), 1)
    total = len(units)
    scored: dict[str, list[tuple[int, float, int]]] = {}
    top = 0.0
    for group in forms.values():
        found: dict[int, list[int]] = {}  # unit → [tf of all forms, first passage]
        for term in group:
            for n, (tf, p) in postings[term].items():
                seen = found.setdefault(n, [0, p])
                seen[0] += tf
                seen[1] = min(seen[1], p)
        idf = math.log(1 + (total - len(found) + 0.5) / (len(found) + 0.5))
        ids = sorted(found)
        norms = [K1 * (1 - B + B * lengths[n] / avg) for n in ids]
        for term in group:
            own_tf = postings[term]
            rows = []
            for n, norm in zip(ids, norms, strict=True):
                mine = own_tf[n][0] if n in own_tf else 0
                weight = mine + OTHER_FORMS * (found[n][0] - mine)
                score = idf * weight * (K1 + 1) / (weight + norm)
                top = max(top, score)
                rows.append((n, score, found[n][1] if found[n][1] != NOWHERE else 0))
            scored[term] = rows
    blocks: dict[str, bytearray] = {}
    own: dict[str, int] = {}
    for term, rows in scored.items():
        block = postings_block([(n, max(1, round(s / top * 255)), p) for n, s, p in rows])
        if len(rows) > OWN_FILE:
            own[term] = len(own)
            report.files += 1
            report.bytes += write_bin(out / "p" / f"{own[term]}.bin", block)
        else:
            blocks[term] = block
    entries: dict[str, bytearray] = {}
    for term in sorted(postings):
        buf = entries[term] = bytearray()
        string(term, buf)
        string(stem_of[term], buf)
        others = [f for f in forms[stem_of[term]] if f != term][:MAX_FORMS]
        varint(len(others), buf)
        for other in others:
            string(other, buf)
        if term in own:
            varint(1, buf)
            varint(own[term], buf)
        else:
            varint(0, buf)
            buf += blocks[term]
    shards = max(1, math.ceil(sum(map(len, entries.values())) / SHARD_BYTES))
    content = [bytearray() for _ in range(shards)]
    for term, data in entries.items():
        content[fnv1a(term) % shards] += data
    for h, buf in enumerate(content):
        report.files += 1
        report.bytes += write_bin(out / "t" / f"{h}.bin", buf)
    defs, columns = facet_columns(units)
    report.files += 1
    report.bytes += write_bin(out / "facets.bin", b"".join(columns))
    manifest = {
        "version": VERSION,
        "units": total,
        "dated": sum(1 for u in units if u.date),
        "shards": shards,
        "doc_block": DOC_BLOCK,
        "group": GROUP,
        "facets": defs,
    }
    write(out / "manifest.json", manifest)
    report.terms, report.stems = len(postings), len(forms)
    report.shards, report.own_files = shards, len(own)
    return report


def write_search_index(db: Database, site: Path) -> IndexReport:
    """Index the database's filings, bills and organisations into ``site/search/idx``."""
    return build_index(units_from_db(db), site / "search" / "idx")


class Reader:
    """Reads the binary files back (for tests and for looking into an index by hand)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def varint(self) -> int:
        n = shift = 0
        while True:
            byte = self.data[self.pos]
            self.pos += 1
            n |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return n

    def string(self) -> str:
        size = self.varint()
        self.pos += size
        return self.data[self.pos - size : self.pos].decode("utf-8")

    def block(self) -> list[tuple[int, int, int]]:
        n, last, ids = self.varint(), 0, []
        for _ in range(n):
            last += self.varint()
            ids.append(last)
        impacts = self.data[self.pos : self.pos + n]
        self.pos += n
        return [(unit, impacts[k], self.varint()) for k, unit in enumerate(ids)]


class Entry(NamedTuple):
    stem: str
    forms: list[str]  # the other forms of the stem, commonest first
    postings: list[tuple[int, int, int]]  # (unit, impact, passage)


def lookup(index: Path, term: str) -> Entry | None:
    """The entry of ``term`` in the index at ``index``, or None."""
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    shard = index / "t" / f"{fnv1a(term) % manifest['shards']}.bin"
    r = Reader(gzip.decompress(shard.read_bytes()))
    while r.pos < len(r.data):
        found, stem = r.string(), r.string()
        others = [r.string() for _ in range(r.varint())]
        if r.varint() == 1:
            own = r.varint()
            if found == term:
                data = gzip.decompress((index / "p" / f"{own}.bin").read_bytes())
                return Entry(stem, others, Reader(data).block())
            continue
        rows = r.block()
        if found == term:
            return Entry(stem, others, rows)
    return None
