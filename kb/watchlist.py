"""The watchlist: what ``kb sync`` follows (a TOML file; see docs/watchlist.md).

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
class Watchlist:
    dockets: tuple[WatchedDocket, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)


def load_watchlist(path: Path | None = None) -> Watchlist:
    path = path or Path(os.environ.get("KB_WATCHLIST") or DEFAULT_PATH)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read watchlist: {exc.strerror}", item=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"invalid TOML: {exc}", item=str(path)) from None
    dockets = []
    for n, entry in enumerate(raw.get("dockets", [])):
        if not isinstance(entry, dict) or not entry.get("id"):
            raise UsageError(f"dockets[{n}] needs an id", item=str(path))
        dockets.append(
            WatchedDocket(
                id=entry["id"],
                source=entry.get("source", "regulations.gov"),
                title=entry.get("title"),
                documents=tuple(entry.get("documents", ())),
                rounds=tuple(entry.get("rounds", ())),
            )
        )
    return Watchlist(dockets=tuple(dockets), raw=raw)
