"""Mentions of watched bills, dockets, Copyright Office reports and the
digital-replica right, in English and French, with character offsets.

Patterns come from the database (bill numbers and short titles of every bill
we hold) and the watchlist (named bills we do not hold yet), so a newly
tracked bill is found everywhere on the next ``kb tag``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from kb.legislation import slug, title_stem
from nlp.patterns import caseless_finditer, for_lowered, literal_first, lower_cased

# Each expression's alternatives open on a word boundary written inside them,
# ``(?:\\bx``, so that ``literal_first`` lets the regex engine skip ahead to the
# letters a match opens on; the case-insensitive ones are also compiled for text
# lower-cased once (``for_lowered``). Either way the matches are the same.

#: How a bill number is written: "S. 4591", "S.4591", "H.R. 2794", "HR 2794", "H. R. 2794".
_BILL_NUMBER = re.compile(
    literal_first(
        r"(?P<kind>(?:\bH\.\s?R\.)|(?:\bHR)|(?:\bS\.)|(?:\bH\.\s?Res\.)|(?:\bS\.\s?Res\.)"
        r"|(?:\bH\.\s?J\.\s?Res\.)|(?:\bS\.\s?J\.\s?Res\.))\s?(?P<num>\d{1,5})\b"
    )
)
_KIND = {"hr": "hr", "s": "s", "hres": "hres", "sres": "sres", "hjres": "hjres", "sjres": "sjres"}
DOCKET_RE = re.compile(r"[A-Z](?<=\b[A-Z])[A-Z]{1,5}-\d{4}-\d{4}(?!-\d)\b")
CO_DOCKET_RE = re.compile(r"(?:\bdocket\s+no\.?\s*2023[-–]6\b)", re.I)
NOI_RE = re.compile(literal_first(r"(?:\b88\s+(?:FR|Fed\.\s?Reg\.)\s+59,?942\b)"))
CO_REPORT_RE = re.compile(
    r"copyright and artificial intelligence,?\s*(?:—|–|-|:)?\s*part\s+([123]|one|two|three)\b",
    re.I,
)
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3"}
#: The right the NO FAKES Act would create, however it is named.
DIGITAL_REPLICA_RE = re.compile(
    r"(?:\bdigital[\s-]+replicas?\b)|(?:\bright[s]? of publicity\b)|(?:\bpublicity rights?\b)"
    r"|(?:\bname,? image,? (?:and|&) likeness\b)|(?:\bvoice and (?:visual )?likeness\b)"
    r"|(?:\blikeness rights?\b)|(?:\brépliques? numériques?\b)|(?:\bdroits? à l[’']image\b)"
    r"|(?:\bdroits? de la personnalité\b)|(?:\bclonage (?:de la )?voix\b)"
    r"|(?:\bvoix et (?:de l[’'])?image\b)",
    re.I,
)
_LOWER = {p: for_lowered(p.pattern) for p in (CO_DOCKET_RE, CO_REPORT_RE, DIGITAL_REPLICA_RE)}


def _any_word(alternatives: Iterable[str]) -> str:
    """One expression for ``alternatives``, each a whole word or words."""
    return literal_first("(?:" + "|".join(rf"(?:\b{a})" for a in alternatives) + r")\b")


@dataclass(frozen=True)
class Mention:
    target_type: str  # bill | family | docket | report | topic
    target_id: str
    matched: str
    start: int
    end: int


@dataclass(frozen=True)
class BillName:
    """A bill or family we look for: its numbers and names."""

    bill_ids: tuple[str, ...]
    family: str | None
    names: tuple[str, ...]


class MentionFinder:
    def __init__(self, bills: Iterable[BillName], dockets: Iterable[str] = ()) -> None:
        self.by_number: dict[tuple[str, int], list[str]] = {}
        names: dict[str, str] = {}
        for bill in bills:
            for bid in bill.bill_ids:
                _, kind, number = bid.split("-")
                self.by_number.setdefault((kind, int(number)), []).append(bid)
            target = bill.family or (bill.bill_ids[0] if bill.bill_ids else None)
            for name in bill.names:
                stem = title_stem(name)
                if stem and target:
                    names[stem] = target
        self.name_targets = names
        alternatives = []
        for stem in sorted(names, key=len, reverse=True):
            words = [re.escape(w) for w in stem.split()]
            alternatives.append(r"[\s-]+".join(words) + r"(?:\s+of\s+(?:19|20)\d\d)?")
        self.name_re = re.compile(_any_word(alternatives), re.I) if alternatives else None
        self.name_lower = for_lowered(self.name_re.pattern) if self.name_re else None
        # Acronym titles ("NO FAKES", "NO AI FRAUD") are also cited without "Act".
        acronyms = {}
        for stem, target in names.items():
            words = stem.split()
            if (
                words
                and words[-1] == "act"
                and len(words) >= 3
                and all(len(w) <= 6 for w in words[:-1])
            ):
                acronyms[" ".join(w.upper() for w in words[:-1])] = target
        self.acronyms = acronyms
        self.acronym_re = (
            re.compile(_any_word(r"[\s-]+".join(map(re.escape, a.split())) for a in acronyms))
            if acronyms
            else None
        )
        self.dockets = set(dockets)
        self.version = hashlib.sha256(
            repr(
                (
                    sorted(self.by_number.items()),
                    sorted(names.items()),
                    sorted(acronyms.items()),
                    sorted(self.dockets),
                )
            ).encode()
        ).hexdigest()[:12]

    def _stem_target(self, text: str) -> str | None:
        return self.name_targets.get(title_stem(text) or "")

    def find(self, text: str) -> list[Mention]:
        out: list[Mention] = []
        low = lower_cased(text)

        for m in _BILL_NUMBER.finditer(text):
            kind = _KIND.get(re.sub(r"[^a-z]", "", m.group("kind").lower()))
            if kind is None:
                continue
            for bid in self.by_number.get((kind, int(m.group("num"))), []):
                out.append(Mention("bill", bid, m.group(0), m.start(), m.end()))
        if self.name_re is not None and self.name_lower is not None:
            for m in caseless_finditer(text, low, self.name_re, self.name_lower):
                written = text[m.start() : m.end()]
                target = self._stem_target(written)
                if target:
                    out.append(Mention("family", target, written, m.start(), m.end()))
        if self.acronym_re is not None:
            taken = {(x.start, x.end) for x in out}
            for m in self.acronym_re.finditer(text):
                target = self.acronyms.get(" ".join(m.group(0).split()).replace("-", " "))
                if target and not any(s <= m.start() < e for s, e in taken):
                    out.append(Mention("family", target, m.group(0), m.start(), m.end()))
        for m in DOCKET_RE.finditer(text):
            if not self.dockets or m.group(0) in self.dockets:
                out.append(Mention("docket", m.group(0), m.group(0), m.start(), m.end()))
        for m in caseless_finditer(text, low, CO_DOCKET_RE, _LOWER[CO_DOCKET_RE]):
            written = text[m.start() : m.end()]
            out.append(Mention("docket", "COLC-2023-0006", written, m.start(), m.end()))
        for m in NOI_RE.finditer(text):
            out.append(Mention("docket", "COLC-2023-0006", m.group(0), m.start(), m.end()))
        for m in caseless_finditer(text, low, CO_REPORT_RE, _LOWER[CO_REPORT_RE]):
            n = _NUMBER_WORDS.get(m.group(1).lower(), m.group(1))
            written = text[m.start() : m.end()]
            out.append(
                Mention("report", f"copyright-office-ai-part-{n}", written, m.start(), m.end())
            )
        for m in caseless_finditer(text, low, DIGITAL_REPLICA_RE, _LOWER[DIGITAL_REPLICA_RE]):
            written = text[m.start() : m.end()]
            out.append(Mention("topic", "digital_replica_right", written, m.start(), m.end()))
        return sorted(out, key=lambda x: (x.start, x.target_type, x.target_id))


def family_slug(name: str) -> str:
    stem = title_stem(name)
    return slug(stem) if stem else slug(name)
