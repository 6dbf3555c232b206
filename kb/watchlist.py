"""The watchlist: what ``kb sync`` follows (a TOML file; see docs/about/watchlist.md).

The default lives beside this module (``watchlist.toml``); ``--watchlist PATH``
or ``$KB_WATCHLIST`` points at another.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.errors import UsageError
from kb.records import BILL_ID_RE

DEFAULT_PATH = Path(__file__).with_name("watchlist.toml")


@dataclass(frozen=True)
class WatchedDocket:
    id: str
    source: str = "regulations.gov"
    title: str | None = None
    #: Document ids fetched by detail even when no listing names them.
    documents: tuple[str, ...] = ()
    #: Comment rounds: ``{"name": "initial", "closes": "2023-10-30"}``…
    rounds: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class WatchedBill:
    id: str
    name: str | None = None


@dataclass(frozen=True)
class BillSearch:
    """Bills whose title contains one of ``terms``, in the given Congresses."""

    terms: tuple[str, ...]
    congresses: tuple[int, ...]


@dataclass(frozen=True)
class FederalRegisterSearch:
    agencies: tuple[str, ...] = ()
    term: str | None = None
    dockets: tuple[str, ...] = ()
    since: str = "2023-01-01"


@dataclass(frozen=True)
class WatchedPage:
    url: str
    name: str
    kind: str = "page"  # page | report


@dataclass(frozen=True)
class WatchedFeed:
    url: str
    name: str
    #: Keep only entries whose title or summary mentions one of these (case-insensitive).
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Watchlist:
    dockets: tuple[WatchedDocket, ...] = ()
    bills: tuple[WatchedBill, ...] = ()
    bill_searches: tuple[BillSearch, ...] = ()
    federal_register: tuple[FederalRegisterSearch, ...] = ()
    pages: tuple[WatchedPage, ...] = ()
    feeds: tuple[WatchedFeed, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)


def _entries(
    raw: dict[str, Any], key: str, path: Path, required: tuple[str, ...]
) -> list[dict[str, Any]]:
    out = []
    for n, entry in enumerate(raw.get(key, [])):
        if not isinstance(entry, dict) or any(not entry.get(r) for r in required):
            raise UsageError(f"{key}[{n}] needs {', '.join(required)}", item=str(path))
        out.append(entry)
    return out


def load_watchlist(path: Path | None = None) -> Watchlist:
    path = path or Path(os.environ.get("KB_WATCHLIST") or DEFAULT_PATH)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read watchlist: {exc.strerror}", item=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"invalid TOML: {exc}", item=str(path)) from None
    dockets = tuple(
        WatchedDocket(
            id=e["id"],
            source=e.get("source", "regulations.gov"),
            title=e.get("title"),
            documents=tuple(e.get("documents", ())),
            rounds=tuple(e.get("rounds", ())),
        )
        for e in _entries(raw, "dockets", path, ("id",))
    )
    bills = []
    for e in _entries(raw, "bills", path, ("id",)):
        if not BILL_ID_RE.match(e["id"]):
            raise UsageError(f"bill id {e['id']!r} is not like 119-s-4591", item=str(path))
        bills.append(WatchedBill(e["id"], e.get("name")))
    return Watchlist(
        dockets=dockets,
        bills=tuple(bills),
        bill_searches=tuple(
            BillSearch(tuple(e["terms"]), tuple(int(c) for c in e.get("congresses", (119,))))
            for e in _entries(raw, "bill_searches", path, ("terms",))
        ),
        federal_register=tuple(
            FederalRegisterSearch(
                tuple(e.get("agencies", ())),
                e.get("term"),
                tuple(e.get("dockets", ())),
                str(e.get("since", "2023-01-01")),
            )
            for e in _entries(raw, "federal_register", path, ())
        ),
        pages=tuple(
            WatchedPage(e["url"], e.get("name") or e["url"], e.get("kind", "page"))
            for e in _entries(raw, "pages", path, ("url",))
        ),
        feeds=tuple(
            WatchedFeed(e["url"], e.get("name") or e["url"], tuple(e.get("keywords", ())))
            for e in _entries(raw, "feeds", path, ("url",))
        ),
        raw=raw,
    )
