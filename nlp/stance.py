"""Sentence stance on the codebook issues, by the cue lexicon (``lexicon/stance.toml``).

Staged for speed: one combined trigger expression per issue selects candidate
sentences; only those are matched against the issue's cues. Questions,
boilerplate and (for a filer) views the sentence attributes to others are
not evidence; a rebuttal right after a reported view ("They are wrong.")
turns that view into the opposite position of the author.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from re import _parser  # type: ignore[attr-defined]

from nlp.patterns import for_lowered, lower_cased, openings, required_words, trie_pattern

LEXICON = Path(__file__).with_name("lexicon") / "stance.toml"
ISSUES = (
    "training_fair_use",
    "consent_required",
    "compensation",
    "credit_attribution",
    "voice_likeness_right",
    "training_transparency",
    "ai_output_labeling",
    "output_copyrightability",
)
STANCES = ("supports", "opposes", "mixed")
_ORDER = {"mixed": 0, "opposes": 1, "supports": 2}
_NEGATION = re.compile(
    r"(?:\bnot|n['’]t|\bcannot|\bnever|\bno longer|\bhardly|\bne\b|\bn['’])\W+(?:\w+\W+){0,4}$",
    re.I,
)
_NOT_ONLY = re.compile(
    r"\bnot (?:only|just|merely)\W+(?:\w+\W+){0,2}$|\bwhether or not\b|\bor not\b", re.I
)
#: "cannot happen without permission and licensing": the second negative undoes the first.
_DOUBLE = re.compile(r"\bwithout\b", re.I)
#: A cue that itself says "without …" or "no …" is not reversed by a negation before it.
_NEGATIVE_CUE = re.compile(r"^(?:without|no|not|never|zero|un\w+)\b", re.I)
REPORTED = re.compile(
    r"\b(?:claim|claims|claimed|argue|argues|argued|contend|contends|contended|assert|asserts|"
    r"insist|insists|allege|alleges|maintain|maintains|suggest|suggests|would have (?:you|us) believe|"
    r"according to|font valoir|affirment|prétendent|soutiennent que)\b",
    re.I,
)
#: Sentences about what other parties hold ("commenters who oppose…", "critics say…").
THIRD_PARTY = re.compile(
    r"\b(?:other |some |many |several |these |those |certain )?(?:commenters|commentators|critics|"
    r"opponents|proponents|plaintiffs|detractors|skeptics|sceptics)\b|\bthose who\b|\bceux qui\b|"
    r"\bcelles qui\b",
    re.I,
)
#: "Opposing X, some in the industry argue that…": when the sentence's speaker is a third
#: party, it reports their view wherever the cue stands.
REPORTED_SPEAKER = re.compile(
    r"\b(?:some|others|many|several|certain)(?: (?:in|of|within) (?:the )?[\w-]+(?: [\w-]+){0,3})? "
    r"(?:argue|claim|contend|assert|insist|maintain|suggest)\b",
    re.I,
)
_FIRST_PERSON = re.compile(r"\b(?:we|i|our|us|my|nous|je)\b", re.I)
REBUTTAL = re.compile(
    r"^\s*(?:(?:they|this|that|these|such|those)(?: \w+){0,3} (?:are|is) (?:simply |plainly |just )?"
    r"(?:wrong|incorrect|mistaken|misguided|false|untrue|unfounded|without merit)|we disagree|"
    r"not so|nonsense|this argument fails|that argument fails|these arguments fail)",
    re.I,
)


@dataclass(frozen=True)
class Cue:
    issue: str
    stance: str
    weight: float
    pattern: re.Pattern[str]
    #: The same expression for lower-cased text (see ``for_lowered``).
    lower: re.Pattern[str]
    #: Words one of which every match of ``lower`` contains (``required_words``), or
    #: None: the expression is searched only in sentences holding one.
    needs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Hit:
    issue: str
    stance: str
    weight: float
    start: int  # into the sentence
    end: int
    reported: bool = False


#: Weight kept by a cue whose sentence lacks the issue's context (legal doctrine in general).
OFF_CONTEXT = 0.35


@dataclass(frozen=True)
class Lexicon:
    contexts: dict[str, re.Pattern[str] | None]
    triggers: dict[str, re.Pattern[str]]
    #: One expression per issue matching where any of its cues would: a sentence whose
    #: lower-casing moves offsets (no substring tests, ``cues_in``) that matches none
    #: is dismissed with a single search.
    any_cue: dict[str, re.Pattern[str]]
    cues: dict[str, list[Cue]]
    any_trigger: re.Pattern[str]
    version: str
    #: Each issue's trigger compiled case-sensitively, for text lower-cased once
    #: (several times faster than a case-insensitive scan).
    lower_triggers: dict[str, re.Pattern[str]] = field(default_factory=dict)

    def cues_in(self, issue: str, lowered: str) -> list[Cue]:
        """The cues of ``issue`` that may match the lower-cased ``lowered``: those whose
        ``needs`` it holds (each word tested once), and those without ``needs``."""
        present = self._unfiltered[issue]
        for word, mask in self._cue_words[issue]:
            if word in lowered:
                present |= mask
        return [cue for k, cue in enumerate(self.cues[issue]) if present >> k & 1]

    @cached_property
    def _cue_words(self) -> dict[str, tuple[tuple[str, int], ...]]:
        """issue → (word, bit mask of the cues that need it)."""
        out = {}
        for issue, cues in self.cues.items():
            masks: dict[str, int] = {}
            for k, cue in enumerate(cues):
                for word in cue.needs or ():
                    masks[word] = masks.get(word, 0) | 1 << k
            out[issue] = tuple(masks.items())
        return out

    @cached_property
    def _unfiltered(self) -> dict[str, int]:
        return {
            issue: sum(1 << k for k, cue in enumerate(cues) if cue.needs is None)
            for issue, cues in self.cues.items()
        }

    def triggered(self, text: str) -> list[tuple[int, str]]:
        """(position, issue) of every trigger in ``text``, sorted by position.

        Issues are scanned separately, so one word can trigger two issues
        ("disclose": transparency and labelling)."""
        low = lower_cased(text)
        if low is None:  # lower-casing moved offsets (rare characters)
            return scanned(text, self.triggers)
        starts = self._trigger_starts
        if starts is None:
            return scanned(low, self.lower_triggers)
        # One scan for where any trigger may start, then each issue's expression
        # there, left to right as its own scan would go (matches never overlap).
        order = self._trigger_order
        out: list[tuple[int, str]] = []
        free = dict.fromkeys(self.lower_triggers, 0)
        for m in starts.finditer(low):
            at = m.start()
            for issue, pattern in order:
                if at >= free[issue] and (hit := pattern.match(low, at)):
                    out.append((at, issue))
                    free[issue] = hit.end()
        return out

    @cached_property
    def _trigger_order(self) -> list[tuple[str, re.Pattern[str]]]:
        return sorted(self.lower_triggers.items())

    @cached_property
    def _trigger_starts(self) -> re.Pattern[str] | None:
        """Where a trigger of any issue may start in lower-cased text: the literal
        letters each trigger opens on, as one trie (``trie_pattern``), and the triggers
        that open on none written out whole. On the corpus it finds the same triggers as a scan
        per issue in half the time. None when a trigger may match nothing (a scan
        per issue then steps past its empty matches)."""
        prefixes: set[str] = set()
        whole = []
        for pattern in self.lower_triggers.values():
            tree = _parser.parse(pattern.pattern, pattern.flags)
            if tree.getwidth()[0] == 0:
                return None
            opening = None if pattern.flags & re.IGNORECASE else openings(tree)
            if opening:
                prefixes |= opening
            else:
                whole.append(
                    f"(?i:{pattern.pattern})"
                    if pattern.flags & re.IGNORECASE
                    else f"(?:{pattern.pattern})"
                )
        return re.compile(
            "(?=" + "|".join(([trie_pattern(prefixes)] if prefixes else []) + whole) + ")"
        )


def scanned(text: str, scans: dict[str, re.Pattern[str]]) -> list[tuple[int, str]]:
    """(position, issue) of every match of each issue's expression, sorted."""
    return sorted((m.start(), issue) for issue, p in scans.items() for m in p.finditer(text))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    import hashlib

    raw_bytes = LEXICON.read_bytes()
    raw = tomllib.loads(raw_bytes.decode("utf-8"))
    triggers = {}
    contexts: dict[str, re.Pattern[str] | None] = {}
    cues: dict[str, list[Cue]] = {}
    for issue in ISSUES:
        spec = raw[issue]
        contexts[issue] = (
            re.compile("|".join(f"(?:{c})" for c in spec["context"]), re.I)
            if spec.get("context")
            else None
        )
        triggers[issue] = re.compile("|".join(f"(?:{t})" for t in spec["trigger"]), re.I)
        entries = sorted(spec["cues"], key=lambda c: (_ORDER[c["stance"]], -float(c["weight"])))
        cues[issue] = [
            Cue(
                issue,
                c["stance"],
                float(c["weight"]),
                re.compile(p, re.I),
                lower := for_lowered(p),
                required_words(lower),
            )
            for c in entries
            for p in c["patterns"]
        ]
    any_trigger = re.compile("|".join(f"(?:{t.pattern})" for t in triggers.values()), re.I)
    any_cue = {
        issue: re.compile("|".join(f"(?:{c.pattern.pattern})" for c in cues[issue]), re.I)
        for issue in ISSUES
    }
    lower_triggers = {issue: for_lowered(t.pattern) for issue, t in triggers.items()}
    return Lexicon(
        contexts,
        triggers,
        any_cue,
        cues,
        any_trigger,
        hashlib.sha256(raw_bytes).hexdigest()[:12],
        lower_triggers,
    )


