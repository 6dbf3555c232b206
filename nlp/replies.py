"""Who answers whom: the sentences of a filing that name another commenter, and whether
the filer agrees with it, rebuts it or merely cites it (pure).

A mention is a commenter named in a sentence as a commenter: an organisation of the
gazetteer or a name the docket's filers filed under, with its short forms
(``docket_names``: "Samuelson, Sprigman & Sag", "LCA", "Microsoft") or a misspelling
of one (``near_names``: "Andreeson Horowitz"), followed by a page
or a reporting verb ("OpenAI at 12", "Meta, for example, asserts"), preceded by "the
comments filed by", in a list with such a name, or picked up by "They note" in the
sentence after. Not the filer itself, not a party to a case ("Google v. Oracle"), not a
product named alone.

Its relation comes from ``relate``: by default the cue rules (``rule_relation``): a
reported claim the filer disputes ("OpenAI argues…", "Meta's claim … is wrong") is a
rebuttal; an endorsement or an admission the filer relies on ("as the Authors Guild
noted", "Google concedes") is agreement; anything else a citation. ``kb eval`` and the
tagger pass the model of ``nlp.reply_relations`` instead. The cue lists and the rules
were written from the labelled replies in ``nlp.answers_eval.FIT`` only; ``kb eval``
scores them on the others.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from nlp.organizations import gazetteer, guess_category
from nlp.patterns import caseless_finditer, for_lowered, lower_cased, names_trie
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
    r"see also|illustrat\w*|indeed|likewise|no dispute|undisputed|not disputed|candidly)\b",
    re.IGNORECASE,
)
_CASE = re.compile(r"^\s*v\.|^\s*vs\.")  # "Google v. Oracle": a case, not a commenter
#: The words by which a filer reports what another commenter says.
_REPORTS = (
    r"argu|claim|contend|assert|explain|note|state|suggest|say|acknowledg|concede|admit|"
    r"recogni[sz]|protest|insist|observe|point|write|posit|maintain|urge|agree|correctly|"
    r"rightly"
)
#: After the name: a page of its comment ("OpenAI at 12", "(at 8)"), its comments, or
#: what it says, an aside ("OpenAI, for example, contends") or an adverb between.
_SIGNAL = re.compile(
    r"^(?:’s|'s)?\s*(?:\([^)]{0,40}\)\s*)?(?:initial |reply |first-round )?(?:at\s+\d|comments?\b)"
    r"|^(?:’s|'s)?\s*\(at\s+\d"
    r"|^\s+in (?:its|their|his|her) (?:initial |reply )?(?:comments?|submissions?)\b"
    r"|^(?:’s|'s)?\s*(?:,[^,]{1,25},\s*|\(at [^)]{1,12}\)\s*)?(?:\w+ly |also |further |itself |then )?"
    rf"(?:{_REPORTS}|fail|ignor|overlook|cite|rel(?:y|ies)\b|propos|recommend|warn|emphasi[sz]|"
    r"describe|highlight|characteri[sz]|advocat|acknowledg|does not|doesn't|seems|appears)",
    re.IGNORECASE,
)
#: Before the name: the comments it filed ("the reply comments filed by the RIAA", "the
#: comments of the Association of … (A2IM)", "the comments of Google", "according to").
_LEAD = re.compile(
    r"(?:\b(?:comments?|filings?|submissions?)\s+(?:\w+\s+){0,2}(?:of|by|from)|"
    r"\baccording to|\bcited with approval by)\s+(?:the\s+)?(?:Professors?\s+)?"
    r"(?:(?:[A-Z][\w'’&-]*|of|and|for|the)\s+){0,8}\(?\s*$",
    re.IGNORECASE,
)
#: Between two names of one list ("filed by A2IM, the Recording Academy, and the RIAA").
_LIST_GAP = re.compile(r"^\)?\s*(?:\([^)]{0,20}\))?\s*(?:,|;)?\s*(?:and\s+|&\s+)?(?:the\s+)?$")


@dataclass(frozen=True)
class Reference:
    party: str  # organisation id of the gazetteer
    start: int  # the sentence's span in the document's text
    end: int
    relation: str  # "rebut", "agree" or "cite"


@dataclass(frozen=True)
class Mention:
    """What a relation is read from: the sentence that names ``party`` (its name written
    ``PARTY``, other commenters' ``OTHER``), the sentences before and after it (names
    masked alike), and the filer's own organisations."""

    party: str
    sentence: str
    before: str
    after: str
    own: tuple[str, ...] = ()


