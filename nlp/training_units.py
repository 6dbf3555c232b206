"""The labelled documents as the stance model learns from them.

``units`` reads the labelled documents' texts from the database, splits them into the
sentences the tagger reads (on every core, ``nlp.forkmap``) and maps the labelled
spans onto those sentences; ``sentence_targets`` says what each sentence teaches the
sentence model about each issue.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from kb.errors import UsageError
from nlp.forkmap import fork_map
from nlp.labels import LABELS_DIR, LabelRecord, primary_records, splits, verify
from nlp.sentence_features import DocumentInput
from nlp.sentences import Sentence, pipeline
from nlp.stance import ISSUES, lexicon

#: The key under which a sentence labelled as someone else's words is marked.
OTHER_KEY = "other"
#: The source of a document that no labelled set holds and a reviewer read
#: (``nlp.review_labels``): labelled only on the issues reviewed.
REVIEWED = "reviews"
#: The model is the one ``data/labels/`` defines, so it is fitted only when the
#: database holds nearly all of the labelled documents: a model fitted from the few a
#: partial import holds would be cached under the same key and trusted (300 drawn
#: comments held about 50 labelled ones and gave twice as many positions as comments).
MIN_PRESENT = 0.9


@dataclass
class Unit:
    id: str
    split: str
    source: str
    doc: DocumentInput
    #: per sentence: issue → stance (empty: no position, or someone else's words)
    sentence_labels: list[dict[str, str]]
    positions: dict[str, str]
    record: LabelRecord


SentenceSplitter = Callable[[dict[str, object]], list[Sentence]]


def label_sentences(rec: LabelRecord, sentences: Sequence[Sentence]) -> list[dict[str, str]]:
    """Each sentence takes the labels of the spans covering most of it (a later span's
    over an earlier one's)."""
    if not rec.spans or not sentences:
        return [{} for _ in sentences]
    s_start, s_end = np.array([[s.start, s.end] for s in sentences]).T
    p_start, p_end = np.array([[p.start, p.end] for p in rec.spans]).T
    overlap = np.minimum.outer(s_end, p_end) - np.maximum.outer(s_start, p_start)
    covers = (overlap > 0) & (overlap > 0.5 * np.minimum.outer(s_end - s_start, p_end - p_start))
    out: list[dict[str, str]] = []
    for row in covers:
        labels: dict[str, str] = {}
        for k in np.flatnonzero(row):
            span = rec.spans[k]
            labels.update(span.labels or {OTHER_KEY: span.other or "other"})
        out.append(labels)
    return out


def sentence_targets(unit: Unit) -> list[dict[str, str | None]]:
    """Per sentence and issue, what the sentence model learns: the labelled stance;
    ``none`` for someone else's words, and for any sentence of a document without a
    position on the issue or whose sentences were labelled exhaustively; None (not
    learnt) for unmarked sentences of a document that argues the issue, where the
    labeller marked only the clearest evidence."""
    exhaustive = unit.source == "filings"
    out: list[dict[str, str | None]] = []
    for labels in unit.sentence_labels:
        row: dict[str, str | None] = {}
        for issue in ISSUES:
            if issue in labels:
                row[issue] = labels[issue]
            elif unit.source == REVIEWED and issue not in unit.positions:
                row[issue] = None  # a review decides only the issues it names
            elif OTHER_KEY in labels or exhaustive or issue not in unit.positions:
                row[issue] = "none"
            else:
                row[issue] = None
        out.append(row)
    return out


def units(
    db: Database,
    splitter: SentenceSplitter,
    labels_dir: Path = LABELS_DIR,
    only: Collection[str] | None = None,
) -> list[Unit]:
    """The labelled documents (of the splits ``only`` names, else all) with their
    sentences and the sentences' labels."""
    from nlp.review_labels import with_reviews

    assignment = splits()
    records = {
        doc_id: rec
        for doc_id, rec in with_reviews(primary_records(labels_dir), db).items()
        if only is None or assignment.get(doc_id, "train") in only
    }
    rows = {
        r["id"]: r
        for r in db.query(
            f"select id, kind, text, pages, language from documents where id in "
            f"({','.join('?' * len(records))})",
            list(records),
        )
    }
    if len(rows) < MIN_PRESENT * len(records):
        raise UsageError(
            f"only {len(rows)} of the {len(records)} labelled documents are in the database,"
            f" {MIN_PRESENT:.0%} are needed to fit the model (import the whole corpus first)",
            item="data/labels",
        )
    present = [doc_id for doc_id in records if doc_id in rows]

    def verified() -> None:
        for doc_id in present:
            verify(records[doc_id], str(rows[doc_id]["text"] or ""))

    # What every worker needs, loaded once before they fork (a worker that meets a
    # rarer language loads its pipeline itself, while the others go on).
    pipeline("en")
    lexicon()
    # Longest first, a few per task: the workers finish together.
    order = sorted(present, key=lambda doc_id: -len(rows[doc_id]["text"] or ""))
    by_id = dict(
        zip(
            order,
            fork_map(splitter, [rows[i] for i in order], per_task=8, meanwhile=verified),
            strict=True,
        )
    )
    split = [by_id[doc_id] for doc_id in present]
    out = []
    for doc_id, sentences in zip(present, split, strict=True):
        rec = records[doc_id]
        text = str(rows[doc_id]["text"] or "")
        out.append(
            Unit(
                doc_id,
                assignment.get(doc_id, "train"),
                rec.source,
                DocumentInput(text, sentences),
                label_sentences(rec, sentences),
                rec.positions,
                rec,
            )
        )
    return out
