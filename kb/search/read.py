"""Reading the search index's binary files back (``kb search``'s query rules in
Python, the tests, and looking into an index by hand); the format is described in
:mod:`kb.search.index`."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import NamedTuple

from kb.search.index import fnv1a


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


def lookup(index: Path, term: str, folder: str = "t") -> Entry | None:
    """The entry of ``term`` (folder ``t``) or of a pair of groups (folder ``b``) in the
    index at ``index``, or None."""
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    count = manifest["shards" if folder == "t" else "phrase_shards"]
    shard = index / folder / f"{fnv1a(term) % count}.bin"
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