#: A relation for a mention: the cue rules (``rule_relation``) or a fitted model
#: (``nlp.reply_relations``).
Relate = Callable[[Mention], str]


def relation_of(sentence: str) -> str:
    """The relation the cue words of ``sentence`` give, the earlier cue winning."""
    rebut, agree = _REBUT.search(sentence), _AGREE.search(sentence)
    if rebut and not agree:
        return "rebut"
    if agree and not rebut:
        return "agree"
    if rebut and agree:
        return "rebut" if rebut.start() < agree.start() else "agree"
    return "cite"


def rule_relation(mention: Mention) -> str:
    """The cue rules: the sentence's cues; a bare citation ("See, e.g., Meta at 6") takes
    its side from the sentences around it."""
    relation = relation_of(mention.sentence)
    if relation == "cite":
        return relation_of(" ".join((mention.before, mention.sentence, mention.after)))
    return relation


@lru_cache(maxsize=8)
def _names_pattern(names: tuple[tuple[str, str], ...]) -> re.Pattern[str] | None:
    """The names, not inside a word or a path, the longest first (``names_trie``); a
    space matches any run of white space (PDF text breaks lines inside names)."""
    if not names:
        return None
    return re.compile(names_trie({n for n, _ in names}, r"[\w/]") + r"(?![\w/])")


_SUFFIX = re.compile(
    r",?\s+(?:Inc|LLC|L\.L\.C|Ltd|Corp|Corporation|Company|Co|PBC|LLP|Limited)\.?$", re.I
)
_PERSON = re.compile(
    r"^(?:[A-Z][a-z]+|[A-Z]\.)(?:\s+(?:[A-Z][a-z]+|[A-Z]\.)){0,2}\s+([A-Z][a-z'’-]+)$"
)
_MINOR = frozenset({"of", "and", "the", "for", "on", "in", "&", "|", "-", "a", "at"})


