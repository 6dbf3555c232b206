"""Reviews as training labels, and the model's agreement with them.

A person's verified or corrected position (``kb review``, ``data/reviews/``) is the
cheapest new label the stance model will get. :func:`review_labels` turns them into
:class:`nlp.labels.LabelRecord` objects, the shape ``nlp.training_units.units`` reads, merged
into the labelled sets' records; a document of the frozen test split never becomes a
training label: its reviews are measured instead (:func:`review_agreement`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlite_utils import Database

from kb.settings import reviews_dir
from kb.store.reviews import NO_POSITION, Review, load_reviews, resolve
from nlp.labels import LabelRecord, Span, sha
from nlp.sampling import load_split


def test_documents() -> set[str]:
    return set(load_split()["test"])


def filers_of(db: Database, doc_ids: Iterable[str]) -> dict[str, set[str]]:
    """Document → the names and organisation ids of its filer(s) (whose view is the
    document's own); any other holder's view is one the document reports."""
    out: dict[str, set[str]] = {}
    for doc_id in set(doc_ids):
        found = db.execute(
            "select holders, org_ids from documents where id = ?", [doc_id]
        ).fetchone()
        if found:
            out[doc_id] = set(json.loads(found[0] or "[]")) | set(json.loads(found[1] or "[]"))
    return out


def review_labels(
    reviews: Iterable[Review],
    filers: dict[str, set[str]],
    base: dict[str, LabelRecord] | None = None,
) -> dict[str, LabelRecord]:
    """``base`` (e.g. :func:`nlp.labels.primary_records`) with the reviews' positions.

    A review of the filer's position decides that issue of the document (on a labelled
    document too: the reviewer read it last), and its quote becomes an evidence span; a
    review of a party the document reports (press) goes to ``holders``, its quote a
    reported-view span (``R``). An unlabelled document's record holds its reviewed
    positions only, so its other issues count as "no position", as in every labelled
    record. ``unclear`` reviews and the frozen test split's documents are left out."""
    out = dict(base or {})
    test = test_documents()
    for r in reviews:
        if not r.decides or r.document_id in test:
            continue
        rec = out.get(r.document_id) or LabelRecord(
            id=r.document_id, source="reviews", positions={}
        )
        own = bool({r.holder, r.holder_id} & filers.get(r.document_id, set()))
        positions = dict(rec.positions)
        holders = {h: dict(v) for h, v in rec.holders.items()}
        target = positions if own else holders.setdefault(r.holder, {})
        spans = list(rec.spans)
        if r.stance == NO_POSITION:
            target.pop(r.issue, None)
        else:
            target[r.issue] = r.stance
            if r.quote is not None:
                digest = sha(r.quote.text)
                if own:
                    spans.append(Span(r.quote.start, r.quote.end, digest, {r.issue: r.stance}))
                else:
                    spans.append(Span(r.quote.start, r.quote.end, digest, {}, "reported"))
        out[r.document_id] = replace(rec, positions=positions, holders=holders, spans=spans)
    return out


def review_agreement(db: Database, reviews: Iterable[Review]) -> dict[str, Any]:
    """How often the positions in ``db`` (what the tagger wrote) agree with the reviews,
    apart for test-split documents (a measured error, never a training label)."""
    test = test_documents()
    blocks: dict[str, dict[str, Any]] = {
        "train": {"agree": 0, "disagree": 0, "stale": 0},
        "test": {"agree": 0, "disagree": 0, "stale": 0},
    }
    errors = []
    for res in resolve(db, reviews):
        r = res.review
        if not r.decides:
            continue
        block = blocks["test" if r.document_id in test else "train"]
        machine = res.position["stance"] if res.position else NO_POSITION
        if res.stale:
            block["stale"] += 1
        if machine == r.stance:
            block["agree"] += 1
        else:
            block["disagree"] += 1
            errors.append(
                {"document_id": r.document_id, "holder": r.holder, "issue": r.issue,
                 "machine": machine, "reviewer": r.stance, "test": r.document_id in test}
            )  # fmt: skip
    return {**blocks, "errors": errors}


def agreement_report(figures: dict[str, Any]) -> str:
    lines = ["", "Agreement with human reviews (data/reviews/; positions as tagged now):"]
    for name, label in (("train", "outside the test split"), ("test", "test split")):
        b = figures[name]
        n = b["agree"] + b["disagree"]
        share = f"{100 * b['agree'] / n:.0f} %" if n else "-"
        lines.append(
            f"  {label}: {b['agree']} of {n} reviewed positions agree ({share}); "
            f"{b['stale']} reviews stale"
        )
    for e in figures["errors"][:40]:
        where = " [test split: measured error]" if e["test"] else ""
        lines.append(
            f"    {e['document_id']} {e['holder']} {e['issue']}: "
            f"machine {e['machine']}, reviewer {e['reviewer']}{where}"
        )
    return "\n".join(lines)


# --- what nlp/training_units.py reads -------------------------------------------------------


def with_reviews(records: dict[str, LabelRecord], db: Database) -> dict[str, LabelRecord]:
    """The labelled records, plus the reviewed positions of documents no labelled set
    holds (a labelled document was read whole, for all 8 issues: a review of it is
    measured against its label, it does not overwrite it)."""
    held = [r for r in load_reviews(reviews_dir()) if r.document_id not in records]
    if not held:
        return records
    return review_labels(held, filers_of(db, (r.document_id for r in held)), records)


def reviews_key() -> bytes:
    """What the model cache key adds for the reviews: the review files' bytes."""
    folder = reviews_dir()
    if not folder.is_dir():
        return b""
    return b"".join(p.read_bytes() for p in sorted(folder.glob("*.toml")))
