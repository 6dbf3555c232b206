"""Human reviews of machine-made positions: ``data/reviews/*.toml``, kept in git.

One file per document, one ``[[review]]`` table per (document, holder, issue)::

    document_id = "COLC-2023-0006-9021"

    [[review]]
    holder = "Anthropic"
    issue = "training_fair_use"
    verdict = "verified"          # verified | disputed | unclear
    stance = "supports"           # the reviewer's stance, or "none" (no position)
    machine_stance = "supports"   # what the tagger said when reviewed
    reviewer = "…"
    date = 2026-12-04
    note = "…"
    quote = { text = "…", start = 1234, end = 1301, page = 3 }

Reviews never live in the database the tagger writes: the tagger keeps writing machine
positions, and every reader of positions sees them through :func:`apply_reviews` (the
published copy the site, the digest and the downloads read) or :func:`reviewed_positions`
(``kb export positions``). A review whose position or quote no longer exists after a
re-import or re-tag is *stale*: ``kb status`` lists it, and it is never dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlite_utils import Database

from kb.errors import UsageError
from kb.store.review_files import (
    NO_POSITION,
    Quote,
    Review,
    ReviewError,
    Verdict,
    file_for,
    load_reviews,
    locate_quote,
    page_at,
    quote_holds,
    read_review_file,
    write_review,
)
from nlp.stance import ISSUES, STANCES

__all__ = [
    "NO_POSITION",
    "Quote",
    "Resolution",
    "Review",
    "ReviewError",
    "Verdict",
    "apply_reviews",
    "export_reviews",
    "file_for",
    "load_reviews",
    "locate_quote",
    "new_review",
    "page_at",
    "quote_holds",
    "read_review_file",
    "resolve",
    "reviewed_positions",
    "stale_reviews",
    "write_review",
]


@dataclass
class Resolution:
    """What one review means for the current positions."""

    review: Review
    #: the positions row it reviews (``None``: no such position any more)
    position: dict[str, Any] | None
    #: machine, verified, disputed (removed) or corrected
    state: str = "machine"
    #: why the review is stale (empty when it is not)
    stale: list[str] = field(default_factory=list)


def _positions(db: Database) -> list[dict[str, Any]]:
    if not db["positions"].exists():
        return []
    return [dict(r) for r in db.query("select * from positions order by id")]


def resolve(db: Database, reviews: Iterable[Review]) -> list[Resolution]:
    """Match each review to its position by document, issue and holder (name, else
    organisation id), check its quote against the document's current text, and say
    what it does: a review's stance wins over the machine's."""
    reviews = list(reviews)
    rows = _positions(db)
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_doc.setdefault(row["document_id"], []).append(row)
    texts: dict[str, str | None] = {}
    for doc_id in {r.document_id for r in reviews}:
        found = db.execute("select text from documents where id = ?", [doc_id]).fetchone()
        texts[doc_id] = (found[0] or "") if found else None
    out = []
    for review in reviews:
        candidates = [p for p in by_doc.get(review.document_id, []) if p["issue"] == review.issue]
        position = next((p for p in candidates if p["holder"] == review.holder), None)
        if position is None and review.holder_id:
            position = next((p for p in candidates if p["holder_id"] == review.holder_id), None)
        res = Resolution(review, position)
        text = texts[review.document_id]
        if text is None:
            res.stale.append("document no longer in the database")
        elif review.quote is not None and not quote_holds(text, review.quote):
            res.stale.append("quote no longer at its offsets in the document text")
        if position is None:
            res.stale.append("no such position after the last tagging")
        if review.decides:
            if review.stance == NO_POSITION:
                res.state = "disputed"
            elif position is not None and position["stance"] == review.stance:
                res.state = "verified"
            else:
                res.state = "corrected"
        out.append(res)
    return out


def apply_reviews(db: Database, reviews: Iterable[Review]) -> list[Resolution]:
    """Make ``db``'s positions say what the reviews say (the published copy: every page,
    chart, matrix, download, search facet and digest reads it): a verified position gets
    its state and date, a disputed one takes the reviewer's stance (``corrected``) or is
    removed, and a reviewed stance whose machine position is gone is kept as the
    reviewer's. Also writes the ``reviews`` table (the SQLite download, the digest)."""
    resolutions = resolve(db, reviews)
    positions = db.table("positions")
    if "reviewed_at" not in positions.columns_dict:
        positions.add_column("reviewed_at", str)
    for res in resolutions:
        r, pos = res.review, res.position
        if not r.decides:
            continue
        when = r.date.isoformat()
        if res.state == "disputed":
            if pos is not None:
                db.execute("delete from positions where id = ?", [pos["id"]])
        elif pos is not None:
            db.execute(
                "update positions set stance = ?, review_state = ?, reviewed_at = ? where id = ?",
                [r.stance, res.state, when, pos["id"]],
            )
        elif "document no longer in the database" not in res.stale:
            # Reviewed, but the tagger no longer finds it: the reader's stance stands.
            quote_ok = r.quote is not None and not any("quote" in s for s in res.stale)
            quotes = [asdict(r.quote)] if r.quote and quote_ok else []
            positions.insert(
                {
                    "document_id": r.document_id,
                    "holder": r.holder,
                    "holder_id": r.holder_id,
                    "issue": r.issue,
                    "stance": r.stance,
                    "confidence": 1.0,
                    "quotes": json.dumps(quotes, ensure_ascii=False),
                    "method": "review",
                    "review_state": res.state,
                    "reviewed_at": when,
                }
            )
    table = db.table("reviews")
    table.drop(ignore=True)
    table.insert_all(
        (
            {**export_row(res), "quote": json.dumps(export_row(res)["quote"], ensure_ascii=False)}
            for res in resolutions
        ),
        columns={"quote": str, "date": str},
    )
    db.conn.commit()
    return resolutions


