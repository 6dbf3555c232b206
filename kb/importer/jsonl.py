"""``kb import`` of JSONL exports (``*.jsonl``, ``*.jsonl.gz``), line by line.

Every complete, well-formed line is imported; a bad line (invalid JSON or UTF-8,
a field of the wrong type) and the cut-off end of a truncated ``.gz`` are
reported by line number and the rest of the file goes on. A ``.gz`` is
decompressed in steps and stops at :class:`kb.settings.InputLimits`'
``decompressed`` bound, so a gzip bomb costs at most that much memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kb.errors import ParseError
from kb.records import Kind
from kb.settings import InputLimits
from scrapers.regulations_gov import SOURCE as REGS
from scrapers.regulations_gov import parse as regs
from scrapers.regulations_gov import titles

if TYPE_CHECKING:
    from kb.importer import Importer

_STEP = 1 << 20


def decompress_gzip(data: bytes, *, item: str, limit: int) -> tuple[bytes, str | None]:
    """The bytes a gzip stream holds, and why it stopped early (truncated, corrupt), if it did.

    More than ``limit`` bytes of output is a ``ParseError``: the file is refused whole.
    """
    out = bytearray()
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = data
    while True:
        try:
            chunk = inflater.decompress(pending, _STEP)
        except zlib.error as exc:
            return bytes(out), f"corrupt gzip stream ({exc})"
        out += chunk
        if len(out) > limit:
            raise ParseError(
                f"decompresses to more than {limit // (1024 * 1024)} MB "
                "(raise $KB_MAX_DECOMPRESSED_MB to allow it)",
                item=item,
            )
        pending = inflater.unconsumed_tail
        if inflater.eof:
            return bytes(out), None
        if not pending and not chunk:
            return bytes(out), "truncated gzip stream"


def split_lines(raw: bytes, *, item: str, cut: str | None) -> tuple[list[str], list[ParseError]]:
    """Decoded lines (an undecodable or cut-off line left blank) and a problem per bad line."""
    chunks = raw.split(b"\n")
    problems: list[ParseError] = []
    if cut and chunks and chunks[-1].strip():
        problems.append(ParseError(f"line cut short: {cut}", item=f"{item}:{len(chunks)}"))
        chunks[-1] = b""
    elif cut:
        problems.append(ParseError(cut, item=f"{item}:{len(chunks)}"))
    lines = []
    for n, chunk in enumerate(chunks, start=1):
        try:
            lines.append(chunk.decode("utf-8"))
        except UnicodeDecodeError as exc:
            problems.append(ParseError(f"not UTF-8 ({exc.reason})", item=f"{item}:{n}"))
            lines.append("")
    return lines, problems


def read_jsonl(path: Path, data: bytes) -> tuple[list[str], list[ParseError]]:
    item = str(path)
    if path.name.endswith(".gz"):
        raw, cut = decompress_gzip(data, item=item, limit=InputLimits().decompressed)
    else:
        raw, cut = data, None
    return split_lines(raw, item=item, cut=cut)


def import_jsonl(importer: Importer, path: Path, data: bytes) -> None:
    item = str(path)
    lines, problems = read_jsonl(path, data)
    for problem in problems:
        importer.fail(problem, path)
    first = next((line for line in lines[:20] if line.strip()), "")
    if titles.is_title_line(first):
        importer._title_files.append((path, lines))
        return
    prov = importer.provenance(path, data, REGS)
    records = []
    for result in regs.parse_comment_text_lines(iter(lines), item=item):
        if isinstance(result, ParseError):
            importer.fail(result, path)
        else:
            records.append(result)
    if not records:
        raise ParseError("no records in file", item=item)
    importer.add_documents(records, prov)


def import_titles(importer: Importer, path: Path, lines: list[str]) -> None:
    """Comment titles: each fills in its document's filer and attachment list.

    A "Comment from …" title names a public submission, so it may create the
    comment; any other title (a notice's) only updates a document already held.
    """
    item = str(path)
    prov = importer.provenance(path, "\n".join(lines).encode("utf-8"), REGS)
    parsed: list[titles.TitleRecord] = []
    for result in titles.parse_comment_title_lines(iter(lines), item=item):
        if isinstance(result, ParseError):
            importer.fail(result, path)
        else:
            parsed.append(result)
    if not parsed:
        raise ParseError("no records in file", item=item)
    kinds = dict(_kinds(importer, [t.id for t in parsed]))
    records = []
    for rec in parsed:
        if rec.id in kinds:
            records.append(rec.as_document(Kind(kinds[rec.id])))
        elif rec.filer is not None:
            records.append(rec.as_document(Kind.COMMENT))
        else:
            importer.report.skipped.append(
                (f"{item} ({rec.id})", "title of a document not in the database, not a comment")
            )
    importer.add_documents(records, prov)


def _kinds(importer: Importer, ids: list[str]) -> Iterator[tuple[str, str]]:
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in importer.db.query(
            f"select id, kind from documents where id in ({marks})", chunk
        ):
            yield row["id"], row["kind"]
