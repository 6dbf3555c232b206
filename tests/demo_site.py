"""A small demo site from a real subset of the recorded corpus, for page tests: the Notice
and dated comments, the docket (from a docket search), a Writers Guild form letter's first letters, reply comments that say
so, undated comments, the A2IM / RIAA joint filing with its PDF, the French press
article and one NO FAKES bill."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

from kb.importer import import_paths
from kb.site.build import BuildReport, build_site
from kb.store import open_db
from nlp.tag import tag_documents

PREFIX = "COLC-2023-0006-"
DETAILED = (1, 2, *range(3, 13))
#: Letters of the Writers Guild campaign ("I'm a member of the Writers Guild of America West").
WGA = tuple(range(7710, 7730))
#: Comments whose text calls them reply comments (no date recorded for them).
REPLIES = (10291, 10298, 10334, 10350)
#: Comments with neither a date nor a word on their round.
UNDATED = (5001, 5002, 5003)
#: A2IM and RIAA's initial comments: a joint filing, its text in the PDF.
JOINT = 8833


def subset_jsonl(source: Path, target: Path, ids: set[str]) -> None:
    with gzip.open(source, "rt", encoding="utf-8") as src, gzip.open(target, "wt") as out:
        for line in src:
            if json.loads(line)["id"] in ids:
                out.write(line)


def build_demo(corpus: Path, tmp: Path) -> tuple[object, Path, Path, BuildReport]:
    """(database, site folder, work folder, build report)."""
    colc = corpus / "regulations.gov" / "COLC-2023-0006"
    folder = tmp / "regs"
    (folder / "documents").mkdir(parents=True)
    for n in DETAILED:
        shutil.copy(colc / "documents" / f"{PREFIX}{n:04d}.json", folder / "documents")
    ids = {f"{PREFIX}{n:04d}" for n in (*WGA, *REPLIES, *UNDATED, JOINT)}
    for name in ("comment-text.jsonl.gz", "comment-titles.jsonl.gz"):
        subset_jsonl(colc / name, folder / name, ids)
    attachment = folder / "attachments" / f"{PREFIX}{JOINT}"
    shutil.copytree(colc / "attachments" / f"{PREFIX}{JOINT}", attachment)
    db = open_db(tmp / "kb.db")
    report = import_paths(
        db,
        [
            corpus / "regulations.gov" / "format-samples" / "docket-mcp" / "search_dockets_ai.json",
            folder / "documents",
            folder / "comment-titles.jsonl.gz",
            folder / "comment-text.jsonl.gz",
            folder / "attachments",
            *sorted((corpus / "news").glob("*.txt")),
            corpus / "govinfo" / "BILLSTATUS" / "BILLSTATUS-119s4591.xml",
        ],
    )
    assert not report.errors, report.errors
    tag_documents(db, None)
    out = tmp / "site"
    build = build_site(db, out, tmp / "work")
    return db, out, tmp / "work", build
