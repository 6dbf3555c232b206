"""From sentence hits to document positions: holders, aggregation, quotes.

Codebook rules applied here: a position belongs to its holder (the filer of a
filing; in press, the organisation the sentence reports, tracked from
sentence to sentence); the document's overall argument wins over single
sentences (a weighted vote; ``mixed`` only when conditional statements carry
the document); every position carries 1–3 verbatim quotes with offsets and
pages; weak evidence abstains.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from nlp.organizations import Filer, gazetteer
from nlp.sentences import Sentence
from nlp.stance import REBUTTAL, THIRD_PARTY, classify, lexicon

SIMILAR = re.compile(
    r"\b(?:argument similaire|même argument|similar argument|same argument|made a similar)\b", re.I
)
MIN_EVIDENCE = 0.55
#: Above this length a filing is formal argument, where doctrine is discussed in general terms.
FORMAL_CHARS = 6000
MAX_QUOTE_CHARS = 700


@dataclass(frozen=True)
class Evidence:
    holder: str
    holder_id: str | None
    issue: str
    stance: str
    weight: float
    start: int
    end: int
    page: int | None


@dataclass
class Position:
    holder: str
    holder_id: str | None
    issue: str
    stance: str
    confidence: float
    quotes: list[dict[str, object]] = field(default_factory=list)
    method: str = "lexicon-rules"


def triggered_issues(
    text: str, sentences: list[Sentence], hits: list[tuple[int, str]] | None = None
) -> list[tuple[str, ...]]:
    """For each sentence, the issues whose triggers it contains (one scan of the text)."""
    if hits is None:
        hits = lexicon().triggered(text)
    positions = [p for p, _ in hits]
    out = []
    for sent in sentences:
        lo = bisect.bisect_left(positions, sent.start)
        hi = bisect.bisect_left(positions, sent.end)
        out.append(tuple(dict.fromkeys(issue for _, issue in hits[lo:hi])))
    return out


def filer_holders(filer: Filer) -> list[tuple[str, str | None]]:
    """(name, organisation id) of each holder of a filing's positions: every joint filer."""
    if filer.org_ids:
        return list(zip(filer.names, filer.org_ids, strict=False))
    return [(filer.names[0], None)]


def filing_evidence(
    text: str,
    sentences: list[Sentence],
    filer: Filer,
    hits: list[tuple[int, str]] | None = None,
) -> list[Evidence]:
    holders = filer_holders(filer)
    formal = len(text) > FORMAL_CHARS
    triggered = triggered_issues(text, sentences, hits)
    out = []
    for i, sent in enumerate(sentences):
        if sent.boilerplate or not triggered[i]:
            continue
        sentence_text = text[sent.start : sent.end]
        for hit in classify(sentence_text, triggered[i], formal=formal):
            start, end, stance = sent.start, sent.end, hit.stance
            if hit.reported:
                nxt = sentences[i + 1] if i + 1 < len(sentences) else None
                if (
                    nxt is None
                    or not REBUTTAL.search(text[nxt.start : nxt.end])
                    or stance == "mixed"
                ):
                    continue
                stance = "opposes" if stance == "supports" else "supports"
                end = nxt.end
            for name, oid in holders:
                out.append(
                    Evidence(name, oid, hit.issue, stance, hit.weight, start, end, sent.page)
                )
    return out


def press_evidence(text: str, sentences: list[Sentence], publisher: str | None) -> list[Evidence]:
    """Positions reported in press: the organisation (or its spokesperson) the
    sentence is about, carried over to following sentences until another is named."""
    gaz = gazetteer()
    current: str | None = None
    out: list[Evidence] = []
    previous: list[Evidence] = []
    for sent in sentences:
        if sent.boilerplate:
            continue
        sentence_text = text[sent.start : sent.end]
        named = [
            o
            for o, _, _ in gaz.find(sentence_text)
            if not gaz.orgs[o].reporter and gaz.orgs[o].name != publisher
        ]
        speakers = [o for o in gaz.speakers(sentence_text) if o in named]
        if speakers:
            current = speakers[0]
        elif named:
            current = named[0]
        third = THIRD_PARTY.search(sentence_text)
        # Inside a speaker's words, "those who argue X" is a view the speaker attacks.
        hits = [h for h in classify(sentence_text) if not (third and third.start() < h.start)]
        if not hits and named and SIMILAR.search(sentence_text) and previous:
            # "Stability AI made a similar argument": the previous sentence's view, for this holder.
            org = gaz.orgs[named[0]]
            out.extend(
                Evidence(org.name, org.id, e.issue, e.stance, e.weight, e.start, sent.end, e.page)
                for e in previous
            )
            continue
        if current is None:
            previous = []
            continue
        org = gaz.orgs[current]
        previous = [
            Evidence(org.name, org.id, h.issue, h.stance, h.weight, sent.start, sent.end, sent.page)
            for h in hits
        ]
        out.extend(previous)
    return out


def aggregate(evidence: list[Evidence], text: str) -> list[Position]:
    groups: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    for e in evidence:
        groups[(e.holder, e.issue)].append(e)
    positions = []
    for (holder, issue), items in sorted(groups.items()):
        score: dict[str, float] = defaultdict(float)
        for e in items:
            score[e.stance] += e.weight
        total = sum(score.values())
        if total < MIN_EVIDENCE:
            continue
        s, o, m = score["supports"], score["opposes"], score["mixed"]
        if m >= max(s, o):
            stance = "mixed"
        elif s > o:
            stance = "supports"
        elif o > s:
            stance = "opposes"
        else:
            continue  # as much for as against, and nothing conditional: abstain
        share = score[stance] / total
        confidence = round(share * (1 - math.exp(-total / 1.5)), 3)
        chosen = sorted(
            (e for e in items if e.stance == stance),
            key=lambda e: (-e.weight, (e.end - e.start) > MAX_QUOTE_CHARS, e.start),
        )
        quotes = []
        seen: set[tuple[int, int]] = set()
        for e in chosen:
            if (e.start, e.end) in seen:
                continue
            seen.add((e.start, e.end))
            quotes.append(
                {"text": text[e.start : e.end], "start": e.start, "end": e.end, "page": e.page}
            )
            if len(quotes) == 3:
                break
        positions.append(Position(holder, items[0].holder_id, issue, stance, confidence, quotes))
    return positions
