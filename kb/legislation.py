"""Bill logic that is not parsing: status from actions, families, redlines."""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kb.records import BillAction, BillStatus

# Library of Congress action codes (GovInfo BILLSTATUS user guide, table 3).
_CODES = {
    "1000": BillStatus.INTRODUCED,
    "10000": BillStatus.INTRODUCED,
    "Intro-H": BillStatus.INTRODUCED,
    "2000": BillStatus.REFERRED,
    "11000": BillStatus.REFERRED,
    "H11100": BillStatus.REFERRED,
    "5000": BillStatus.REPORTED,
    "14000": BillStatus.REPORTED,
    "H12200": BillStatus.REPORTED,
    "H12100": BillStatus.REPORTED,
    "8000": BillStatus.PASSED_HOUSE,
    "17000": BillStatus.PASSED_SENATE,
    "36000": BillStatus.ENACTED,
    "E40000": BillStatus.ENACTED,
    "31000": BillStatus.VETOED,
}
_TEXT = (
    (re.compile(r"\bbecame public law\b", re.I), BillStatus.ENACTED),
    (re.compile(r"\bvetoed by (the )?president\b|\bpocket vetoed\b", re.I), BillStatus.VETOED),
    (re.compile(r"\bfailed of passage\b|\bnot agreed to\b.*\bpassage\b", re.I), BillStatus.FAILED),
    (re.compile(r"^passed/agreed to in house\b|\bpassed house\b", re.I), BillStatus.PASSED_HOUSE),
    (
        re.compile(r"^passed/agreed to in senate\b|\bpassed senate\b|^passed senate", re.I),
        BillStatus.PASSED_SENATE,
    ),
    (
        re.compile(
            r"\breported by\b|\breported (with|without) (an )?amendment|\bordered to be reported\b"
            r"|placed on (the )?(senate legislative|union|house) calendar",
            re.I,
        ),
        BillStatus.REPORTED,
    ),
    (re.compile(r"\breferred\b", re.I), BillStatus.REFERRED),
    (re.compile(r"^introduced in (the )?(house|senate)", re.I), BillStatus.INTRODUCED),
)
_RANK = {
    BillStatus.INTRODUCED: 0,
    BillStatus.REFERRED: 1,
    BillStatus.REPORTED: 2,
    BillStatus.PASSED_HOUSE: 3,
    BillStatus.PASSED_SENATE: 3,
    BillStatus.PASSED_BOTH: 4,
    BillStatus.FAILED: 5,
    BillStatus.VETOED: 5,
    BillStatus.ENACTED: 6,
}


def action_stage(action: BillAction) -> BillStatus | None:
    """The stage an action marks, by its code first, then by its text."""
    if action.code and action.code in _CODES:
        return _CODES[action.code]
    for pattern, stage in _TEXT:
        if pattern.search(action.text):
            # "Ordered to be reported" is a markup vote, not yet a report.
            if stage is BillStatus.REPORTED and re.search(
                r"ordered to be reported", action.text, re.I
            ):
                continue
            return stage
    return None


def derive_status(
    actions: Sequence[BillAction], introduced: str | None
) -> tuple[BillStatus, str | None]:
    """The furthest stage reached and the date it was reached."""
    status, date = BillStatus.INTRODUCED, introduced
    passed: dict[BillStatus, str] = {}
    for action in sorted(actions, key=lambda a: a.date):
        stage = action_stage(action)
        if stage is None:
            continue
        if stage in (BillStatus.PASSED_HOUSE, BillStatus.PASSED_SENATE):
            passed.setdefault(stage, action.date)
            if len(passed) == 2:
                stage = BillStatus.PASSED_BOTH
        if _RANK[stage] > _RANK[status] or (stage != status and _RANK[stage] == _RANK[status] == 3):
            status, date = stage, action.date
    return status, date


_YEAR_SUFFIX = re.compile(r"\s+of\s+(19|20)\d\d$", re.I)


