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

import bisect
import json
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import tomli_w
from sqlite_utils import Database

from kb.errors import KbError, UsageError
from nlp.stance import ISSUES, STANCES

NO_POSITION = "none"


class Verdict(StrEnum):
    VERIFIED = "verified"
    DISPUTED = "disputed"
    UNCLEAR = "unclear"


class ReviewError(KbError):
    """A review file or a review is malformed (names the file and entry)."""


@dataclass(frozen=True)
class Quote:
    text: str
    start: int
    end: int
    page: int | None = None


@dataclass(frozen=True)
class Review:
    document_id: str
    holder: str
    issue: str
    verdict: Verdict
    #: the reviewer's stance (for ``verified``, the machine's), or ``none``
    stance: str
    machine_stance: str
    reviewer: str
    date: date
    quote: Quote | None = None
    note: str = ""
    holder_id: str | None = None

    def __post_init__(self) -> None:
        item = f"{self.document_id} / {self.holder} / {self.issue}"
        if self.issue not in ISSUES:
            raise ReviewError(f"unknown issue {self.issue!r}", item=item)
        if self.stance not in (*STANCES, NO_POSITION):
            raise ReviewError(f"unknown stance {self.stance!r}", item=item)
        if self.machine_stance not in (*STANCES, NO_POSITION):
            raise ReviewError(f"unknown machine stance {self.machine_stance!r}", item=item)
        if not self.holder.strip() or not self.reviewer.strip():
            raise ReviewError("holder and reviewer must not be empty", item=item)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.document_id, self.holder, self.issue)

    @property
    def decides(self) -> bool:
        """Whether the review overrides the machine (``unclear`` leaves it alone)."""
        return self.verdict is not Verdict.UNCLEAR


# --- files -------------------------------------------------------------------------


def file_for(reviews_dir: Path, document_id: str) -> Path:
    return reviews_dir / f"{re.sub(r'[^A-Za-z0-9._-]', '_', document_id)}.toml"


def _review_from(raw: dict[str, Any], document_id: str, item: str) -> Review:
    try:
        quote_raw = raw.get("quote")
        quote = (
            Quote(
                text=str(quote_raw["text"]),
                start=int(quote_raw["start"]),
                end=int(quote_raw["end"]),
                page=int(quote_raw["page"]) if quote_raw.get("page") is not None else None,
            )
            if quote_raw
            else None
        )
        when = raw["date"]
        if not isinstance(when, date):
            when = date.fromisoformat(str(when))
        return Review(
            document_id=document_id,
            holder=str(raw["holder"]),
            issue=str(raw["issue"]),
            verdict=Verdict(raw["verdict"]),
            stance=str(raw.get("stance", NO_POSITION)),
            machine_stance=str(raw.get("machine_stance", NO_POSITION)),
            reviewer=str(raw["reviewer"]),
            date=when,
            quote=quote,
            note=str(raw.get("note", "")),
            holder_id=raw.get("holder_id") or None,
        )
    except ReviewError as err:
        raise ReviewError(str(err.args[0]), item=item) from err
    except (KeyError, ValueError, TypeError) as err:
        raise ReviewError(f"bad review entry ({type(err).__name__}: {err})", item=item) from err


def read_review_file(path: Path) -> list[Review]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ReviewError(f"not valid TOML ({err})", item=str(path)) from err
    document_id = data.get("document_id")
    if not isinstance(document_id, str) or not document_id:
        raise ReviewError("no document_id", item=str(path))
    entries = data.get("review", [])
    if not isinstance(entries, list):
        raise ReviewError("[[review]] must be an array of tables", item=str(path))
    out = [
        _review_from(e, document_id, f"{path.name} review {n}") for n, e in enumerate(entries, 1)
    ]
    seen: set[tuple[str, str, str]] = set()
    for r in out:
        if r.key in seen:
            raise ReviewError(f"two reviews of {r.holder} / {r.issue}", item=str(path))
        seen.add(r.key)
    return out


def load_reviews(reviews_dir: Path) -> list[Review]:
    """Every review under ``reviews_dir`` (none when it does not exist)."""
    if not reviews_dir.is_dir():
        return []
    out: list[Review] = []
    for path in sorted(reviews_dir.glob("*.toml")):
        out.extend(read_review_file(path))
    return out


def _entry(review: Review) -> dict[str, Any]:
    out: dict[str, Any] = {
        "holder": review.holder,
        "issue": review.issue,
        "verdict": str(review.verdict),
        "stance": review.stance,
        "machine_stance": review.machine_stance,
        "reviewer": review.reviewer,
        "date": review.date,
        "note": review.note,
    }
    if review.holder_id:
        out["holder_id"] = review.holder_id
    if review.quote:
        out["quote"] = {k: v for k, v in asdict(review.quote).items() if v is not None}
    return out


def write_review(reviews_dir: Path, review: Review) -> Path:
    """Add ``review`` to its document's file, replacing an earlier one of the same key."""
    path = file_for(reviews_dir, review.document_id)
    kept = [r for r in read_review_file(path) if r.key != review.key] if path.exists() else []
    rows = sorted([*kept, review], key=lambda r: (r.issue, r.holder))
    reviews_dir.mkdir(parents=True, exist_ok=True)
    text = tomli_w.dumps(
        {"document_id": review.document_id, "review": [_entry(r) for r in rows]},
        multiline_strings=True,
    )
    path.write_text(text, encoding="utf-8")
    return path


# --- quotes ------------------------------------------------------------------------


def page_at(pages: list[list[int]] | None, offset: int) -> int | None:
    if not pages:
        return None
    return bisect.bisect_right([p[0] for p in pages], offset) or None


def locate_quote(
    text: str, wanted: str, pages: list[list[int]] | None, near: int | None = None
) -> Quote | None:
    """``wanted`` found verbatim in ``text`` (runs of whitespace may differ, as a PDF's line
    breaks do): the exact characters with their offsets and page, the occurrence nearest
    ``near`` when there are several."""
    words = wanted.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    found = list(pattern.finditer(text))
    if not found:
        return None
    m = min(found, key=lambda m: abs(m.start() - near)) if near is not None else found[0]
    return Quote(m.group(0), m.start(), m.end(), page_at(pages, m.start()))


def quote_holds(text: str, quote: Quote | None) -> bool:
    return quote is not None and text[quote.start : quote.end] == quote.text


# --- resolving reviews against the positions a tagger wrote ---------------------------


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
    text, pages = found[0] or "", json.loads(found[1]) if found[1] else None
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