@dataclass(frozen=True)
class Speech:
    """The expressions that say who speaks, compiled for text as it is and for text
    lower-cased once (``for_lowered``: the same matches, several times faster)."""

    reported: re.Pattern[str]
    third_party: re.Pattern[str]
    speaker: re.Pattern[str]
    first_person: re.Pattern[str]


SPEECH = Speech(REPORTED, THIRD_PARTY, REPORTED_SPEAKER, _FIRST_PERSON)
SPEECH_LOWER = Speech(
    *(for_lowered(p.pattern) for p in (REPORTED, THIRD_PARTY, REPORTED_SPEAKER, _FIRST_PERSON))
)


def speech_of(text: str) -> tuple[str, Speech]:
    """``text`` lower-cased with the expressions for it, or (when lower-casing moved
    offsets) ``text`` itself with the case-insensitive ones."""
    low = lower_cased(text)
    return (low, SPEECH_LOWER) if low is not None else (text, SPEECH)


def is_reported(text: str, match_start: int) -> bool:
    """The sentence attributes the view to someone else (not "we" or "I")."""
    text, rx = speech_of(text)
    third = rx.third_party.search(text)
    if third and third.start() < match_start and not rx.first_person.search(text, 0, third.start()):
        return True
    speaker = rx.speaker.search(text)
    if speaker and not rx.first_person.search(text, 0, speaker.start()):
        return True
    for m in rx.reported.finditer(text):
        if m.start() < match_start and not rx.first_person.search(text, 0, m.start()):
            return True
    return False