def title_stem(title: str | None) -> str | None:
    """``NO FAKES Act of 2026`` → ``no fakes act``: the name that survives reintroduction."""
    if not title:
        return None
    stem = _YEAR_SUFFIX.sub("", title.strip())
    return " ".join(stem.lower().split()) or None


_LABEL = {
    "hr": "H.R.",
    "s": "S.",
    "hjres": "H.J.Res.",
    "sjres": "S.J.Res.",
    "hconres": "H.Con.Res.",
    "sconres": "S.Con.Res.",
    "hres": "H.Res.",
    "sres": "S.Res.",
}


def bill_label(bid: str, *, with_congress: bool = False) -> str:
    """``119-s-4591`` → ``S. 4591`` (or ``S. 4591 (119th)``)."""
    congress, kind, number = bid.split("-")
    label = f"{_LABEL.get(kind, kind.upper())} {number}"
    return f"{label} ({congress}th)" if with_congress else label


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class BillForFamily:
    id: str
    short_title: str | None
    title: str | None
    related: tuple[tuple[str, str | None], ...]
    text: str | None = None


def shingles(text: str, k: int = 5) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    return {hash(tuple(words[i : i + k])) for i in range(max(len(words) - k + 1, 0))}


def group_families(
    bills: Iterable[BillForFamily], *, text_threshold: float = 0.6
) -> dict[str, list[str]]:
    """Union bills linked as identical/related, sharing a short-title stem, or
    with near-identical texts. Returns family id → member bill ids."""
    bills = list(bills)
    parent = {b.id: b.id for b in bills}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        if a in parent and b in parent:
            parent[find(a)] = find(b)

    by_stem: dict[str, str] = {}
    for bill in bills:
        for other, relation in bill.related:
            if relation is None or relation.lower() in ("identical bill", "related bill"):
                union(bill.id, other)
        stem = title_stem(bill.short_title)
        if stem:
            if stem in by_stem:
                union(bill.id, by_stem[stem])
            else:
                by_stem[stem] = bill.id
    texts = [(b.id, shingles(b.text)) for b in bills if b.text]
    for i, (a, sa) in enumerate(texts):
        for b, sb in texts[i + 1 :]:
            if sa and sb and len(sa & sb) / len(sa | sb) >= text_threshold:
                union(a, b)
    groups: dict[str, list[str]] = {}
    for bill in bills:
        groups.setdefault(find(bill.id), []).append(bill.id)
    by_id = {b.id: b for b in bills}
    out: dict[str, list[str]] = {}
    for members in groups.values():
        members.sort(key=_bill_sort_key)
        name = next(
            (title_stem(by_id[m].short_title) for m in members if by_id[m].short_title), None
        )
        family = slug(name) if name else members[0]
        while family in out:
            family = f"{family}-{members[0]}"
        out[family] = members
    return out


def _bill_sort_key(bill: str) -> tuple[int, int, str]:
    congress, kind, number = bill.split("-")
    return int(congress), 0 if kind == "s" else 1, number.zfill(6)


@dataclass(frozen=True)
class Redline:
    inserted: int
    deleted: int
    html: str


_TOKEN = re.compile(r"\s+|[^\s]+")


def redline(before: str, after: str) -> Redline:
    """A word-level redline of ``before`` → ``after`` as escaped HTML with
    ``<del>`` and ``<ins>``; counts are words inserted and deleted."""
    a = _TOKEN.findall(before)
    b = _TOKEN.findall(after)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out: list[str] = []
    inserted = deleted = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(html.escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            chunk = "".join(a[i1:i2])
            deleted += len(chunk.split())
            out.append(f"<del>{html.escape(chunk)}</del>")
        if op in ("insert", "replace"):
            chunk = "".join(b[j1:j2])
            inserted += len(chunk.split())
            out.append(f"<ins>{html.escape(chunk)}</ins>")
    return Redline(inserted, deleted, "".join(out))
