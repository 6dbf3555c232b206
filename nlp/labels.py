"""The labelled set in ``data/labels/``: documents, their positions and evidence spans.

One JSON object per line and document (format and guide: ``data/labels/README.md``);
evidence is stored as character spans with a hash of their text, never the text:

- ``comments.jsonl``: the 1,600 randomly drawn comments (``nlp.sampling``);
- ``second-pass.jsonl``: 10 % of them labelled again, independently (agreement only);
- ``filings.jsonl``: the 17 major filings and the 35 TXT filings;
- ``extra.jsonl``: 2,600 more comments drawn among rare stances and their words (training only);
- ``earlier.jsonl``: the first hand-labelled set (training only).

Labellers read numbered sentences (``nlp.labeling``); ``python -m nlp.labels
convert`` turns their sentence numbers into spans once, so later changes to
sentence splitting do not move a label: training maps spans onto whatever
sentences the splitter makes, and a changed text is detected by the hash.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kb.errors import UsageError
from kb.settings import PROJECT_ROOT
from nlp.sampling import load_split
from nlp.sentences import split_sentences

LABELS_DIR = PROJECT_ROOT / "data" / "labels"
CODES = {
    "FU": "training_fair_use",
    "CO": "consent_required",
    "CP": "compensation",
    "CR": "credit_attribution",
    "VL": "voice_likeness_right",
    "TT": "training_transparency",
    "LB": "ai_output_labeling",
    "OC": "output_copyrightability",
}
SIGNS = {"+": "supports", "-": "opposes", "~": "mixed"}
#: Sentences that use the issues' words but are not the filer's view.
OTHER = {"R": "reported", "Q": "quoted", "H": "heading"}
#: Label files by the set they label; the first that labels a document wins.
PRIMARY = ("filings", "comments", "extra", "earlier")
DEV_SIZE = 200
DEV_SEED = 20261203


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    sha: str
    #: issue → stance stated in the span, or empty with ``other`` set.
    labels: dict[str, str]
    other: str | None = None


@dataclass
class LabelRecord:
    id: str
    source: str
    positions: dict[str, str]
    spans: list[Span] = field(default_factory=list)
    holders: dict[str, dict[str, str]] = field(default_factory=dict)
    filer: str | None = None
    arguable: bool = False
    labeler: str | None = None


def parse_codes(text: str, item: str = "labels") -> dict[str, str]:
    out = {}
    for token in text.split():
        match = re.fullmatch(r"([A-Z]{2})([+~-])", token)
        if not match or match.group(1) not in CODES:
            raise UsageError(f"bad label {token!r}", item=item)
        out[CODES[match.group(1)]] = SIGNS[match.group(2)]
    return out


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def from_json(raw: dict[str, Any], source: str, item: str) -> LabelRecord:
    spans = []
    for start, end, digest, codes in raw.get("spans", []):
        if codes in OTHER:
            spans.append(Span(start, end, digest, {}, OTHER[codes]))
        else:
            spans.append(Span(start, end, digest, parse_codes(codes, item)))
    return LabelRecord(
        id=raw["id"],
        source=source,
        positions=parse_codes(raw.get("document", ""), item),
        spans=spans,
        holders={h: parse_codes(v, item) for h, v in (raw.get("holders") or {}).items()},
        filer=raw.get("filer"),
        arguable=bool(raw.get("arguable")),
        labeler=raw.get("labeler"),
    )


def read_set(name: str, labels_dir: Path = LABELS_DIR) -> list[LabelRecord]:
    path = labels_dir / f"{name}.jsonl"
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(from_json(json.loads(line), name, f"{path.name}:{n}"))
            except (ValueError, KeyError, TypeError) as err:
                raise UsageError(f"bad labels line ({err})", item=f"{path.name}:{n}") from err
    return out


def primary_records(labels_dir: Path = LABELS_DIR) -> dict[str, LabelRecord]:
    """One record per labelled document (``PRIMARY`` order decides between sets)."""
    out: dict[str, LabelRecord] = {}
    for name in PRIMARY:
        for rec in read_set(name, labels_dir):
            out.setdefault(rec.id, rec)
    return out


def splits() -> dict[str, str]:
    """Document id → ``test`` / ``dev`` / ``train`` for the drawn comments (others: train)."""
    split = load_split()
    test = set(split["test"])
    rest = [i for i in split["comments"] if i not in test]
    dev = set(random.Random(DEV_SEED).sample(rest, DEV_SIZE))
    return {i: "test" if i in test else "dev" if i in dev else "train" for i in split["comments"]}


def verify(rec: LabelRecord, text: str) -> None:
    for span in rec.spans:
        if sha(text[span.start : span.end]) != span.sha:
            raise UsageError(
                "labelled span no longer matches the document text", item=f"{rec.id}@{span.start}"
            )


# --- conversion of labellers' sentence numbers -----------------------------------------


def convert_line(raw: dict[str, Any], text: str, lang: str, pages: Any) -> dict[str, Any]:
    """A labeller's record (sentence numbers) as a stored record (spans)."""
    parts = split_sentences(text, lang, pages)
    spans = []
    marks = {int(k): v for k, v in raw.get("sentences", {}).items()}
    marks.update({int(k): v for k, v in raw.get("other", {}).items() if int(k) not in marks})
    for i, codes in sorted(marks.items()):
        if i >= len(parts):
            raise UsageError(f"sentence {i} out of range", item=raw["id"])
        sent = parts[i]
        spans.append([sent.start, sent.end, sha(text[sent.start : sent.end]), codes])
    out: dict[str, Any] = {"id": raw["id"], "document": raw.get("document", ""), "spans": spans}
    for key in ("holders", "filer", "labeler"):
        if raw.get(key):
            out[key] = raw[key]
    if raw.get("note"):
        out["arguable"] = True
        out["note"] = raw["note"]
    return out


def convert(db: Database, raw_path: Path, out_path: Path, replace: bool = False) -> int:
    rows = []
    for n, line in enumerate(raw_path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        raw = json.loads(line)
        found = db.execute(
            "select text, pages, language from documents where id = ?", [raw["id"]]
        ).fetchone()
        if found is None:
            raise UsageError("document is not in the database", item=f"{raw_path.name}:{n}")
        pages = json.loads(found[1]) if found[1] else None
        rows.append(convert_line(raw, found[0] or "", found[2] or "en", pages))
    if replace:
        # A relabelled document takes its old record's place (same line, new labels).
        new = {row["id"]: row for row in rows}
        kept = []
        for line in out_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                old = json.loads(line)
                kept.append(new.pop(old["id"], old))
        rows = kept + list(new.values())
        out_path.write_text(
            "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
        )
        return len(rows)
    with open(out_path, "a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description="Convert labellers' files into span records.")
    parser.add_argument("raw", type=Path, nargs="+")
    parser.add_argument(
        "--set", required=True, choices=("comments", "second-pass", "filings", "extra")
    )
    parser.add_argument("--db", type=Path, default=Path("kb.db"))
    parser.add_argument(
        "--replace", action="store_true", help="relabelled documents replace their records"
    )
    args = parser.parse_args()
    db = Database(args.db)
    for raw in args.raw:
        n = convert(db, raw, LABELS_DIR / f"{args.set}.jsonl", args.replace)
        print(f"{raw}: {n} records -> {args.set}.jsonl")


if __name__ == "__main__":
    main()
