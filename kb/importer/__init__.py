"""``kb import``: load recorded upstream files from disk through the same parsers.

Files are recognised by content and place, not by trust in their names:

- regulations.gov v4 JSON bodies: document/comment details (with ``included``
  attachments), list pages, docket details and docket lists; recorded error
  bodies (a 404) are noted and skipped;
- ``*.jsonl`` / ``*.jsonl.gz`` comment-text exports (``{"id", "comment"}``) and
  comment-title exports (``{"id", "title", "attachment_titles"}``: the filer of
  every comment), read after the documents so a title only fills in what a
  richer record left empty;
- attachment files: ``attachments/<document id>/<title>.<ext>``,
  ``notices/<document id>.<ext>`` (a notice's own content) and
  ``<document id>_attachment_<n>.<ext>`` / ``<document id>_content.<ext>``.

Every bad item is reported (and kept in ``failures`` for ``kb status``); the
rest of the batch goes on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kb.errors import ExtractionError, KbError, ParseError, one_line
from kb.extract import extract_text
from kb.importer import jsonl
from kb.importer.batch import load_isolated
from kb.importer.confine import NOT_UTF8_NAME, printable, read_input, readable_type
from kb.importer.isolate import isolated
from kb.net.archive import sha256_bytes
from kb.records import (
    RICH_DETAIL,
    RICH_LIST_ITEM,
    AttachmentRef,
    DocketRecord,
    DocumentRecord,
    Kind,
)
from kb.store.load import (
    LoadStats,
    Provenance,
    clear_failure,
    load_attachment_content,
    record_failure,
    upsert_docket,
)
from scrapers.regulations_gov import SOURCE as REGS
from scrapers.regulations_gov import parse as regs

BATCH = 2000
ATTACHMENT_EXTS = frozenset(
    {"pdf", "docx", "txt", "htm", "html", "doc", "rtf", "jpg", "jpeg", "png"}
)
_DOC_ID = r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d{4}-\d+-\d+"
_DOC_ID_RE = re.compile(rf"^{_DOC_ID}$")
_FLAT_ATTACHMENT_RE = re.compile(
    rf"^(?P<id>{_DOC_ID})_(?:attachment_(?P<n>\d+)|(?P<content>content))\.(?P<ext>[A-Za-z0-9]+)$"
)
SKIP_NAMES = frozenset({"readme.md", "sources.md", ".ds_store"})


@dataclass
class ImportReport:
    files: int = 0
    dockets: int = 0
    documents: LoadStats = field(default_factory=LoadStats)
    attachments_ok: int = 0
    attachments_failed: int = 0
    attachments_unchanged: int = 0
    bills: int = 0
    families: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: (file or file: record, why nothing changed) of each record and attachment file
    #: that was already stored as it is
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    errors: list[KbError] = field(default_factory=list)

    def summary(self) -> str:
        d = self.documents
        return (
            f"{self.files} files: {d.created} documents created, {d.changed} changed, "
            f"{d.unchanged} unchanged, {self.dockets} dockets changed, {self.bills} bills "
            f"created or changed ({self.families} families), "
            f"{self.attachments_ok} attachments extracted ({self.attachments_unchanged} unchanged), "
            f"{len(self.errors)} errors, {len(self.skipped)} skipped"
        )


def file_provenance(path: Path, data: bytes, source: str) -> Provenance:
    mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    resolved = path.resolve()
    return Provenance(
        source=source,
        url=resolved.as_uri(),
        sha256=sha256_bytes(data),
        archive_path=str(resolved),
        fetched_at=mtime,
    )


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                # Links and special files are yielded too, to be refused by name.
                if not child.name.startswith(".") and (child.is_symlink() or not child.is_dir()):
                    yield child
        else:
            yield path


def attachment_target(path: Path) -> tuple[str, int | None, str, str] | None:
    """(document id, seq or None, title, format) when ``path`` is an attachment file."""
    ext = path.suffix.lower().lstrip(".")
    flat = _FLAT_ATTACHMENT_RE.match(path.name)
    if flat:
        seq = 0 if flat.group("content") else int(flat.group("n"))
        title = "content" if seq == 0 else f"attachment_{seq}"
        return flat.group("id"), seq, title, ext
    if ext not in ATTACHMENT_EXTS:
        return None
    if path.parent.name == "notices" and _DOC_ID_RE.match(path.stem):
        return path.stem, 0, "content", ext
    if _DOC_ID_RE.match(path.parent.name):
        return path.parent.name, None, path.stem, ext
    return None


class Importer:
    """One import run over many paths into one database."""

    def __init__(self, db: Database, *, progress: Callable[[int], None] | None = None) -> None:
        self.db = db
        self.report = ImportReport()
        self.progress = progress or (lambda n: None)
        self._pending: list[DocumentRecord] = []
        self._pending_prov: dict[str, Provenance] = {}
        #: Comment-title files, read once the documents they name are loaded.
        self._title_files: list[tuple[Path, list[str]]] = []
        from kb.importer import legislation

        #: Handlers tried in order before the regulations.gov formats.
        self.handlers = list(legislation.HANDLERS)
        self.bills_touched = False
        self.congress_bundles: dict[str, Any] = {}
        self.congress_provenance: dict[str, Provenance] = {}
        #: Stop at the first bad item instead of going on.
        self.strict = False

    # -- errors -------------------------------------------------------------
    def fail(self, error: KbError, path: Path, stage: str = "import") -> None:
        self.report.errors.append(error)
        record_failure(
            self.db,
            stage,
            getattr(error, "source", None) or "import",
            str(error.item or path),
            str(error),
            True,
        )
        if self.strict:
            raise error

    def ok(self, item: str, stage: str = "import") -> None:
        clear_failure(self.db, stage, item)

    # -- documents -------------------------------------------------------------
    def add_documents(self, records: list[DocumentRecord], prov: Provenance) -> None:
        for record in records:
            self._pending.append(record)
            self._pending_prov[record.id] = prov
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Load the pending records: in one transaction, else one by one past a bad record."""
        pending, prov = self._pending, self._pending_prov
        self._pending, self._pending_prov = [], {}
        if pending:
            self.report.documents.add(load_isolated(self, pending, prov))

    def add_docket(self, record: DocketRecord, prov: Provenance) -> None:
        if upsert_docket(self.db, record, prov):
            self.report.dockets += 1

    # -- run -------------------------------------------------------------------
    def run(self, paths: Iterable[Path]) -> ImportReport:
        paths = list(paths)
        files = list(expand_paths(paths))
        attachments = []
        for path in files:
            if printable(path) != str(path):
                self.fail(KbError(NOT_UTF8_NAME, item=printable(path)), path)
                continue
            if not path.exists():
                self.fail(KbError("no such file or directory", item=str(path)), path)
                continue
            if attachment_target(path) is not None:
                attachments.append(path)
                continue
            self.report.files += 1
            self.import_file(path)
            self.progress(1)
        if not files:  # an error of this run, not of an item to keep in failures
            self.report.errors.append(
                KbError("no files to import", item=", ".join(map(str, paths)))
            )
        self.flush()
        for path, lines in self._title_files:
            with isolated(self, path, str(path), "import"):
                jsonl.import_titles(self, path, lines)
                self.ok(str(path))
        self.flush()
        for path in attachments:
            self.report.files += 1
            with isolated(self, path, str(path), "extract"):
                self.import_attachment(path)
            self.progress(1)
        from kb.importer import legislation

        with isolated(self, Path("congress.gov"), "congress.gov bills", "load"):
            legislation.finish(self)
        return self.report

    def provenance(self, path: Path, data: bytes, source: str) -> Provenance:
        return file_provenance(path, data, source)

    def import_file(self, path: Path) -> None:
        name = path.name.lower()
        if name in SKIP_NAMES:
            self.report.skipped.append((str(path), "documentation"))
            return
        if not readable_type(path) and not path.is_symlink():
            self.report.skipped.append((str(path), "not a format kb import reads"))
            return
        with isolated(self, path, str(path), "import"):
            data = read_input(path, str(path))
            for handler in self.handlers:
                if handler(self, path, data):
                    self.ok(str(path))
                    return
            if name.endswith((".jsonl", ".jsonl.gz")):
                jsonl.import_jsonl(self, path, data)
            elif name.endswith(".json"):
                self.import_regs_json(path, data)
            elif name.endswith((".pdf", ".docx")):
                self.import_standalone(path, data)
            else:
                self.report.skipped.append((str(path), "not a format kb import reads"))
                return
            self.ok(str(path))

    def import_regs_json(self, path: Path, data: bytes) -> None:
        item = str(path)
        if not data.strip():
            raise ParseError("empty file", item=item, source=REGS)
        doc = regs.load_json(data, item=item)
        kind = regs.classify_body(doc)
        prov = file_provenance(path, data, REGS)
        if kind == "detail":
            problems: list[ParseError] = []
            record = regs.parse_document_data(
                doc["data"],
                richness=RICH_DETAIL,
                item=item,
                included=doc.get("included") or [],
                problems=problems,
            )
            self.add_documents([record], prov)
            for problem in problems:
                self.fail(problem, path)
        elif kind == "item":
            self.add_documents(
                [regs.parse_document_data(doc, richness=RICH_LIST_ITEM, item=item)], prov
            )
        elif kind == "list":
            self.add_documents(regs.parse_list_page(data, item=item).records, prov)
        elif kind == "docket":
            self.add_docket(regs.parse_docket(doc, item=item), prov)
        elif kind == "dockets":
            for docket in regs.parse_docket_list(data, item=item):
                self.add_docket(docket, prov)
        elif kind == "error":
            self.report.skipped.append((item, f"recorded error response: {regs.error_text(doc)}"))
        else:
            raise ParseError("JSON of no known upstream format", item=item)

    def import_standalone(self, path: Path, data: bytes) -> None:
        """A PDF or DOCX on its own (a report, a press release): one document."""
        from scrapers.feeds.parse import slug

        fmt = path.suffix.lower().lstrip(".")
        doc_id = "file-" + slug(path.stem)
        record = DocumentRecord(
            id=doc_id,
            source="file",
            kind=Kind.REPORT,
            url=None,
            richness=RICH_DETAIL,
            title=path.stem,
        )
        prov = file_provenance(path, data, "file")
        self.add_documents([record], prov)
        self.flush()
        ref = AttachmentRef(doc_id, 0, "content", fmt, None, len(data))
        try:
            extracted, error = extract_text(data, fmt, item=str(path)), None
        except ExtractionError as exc:
            extracted, error = None, one_line(exc)
        load_attachment_content(
            self.db,
            ref,
            sha256=prov.sha256,
            archive_path=prov.archive_path,
            fetched_at=prov.fetched_at,
            extracted=extracted,
            error=error,
            prov=prov,
        )
        if error:
            raise ExtractionError(error, item=str(path))

    def import_attachment(self, path: Path) -> None:
        target = attachment_target(path)
        assert target is not None
        doc_id, seq, title, fmt = target
        item = f"{doc_id}/{path.name}"
        data = read_input(path, item)
        if self.db.execute("select 1 from documents where id = ?", [doc_id]).fetchone() is None:
            self.fail(ParseError("attachment of a document not in the database", item=item), path)
            return
        ref = self._attachment_ref(doc_id, seq, title, fmt, path)
        prov = file_provenance(path, data, REGS)
        try:
            extracted, error = extract_text(data, fmt, item=item), None
        except ExtractionError as exc:
            extracted, error = None, one_line(exc)
        status = load_attachment_content(
            self.db,
            ref,
            sha256=prov.sha256,
            archive_path=prov.archive_path,
            fetched_at=prov.fetched_at,
            extracted=extracted,
            error=error,
            prov=prov,
        )
        if error:
            self.report.attachments_failed += 1
            self.report.errors.append(ExtractionError(error, item=item))
            if self.strict:
                raise ExtractionError(error, item=item)
        elif status == "unchanged":
            self.report.attachments_unchanged += 1
            self.report.unchanged.append((str(path), "the same file was already extracted"))
        else:
            self.report.attachments_ok += 1

    def _attachment_ref(
        self, doc_id: str, seq: int | None, title: str, fmt: str, path: Path
    ) -> AttachmentRef:
        """Match a file to a known attachment of the document, else number it."""
        known: list[dict[str, Any]] = list(
            self.db.query(
                "select id, seq, title, format, url, size from attachments where document_id = ?",
                [doc_id],
            )
        )
        for row in known:
            if (seq is not None and row["seq"] == seq and row["format"] == fmt) or (
                seq is None and row["title"] == title and row["format"] == fmt
            ):
                return AttachmentRef(doc_id, row["seq"], row["title"], fmt, row["url"], row["size"])
        if seq is None:
            siblings = sorted(
                p.name
                for p in path.parent.iterdir()
                if p.is_file() and attachment_target(p) is not None
            )
            seq = siblings.index(path.name) + 1
        return AttachmentRef(doc_id, seq, title, fmt, None, path.stat().st_size)


def import_paths(
    db: Database, paths: Iterable[Path], *, progress: Callable[[int], None] | None = None
) -> ImportReport:
    importer = Importer(db, progress=progress)
    return importer.run(paths)