def _surnames(name: str) -> list[str]:
    """The surnames of a filing by named people ("Pamela Samuelson, Christopher
    Sprigman, and Matthew Sag"), or none if ``name`` is not a list of people."""
    parts = [p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+|\s+&\s+", name) if p]
    people = [_PERSON.match(p.strip()) for p in parts]
    organisations = [guess_category(p) != "other" for p in parts]
    if len(parts) < 2 or not all(people) or any(organisations) or gazetteer().find(name):
        return []
    return [m.group(1) for m in people if m]


def short_forms(name: str) -> set[str]:
    """The forms a reply cites a filer by: the name without "The" or a corporate suffix,
    the name and the acronym of "Digital Media Association (DiMA)", the acronym of its
    capitalised words ("Library Copyright Alliance": "LCA"), and for people their
    surnames ("Samuelson, Sprigman, and Sag", "… & Sag", the first alone)."""
    forms = {name}
    short = re.match(r"^(.+?)\s*\(([^)]+)\)$", name)
    if short:
        forms |= {short.group(1), short.group(2)}
    for form in list(forms):
        forms.add(_SUFFIX.sub("", re.sub(r"^The\s+", "", form)))
    bare = _SUFFIX.sub("", name)
    words = [w for w in re.findall(r"[\w'’]+|&", bare) if w.lower() not in _MINOR]
    capitalised = 3 <= len(words) <= 6 and all(w[0].isupper() for w in words)
    if not short and capitalised and guess_category(bare) != "other":  # not a person's
        forms.add("".join(w[0] for w in words))
    sur = _surnames(name)
    if sur:
        head = ", ".join(sur[:-1])
        forms |= {f"{head}, and {sur[-1]}", f"{head} and {sur[-1]}", f"{head} & {sur[-1]}"}
        forms |= {sur[0]} if len(sur[0]) >= 5 else set()
    return {f.strip() for f in forms}


def docket_names(orgs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """(name, organisation id) of the organisations that filed in a docket, with the
    short forms a reply cites them by (``short_forms``). A form two filers share, or
    that the gazetteer already holds, is left out: it names neither for sure."""
    owners: dict[str, set[str]] = {}
    for name, org in orgs:
        for form in short_forms(" ".join(name.split())):
            known = gazetteer().find(form)
            if not (known and known[0][1] == 0 and known[0][2] == len(form)) or form == name:
                owners.setdefault(form, set()).add(org)
    return tuple(
        sorted(
            (form, next(iter(ids)))
            for form, ids in owners.items()
            if len(form) >= 3 and len(ids) == 1
        )
    )


#: A run of capitalised words as a citation writes a name: "Andreeson  Horowitz",
#: "Samuel, Sprigman, and Sag".
_NAME_RUN = re.compile(r"[A-Z][\w'’.-]*(?:(?:,?\s+(?:and\s+|&\s+)?)[A-Z][\w'’.-]*)+")
#: How alike (difflib's ratio) a misspelt name must be to a filer's name of at least
#: two words and ``NEAR_MIN`` characters, whose last word it shares.
NEAR = 0.9
NEAR_MIN = 10


@lru_cache(maxsize=8)
def _by_last_word(names: tuple[tuple[str, str], ...]) -> dict[str, list[tuple[int, str, str]]]:
    """last word → (word count, name, organisation id) of the names worth a near match."""
    out: dict[str, list[tuple[int, str, str]]] = {}
    for name, org in names:
        words = name.split()
        if len(words) >= 2 and len(name) >= NEAR_MIN:
            out.setdefault(words[-1], []).append((len(words), name, org))
    return out


def near_names(
    body: str, names: tuple[tuple[str, str], ...], taken: Sequence[tuple[int, int]] = ()
) -> list[tuple[str, int, int]]:
    """(organisation id, start, end) of misspellings of ``names`` in ``body``: a run of
    capitalised words that ends in a name's last word and, over as many words as the
    name has, is at least ``NEAR`` alike to it ("Andreeson Horowitz", "Samuel, Sprigman,
    and Sag"). Runs overlapping ``taken`` (exact matches) are skipped."""
    index = _by_last_word(names)
    out = []
    for m in _NAME_RUN.finditer(body):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        words = list(re.finditer(r"\S+", m.group(0)))
        best: tuple[float, str, int] | None = None
        for count, name, org in index.get(words[-1].group(0), ()):
            if count > len(words):
                continue
            first = words[-count].start()
            written = " ".join(m.group(0)[first:].split())
            ratio = difflib.SequenceMatcher(None, written, name).ratio()
            if written != name and ratio >= NEAR and (best is None or ratio > best[0]):
                best = (ratio, org, m.start() + first)
        if best is not None:
            out.append((best[1], best[2], m.end()))
    return out


def _found(body: str, names: tuple[tuple[str, str], ...]) -> list[tuple[str, int, int]]:
    """(organisation id, start, end) of the names in ``body``: the gazetteer's, then the
    docket's where they do not overlap, then misspellings of the docket's
    (``near_names``) where neither is."""
    hits = gazetteer().find(body)
    pattern = _names_pattern(names)
    if pattern is not None:
        lookup = dict(names)
        taken = [(a, b) for _, a, b in hits]
        for m in pattern.finditer(body):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                hits.append((lookup[" ".join(m.group(0).split())], m.start(), m.end()))
        hits += near_names(body, names, [(a, b) for _, a, b in hits])
    return sorted(hits, key=lambda h: h[1])


#: The words after a name that make it a reference (``_SIGNAL``), found on their own.
_SIGNAL_WORDS = "|".join(rf"(?:\b{w})" for w in (r"at\s+\d", r"comments?\b", *_REPORTS.split("|")))
_SIGNAL_WORD = re.compile(_SIGNAL_WORDS, re.IGNORECASE)
#: The same, for text lower-cased once (``for_lowered``).
_SIGNAL_WORD_LOWER = for_lowered(_SIGNAL_WORDS)


def may_refer(text: str, names: tuple[tuple[str, str], ...] = ()) -> bool:
    """Whether ``text`` names a commenter the way a reply does. Cheap, before sentences:
    the names are looked for only just before the words that make a reference."""
    for m in caseless_finditer(text, lower_cased(text), _SIGNAL_WORD, _SIGNAL_WORD_LOWER):
        window = text[max(0, m.start() - 120) : m.start() + 60]
        if any(_SIGNAL.match(window[b : b + 60]) for _, _, b in _found(window, names)):
            return True
    return False


def _cited(body: str, hits: list[tuple[str, int, int]]) -> list[bool]:
    """Which names of a sentence are cited as commenters: followed by a page or a
    reporting verb (``_SIGNAL``), preceded by "the comments of" (``_LEAD``), or in one
    list with a name so preceded."""
    out: list[bool] = []
    for k, (_, a, b) in enumerate(hits):
        if _CASE.match(body[b:]) or body[max(0, a - 4) : a].endswith("v. "):
            out.append(False)  # "Google v. Oracle": a party to a case
            continue
        listed = k > 0 and out[k - 1] and _LIST_GAP.match(body[hits[k - 1][2] : a]) is not None
        lead = _LEAD.search(body[max(0, a - 120) : a]) is not None
        out.append(bool(_SIGNAL.match(body[b : b + 60])) or lead or listed)
    return out


def _masked(body: str, hits: list[tuple[str, int, int]], party: str) -> str:
    """``body`` with ``party``'s names written PARTY and other commenters' OTHER."""
    out, at = [], 0
    for org, a, b in hits:
        if a >= at:
            out += [body[at:a], "PARTY" if org == party else "OTHER"]
            at = b
    return "".join(out) + body[at:]


def references(
    text: str,
    sentences: Sequence[Sentence],
    own: Iterable[str] = (),
    names: tuple[tuple[str, str], ...] = (),
    relate: Relate = rule_relation,
) -> list[Reference]:
    """Every (sentence, organisation) where the text names another commenter: an
    organisation of the gazetteer or one of ``names`` (``docket_names``), with the
    relation ``relate`` reads from the sentence and its neighbours."""
    mine = tuple(own)
    bodies = [text[s.start : s.end] for s in sentences]
    found = [_found(body, names) for body in bodies]
    out: list[Reference] = []
    previous: list[str] = []
    for k, sent in enumerate(sentences):
        body, hits = bodies[k], found[k]
        seen: list[str] = []
        for (org, _, _), cited in zip(hits, _cited(body, hits), strict=True):
            if org in mine or org in seen or not cited or not _commenter(org):
                continue  # the filer, a repeat, a product or company, or the Office itself
            seen.append(org)
        if not hits and len(previous) == 1 and _ANAPHOR.match(body):
            seen = previous  # "They note …" after a sentence that cites one commenter
        for org in seen:
            relation = relate(_mention(bodies, found, k, org, mine))
            out.append(Reference(org, sent.start, sent.end, relation))
        previous = seen
    return out


def _commenter(org: str) -> bool:
    """Whether ``org`` may be a commenter a reply answers: not the agency that asks
    ("the Copyright Office argued …" answers no commenter) nor a publication reporting."""
    known = gazetteer().orgs.get(org)
    return known is None or (known.category != "government" and not known.reporter)


#: A sentence that goes on reporting what the commenter just cited says: "They note",
#: "At the same time, they contend", "The professors recognize".
_ANAPHOR = re.compile(
    r"^\W*(?:[A-Z][^,.;]{0,30},\s*)?(?:they|the (?:company|companies|professors|authors|"
    r"association|coalition|commenters?))\s+(?:\w+ly\s+|also\s+|further\s+)?"
    r"(?:argu|claim|contend|assert|explain|note|state|suggest|say|acknowledg|concede|admit|"
    r"recogni[sz]|insist|observe|point|write|maintain|urge|agree)",
    re.IGNORECASE,
)


#: A sentence that only cites ("See, e.g., Meta at 6; …", "Google at 4."): its claim is
#: the sentence before.
_CITES = re.compile(r"^\W*(?:see\b|cf\.|(?:PARTY|OTHER)\W{0,3}(?:at\s+\d|\(at))", re.IGNORECASE)


def _mention(
    bodies: list[str],
    found: list[list[tuple[str, int, int]]],
    k: int,
    org: str,
    own: tuple[str, ...],
) -> Mention:
    """The mention of ``org`` in sentence ``k``; "before" is the sentence before, and
    back to the claim a run of citations supports (at most three sentences)."""

    def masked(j: int) -> str:
        return _masked(bodies[j], found[j], org) if 0 <= j < len(bodies) else ""

    before = [masked(k - 1)]
    while len(before) < 3 and _CITES.match(before[0]) and k - len(before) > 0:
        before.insert(0, masked(k - 1 - len(before)))
    return Mention(org, masked(k), " ".join(before), masked(k + 1), own)


def mention_at(
    text: str,
    sentences: Sequence[Sentence],
    k: int,
    party: str,
    own: Iterable[str] = (),
    names: tuple[tuple[str, str], ...] = (),
) -> Mention:
    """The ``Mention`` of ``party`` in sentence ``k`` (a labelled one, to fit a model on)."""
    near = range(max(0, k - 3), min(len(sentences), k + 2))
    bodies = [
        "" if j not in near else text[sentences[j].start : sentences[j].end]
        for j in range(len(sentences))
    ]
    found = [_found(b, names) if b else [] for b in bodies]
    return _mention(bodies, found, k, party, tuple(own))
