"""The review files, ``data/reviews/<document id>.toml`` (the format is in
:mod:`kb.store.reviews`): reading and validating them, writing one, and the quote a
review relies on (verbatim document text at its offsets)."""

from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import tomli_w

from kb.errors import KbError
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
