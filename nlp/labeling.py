"""Reading packets for labellers: each document's filer, title and numbered sentences.

``python -m nlp.labeling packets --db kb.db --set comments --parts 4 --out DIR``
writes plain-text packets (outside the project: they hold corpus text) that a
labeller reads against ``../shared/CODEBOOK.md``. Sentence numbers are those of
``nlp.sentences.split_sentences``, the numbering ``kb eval --build`` resolves to
character offsets, so the labels files never carry corpus text. The packets
show nothing of what the tagger says.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kb.errors import UsageError
from nlp.sampling import load_split
from nlp.sentences import split_sentences

FIELDS = "id, kind, title, organization, submitter, filer_type, listed_attachments, text, pages, language"


def numbered(db: Database, doc_id: str) -> str:
    rows = list(db.query(f"select {FIELDS} from documents where id = ?", [doc_id]))
    if not rows:
        raise UsageError("document is not in the database (import the corpus first)", item=doc_id)
    row = rows[0]
    text = row["text"] or ""
    pages = json.loads(row["pages"]) if row["pages"] else None
    head = [
        f"=== {doc_id}",
        f"title: {row['title'] or ''}",
        f"filer: {row['submitter'] or row['organization'] or ''} ({row['filer_type'] or 'unknown'})",
    ]
    listed = json.loads(row["listed_attachments"] or "[]")
    if listed:
        head.append(f"attachments: {', '.join(listed)}")
    lines = []
    for i, sent in enumerate(split_sentences(text, row["language"] or "en", pages)):
        page = f" p{sent.page}" if sent.page else ""
        body = " ".join(text[sent.start : sent.end].split())
        lines.append(f"[{i}{page}] {body}")
    return "\n".join(head + (lines or ["(no text)"])) + "\n"


CODE = re.compile(r"(FU|CO|CP|CR|VL|TT|LB|OC)([+~-])")
OTHER = {"R", "Q", "H"}
KEYS = {"id", "document", "sentences", "other", "filer", "holders", "note", "labeler"}


def check_codes(text: str, where: str) -> list[str]:
    bad = [t for t in text.split() if not CODE.fullmatch(t)]
    return [f"{where}: bad code {t!r}" for t in bad]


def check_line(record: dict[str, Any], n_sentences: int) -> list[str]:
    """Problems of one labels record against its document's sentence count."""
    doc = record.get("id", "?")
    problems = [f"{doc}: unknown key {k!r}" for k in record if k not in KEYS]
    problems += check_codes(record.get("document", ""), f"{doc} document")
    seen: set[str] = set()
    for key, codes in record.get("sentences", {}).items():
        if not key.isdigit() or int(key) >= n_sentences:
            problems.append(f"{doc}: sentence {key} out of range (0..{n_sentences - 1})")
        problems += check_codes(codes, f"{doc} sentence {key}")
        seen |= {c[:2] for c in codes.split()}
    for key, cls in record.get("other", {}).items():
        if not key.isdigit() or int(key) >= n_sentences or cls not in OTHER:
            problems.append(f"{doc}: bad other {key}={cls!r}")
    for holder, codes in record.get("holders", {}).items():
        problems += check_codes(codes, f"{doc} holder {holder}")
    missing = {c[:2] for c in record.get("document", "").split()} - seen
    if missing and not record.get("holders"):
        problems.append(f"{doc}: document codes {sorted(missing)} have no evidence sentence")
    return problems


def check_file(db: Database, path: Path) -> list[str]:
    problems: list[str] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(f"line {n}: not JSON ({err})")
            continue
        row = db.execute(
            "select text, pages, language from documents where id = ?", [record.get("id")]
        ).fetchone()
        if row is None:
            problems.append(f"line {n}: unknown document {record.get('id')!r}")
            continue
        pages = json.loads(row[1]) if row[1] else None
        problems += check_line(record, len(split_sentences(row[0] or "", row[2] or "en", pages)))
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show", help="print documents' numbered sentences")
    show.add_argument("ids", nargs="+")
    packets = sub.add_parser("packets", help="write a split's documents into N packets")
    packets.add_argument("--set", required=True, help="comments, double, major or txt")
    packets.add_argument("--parts", type=int, default=1)
    packets.add_argument("--out", type=Path, required=True)
    check = sub.add_parser("check", help="validate a labels JSONL file")
    check.add_argument("file", type=Path)
    for p in (show, packets, check):
        p.add_argument("--db", type=Path, default=Path("kb.db"))
    args = parser.parse_args()
    db = Database(args.db)
    if args.command == "show":
        for doc_id in args.ids:
            print(numbered(db, doc_id))
        return
    if args.command == "check":
        problems = check_file(db, args.file)
        print("\n".join(problems) or f"{args.file}: ok")
        raise SystemExit(1 if problems else 0)
    ids = load_split()[args.set]
    args.out.mkdir(parents=True, exist_ok=True)
    size = -(-len(ids) // args.parts)
    for part in range(args.parts):
        chunk = ids[part * size : (part + 1) * size]
        path = args.out / f"{args.set}-{part + 1}.txt"
        path.write_text("\n".join(numbered(db, i) for i in chunk), encoding="utf-8")
        print(f"{path}: {len(chunk)} documents")


if __name__ == "__main__":
    main()