def classify(
    text: str, issues: tuple[str, ...] | None = None, *, formal: bool = False
) -> list[Hit]:
    """The stance cue hits of one sentence, at most one per issue.

    ``issues``: the issues whose triggers the sentence contains, when the caller
    scanned the whole document already (else the sentence is scanned here).
    ``formal``: the sentence comes from a long filing, where general legal
    discussion is common; a cue without the issue's context words then counts less.
    """
    lex = lexicon()
    if issues is None:
        issues = tuple(dict.fromkeys(issue for _, issue in lex.triggered(text)))
    hits = []
    low = lower_cased(text)
    fast = low is not None  # else lower-casing moved offsets: match the text itself
    subject = low if low is not None else text
    for issue in issues:
        if fast:
            # Substring tests dismiss most cues (one alternation of them all costs
            # more than the cues it spares).
            cues = lex.cues_in(issue, subject)
        elif lex.any_cue[issue].search(subject):
            cues = lex.cues[issue]
        else:
            continue
        for cue in cues:
            m = (cue.lower if fast else cue.pattern).search(subject)
            if m is None:
                continue
            stance = cue.stance
            if stance == "supports" and not _NEGATIVE_CUE.match(m.group(0)):
                before = text[max(0, m.start() - 40) : m.start()]
                negation = _NEGATION.search(before)
                if (
                    negation
                    and not _NOT_ONLY.search(before)
                    and not _DOUBLE.search(before[negation.start() :])
                ):
                    stance = "opposes"
            hits.append(
                Hit(issue, stance, cue.weight, m.start(), m.end(), is_reported(text, m.start()))
            )
            break
    return hits
