"""Who answers whom: the sentences of a filing that name another commenter, and whether
the filer agrees with it, rebuts it or merely cites it (pure).

A mention is an organisation of the gazetteer named in a sentence (not the filer itself,
not a party to a case, "Google v. Oracle", and not a product name alone). Its relation
is read from the sentence's wording: a reported claim the filer disputes ("OpenAI
argues…", "Meta's claim … is wrong") is a rebuttal; an endorsement or an admission the
filer relies on ("as the Authors Guild noted", "Google concedes") is agreement; anything
else a citation. The cue lists were written from the labelled replies in
``nlp.answers_eval.FIT`` only; ``kb eval`` scores them on the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from nlp.organizations import gazetteer
from nlp.sentences import Sentence

_REBUT = re.compile(
    r"\b(argu\w*|claim\w*|contend\w*|assert\w*|insist\w*|posit\w*|suggest\w*|wrong\w*|"
    r"incorrect\w*|mistaken\w*|misplaced|mischaracteri\w*|misread\w*|misunderstand\w*|"
    r"misstat\w*|fail\w*|ignor\w*|overlook\w*|unpersuasive|flawed|erroneous\w*|"
    r"self-serving|meritless|without merit|cannot|can't|simply not|not so|contrary|"
    r"purport\w*|would have (the Office|us)|rel(y|ies|ied) on|downplay\w*|dismiss\w*|"
    r"irrelevant|fallac\w*|whether true or not|withstand|protest\w*|at pains|but|however|"
    r"nonetheless|despite)\b",
    re.IGNORECASE,
)
_AGREE = re.compile(
    r"\b(agree\w*|correctly|rightly|right to|recogni[sz]\w*|acknowledg\w*|admi(t|ts|tted)|"
    r"concede\w*|conced\w*|confirm\w*|as \w+(?: \w+){0,4} (?:noted|explained|observed|"
    r"pointed out|stated|described)|echo\w*|join\w*|support\w*|well[- ]taken|accurately|"
    r"see also|illustrat\w*|indeed|likewise)\b",
    re.IGNORECASE,
)
_CASE = re.compile(r"^\s*v\.|^\s*vs\.")  # "Google v. Oracle": a case, not a commenter
#: After the name: a page of its comment ("OpenAI at 12"), its comments, or what it says.
_SIGNAL = re.compile(
    r"^(?:’s|'s)?\s*(?:\([^)]{0,40}\)\s*)?(?:initial |reply |first-round )?(?:at \d|comments?\b)"
    r"|^(?:’s|'s)?\s*(?:\w+ly )?(?:argu|claim|contend|assert|explain|note|state|suggest|say|"
    r"acknowledg|concede|admit|recogni[sz]|protest|insist|observe|point|write|posit|maintain|"
    r"urge|agree|correctly|rightly)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reference:
    party: str  # organisation id of the gazetteer
    start: int  # the sentence's span in the document's text
    end: int
    relation: str  # "rebut", "agree" or "cite"


def relation_of(sentence: str) -> str:
    rebut, agree = _REBUT.search(sentence), _AGREE.search(sentence)
    if rebut and not agree:
        return "rebut"
    if agree and not rebut:
        return "agree"
    if rebut and agree:
        return "rebut" if rebut.start() < agree.start() else "agree"
    return "cite"


@lru_cache(maxsize=8)
def _names_pattern(names: tuple[tuple[str, str], ...]) -> re.Pattern[str] | None:
    if not names:
        return None
    parts = sorted((re.escape(n) for n, _ in names), key=len, reverse=True)
    return re.compile(r"(?<![\w/])(?:" + "|".join(parts) + r")(?![\w/])")


def docket_names(orgs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """(name, organisation id) of the organisations that filed in a docket, with the
    short forms a reply cites them by: "Andreessen Horowitz (a16z)" is also
    "Andreessen Horowitz" and "a16z"."""
    out: dict[str, str] = {}
    for name, org in orgs:
        out.setdefault(name, org)
        short = re.match(r"^(.+?)\s*\(([^)]+)\)$", name)
        if short:
            out.setdefault(short.group(1), org)
            out.setdefault(short.group(2), org)
    return tuple(sorted((n, o) for n, o in out.items() if len(n) >= 3))


def _found(body: str, names: tuple[tuple[str, str], ...]) -> list[tuple[str, int, int]]:
    hits = gazetteer().find(body)
    pattern = _names_pattern(names)
    if pattern is not None:
        lookup = dict(names)
        taken = [(a, b) for _, a, b in hits]
        for m in pattern.finditer(body):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                hits.append((lookup[m.group(0)], m.start(), m.end()))
    return sorted(hits, key=lambda h: h[1])


#: The words after a name that make it a reference (``_SIGNAL``), found on their own.
_SIGNAL_WORD = re.compile(
    r"\b(?:at \d|comments?\b|argu|claim|contend|assert|explain|note|state|suggest|say|"
    r"acknowledg|concede|admit|recogni[sz]|protest|insist|observe|point|write|posit|"
    r"maintain|urge|agree|correctly|rightly)",
    re.IGNORECASE,
)


def may_refer(text: str, names: tuple[tuple[str, str], ...] = ()) -> bool:
    """Whether ``text`` names a commenter the way a reply does. Cheap, before sentences:
    the names are looked for only just before the words that make a reference."""
    for m in _SIGNAL_WORD.finditer(text):
        window = text[max(0, m.start() - 120) : m.start() + 60]
        if any(_SIGNAL.match(window[b : b + 60]) for _, _, b in _found(window, names)):
            return True
    return False


def references(
    text: str,
    sentences: Sequence[Sentence],
    own: Iterable[str] = (),
    names: tuple[tuple[str, str], ...] = (),
) -> list[Reference]:
    """Every (sentence, organisation) where the text names another commenter: an
    organisation of the gazetteer or one of ``names`` (``docket_names``)."""
    mine = set(own)
    out: list[Reference] = []
    for k, sent in enumerate(sentences):
        body = text[sent.start : sent.end]
        seen: set[str] = set()
        for org, a, b in _found(body, names):
            before = body[max(0, a - 4) : a]
            if org in mine or org in seen or _CASE.match(body[b:]) or before.endswith("v. "):
                continue
            if not _SIGNAL.match(body[b : b + 60]):
                continue  # a product or a company named, not its comment
            seen.add(org)
            relation = relation_of(body)
            if relation == "cite":
                # A citation ("See, e.g., Meta at 6") takes its side from the sentences
                # around it.
                around = sentences[max(0, k - 1) : k + 2]
                relation = relation_of(" ".join(text[s.start : s.end] for s in around))
            out.append(Reference(org, sent.start, sent.end, relation))
    return out