def export_row(res: Resolution) -> dict[str, Any]:
    """A review as ``kb export reviews`` writes it (CONTRACT.md)."""
    r = res.review
    return {
        "document_id": r.document_id,
        "holder": r.holder,
        "issue": r.issue,
        "verdict": str(r.verdict),
        "stance": r.stance if r.verdict is not Verdict.UNCLEAR else NO_POSITION,
        "machine_stance": r.machine_stance,
        "quote": asdict(r.quote) if r.quote else None,
        "note": r.note,
        "reviewer": r.reviewer,
        "date": r.date.isoformat(),
        "stale": bool(res.stale),
        "state": res.state,
    }


def export_reviews(db: Database, reviews: Iterable[Review]) -> Iterator[dict[str, Any]]:
    for res in resolve(db, reviews):
        yield export_row(res)


def reviewed_positions(
    db: Database, rows: Iterable[dict[str, Any]], reviews: Iterable[Review]
) -> Iterator[dict[str, Any]]:
    """``rows`` (positions as exported) with their review state: a disputed position stays
    in this researcher's view, marked ``disputed``; a corrected one shows the reviewer's
    stance. The published copy (:func:`apply_reviews`) drops disputed ones instead."""
    by_key: dict[tuple[str, str, str], Resolution] = {}
    for res in resolve(db, reviews):
        if res.review.decides and res.position is not None:
            p = res.position
            by_key[(p["document_id"], p["holder"], p["issue"])] = res
    for row in rows:
        found = by_key.get((row["document_id"], row["holder"], row["issue"]))
        if found is None:
            yield {**row, "review_state": row.get("review_state") or "machine", "reviewed_at": None}
            continue
        stance = row["stance"] if found.state == "disputed" else found.review.stance
        yield {
            **row,
            "stance": stance,
            "review_state": found.state,
            "reviewed_at": found.review.date.isoformat(),
        }


def stale_reviews(db: Database, reviews: Iterable[Review]) -> list[dict[str, Any]]:
    """The reviews whose position or quote no longer exists (``kb status``)."""
    return [
        {
            "document_id": res.review.document_id,
            "holder": res.review.holder,
            "issue": res.review.issue,
            "verdict": str(res.review.verdict),
            "reasons": res.stale,
        }
        for res in resolve(db, reviews)
        if res.stale
    ]


def _machine_position(
    db: Database, document_id: str, holder: str, issue: str, item: str
) -> dict[str, Any]:
    """The machine position of ``holder`` on ``issue`` in the document; a usage error if none."""
    rows = [
        dict(r)
        for r in db.query(
            "select holder, holder_id, issue, stance, quotes from positions where document_id = ?",
            [document_id],
        )
    ]
    holders = sorted({r["holder"] for r in rows})
    position = next(
        (r for r in rows if r["issue"] == issue and holder in (r["holder"], r["holder_id"])), None
    )
    if position is None:
        if holder not in holders and holder not in {r["holder_id"] for r in rows}:
            known = ", ".join(holders) or "none"
            raise UsageError(f"unknown holder {holder!r} (holders here: {known})", item=item)
        raise UsageError(f"{holder} has no machine position on {issue} in this document", item=item)
    return position


def _final_stance(
    verdict_: Verdict, stance: str | None, position: dict[str, Any], item: str
) -> str:
    """The stance a review settles on, given its verdict; a usage error if they disagree."""
    if verdict_ is Verdict.DISPUTED:
        if stance is None:
            raise UsageError("a disputed review needs --stance (the right one, or none)", item=item)
        if stance == position["stance"]:
            raise UsageError(
                f"--stance {stance} is what the machine says: use --verdict verified", item=item
            )
        final = stance
    elif verdict_ is Verdict.VERIFIED:
        if stance not in (None, position["stance"]):
            raise UsageError(
                f"verified means the machine's stance ({position['stance']}) is right; "
                "use --verdict disputed to give another",
                item=item,
            )
        final = position["stance"]
    else:
        final = stance or NO_POSITION
    return final


def _review_quote(
    text: str,
    pages: list[list[int]] | None,
    position: dict[str, Any],
    quote_text: str | None,
    item: str,
) -> Quote:
    """The quote a review relies on: ``quote_text`` verbatim, else the position's first quote."""
    machine_quotes = json.loads(position["quotes"] or "[]")
    if quote_text:
        near = machine_quotes[0]["start"] if machine_quotes else None
        quote = locate_quote(text, quote_text, pages, near)
        if quote is None:
            raise UsageError("quote not found verbatim in the document text", item=item)
    elif machine_quotes:
        q = machine_quotes[0]
        quote = Quote(q["text"], q["start"], q["end"], q.get("page"))
        if not quote_holds(text, quote):
            raise UsageError("the position's quote no longer matches the text", item=item)
    else:
        raise UsageError("no quote: give --quote with the words you relied on", item=item)
    return quote


def new_review(
    db: Database,
    *,
    document_id: str,
    holder: str,
    issue: str,
    verdict: str,
    stance: str | None,
    note: str,
    reviewer: str,
    when: date,
    quote_text: str | None,
) -> Review:
    """A review of a position in ``db``, validated: the document, issue, holder and
    stance must exist, and the quote must be verbatim document text (default: the
    position's first quote). Usage mistakes raise :class:`UsageError`."""
    item = f"{document_id} / {holder} / {issue}"
    found = db.execute("select text, pages from documents where id = ?", [document_id]).fetchone()
    if found is None:
        raise UsageError("unknown document", item=document_id)
    if issue not in ISSUES:
        raise UsageError(f"unknown issue {issue!r} (one of: {', '.join(ISSUES)})", item=item)
    try:
        verdict_ = Verdict(verdict)
    except ValueError:
        raise UsageError(
            f"unknown verdict {verdict!r} (one of: {', '.join(v.value for v in Verdict)})",
            item=item,
        ) from None
    if stance is not None and stance not in (*STANCES, NO_POSITION):
        raise UsageError(
            f"unknown stance {stance!r} (one of: {', '.join((*STANCES, NO_POSITION))})", item=item
        )
    position = _machine_position(db, document_id, holder, issue, item)
    final = _final_stance(verdict_, stance, position, item)
    text, pages = found[0] or "", json.loads(found[1]) if found[1] else None
    quote = _review_quote(text, pages, position, quote_text, item)
    return Review(
        document_id=document_id,
        holder=position["holder"],
        holder_id=position["holder_id"],
        issue=issue,
        verdict=verdict_,
        stance=final,
        machine_stance=position["stance"],
        reviewer=reviewer,
        date=when,
        quote=quote,
        note=note,
    )
