"""Tools for the lexicon's regular expressions: what a match must open on or
contain, read from the expression's parse tree, and rewrites that give the same
matches faster (``literal_first``, ``for_lowered``, ``trie_pattern``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants, _parser  # type: ignore[attr-defined]
from typing import Any

#: Operators that match no character: word boundaries, look-ahead and look-behind.
_ZERO_WIDTH = (_constants.AT, _constants.ASSERT, _constants.ASSERT_NOT)


def openings(items: Any) -> set[str] | None:
    """Literal strings one of which every match of the parsed ``items`` opens on
    (zero-width assertions between its letters skipped), or None when a match may
    open on something else (a class, a repeat) or on nothing."""
    run: list[str] = []
    for op, av in items:
        if op is _constants.LITERAL:
            run.append(chr(av))
            continue
        if op in _ZERO_WIDTH:
            continue
        inner: list[Any] | None = None
        if op is _constants.SUBPATTERN and not av[1] & re.IGNORECASE:
            inner = [av[3]]
        elif op is _constants.BRANCH:
            inner = av[1]
        if inner is not None:
            found = [openings(alt) for alt in inner]
            if all(found):
                return {"".join(run) + rest for alt in found for rest in alt}  # type: ignore[union-attr]
        break
    return {"".join(run)} if run else None


def trie_pattern(words: set[str]) -> str:
    """An expression matching where any of ``words`` starts, factored letter by letter
    ("co(?:nsent|pyright)"): the regex engine then tries one alternative per letter
    instead of every word at every position."""

    def emit(node: dict[str, Any]) -> str:
        if "" in node:
            return ""  # a word ends here: the longer ones add nothing
        alternatives = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items())]
        return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"

    return emit(_trie(words))


def _trie(words: set[str]) -> dict[str, Any]:
    """The words letter by letter: each node maps a letter to the next node, and ``""``
    to an empty node where a word ends."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return root


#: Escapes such as \\W or \\S, which lower-casing the text does not affect.
_ESCAPES = re.compile(r"\\[A-Za-z]")
_UPPER = re.compile(r"[A-Z]")
_REPEATS = (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT)


#: A group that opens on a word boundary and a letter or digit: ``(?:\\bpay``.
_BOUNDARY_FIRST = re.compile(r"\(\?:\\b([A-Za-z0-9])(?![*+?{])")


def literal_first(pattern: str) -> str:
    """``pattern`` with each ``(?:\\bx`` written ``(?:x(?<=\\bx)``: the same matches
    (the letter, with a word boundary before it), but every alternative now opens on a
    letter, so the regex engine skips ahead to the letters that can start a match
    instead of trying each alternative at every position (twice as fast on the corpus)."""
    return _BOUNDARY_FIRST.sub(lambda m: f"(?:{m[1]}(?<=\\b{m[1]})", pattern)


def for_lowered(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled for text already lower-cased: case-sensitive (much
    faster) unless it spells an upper-case letter itself."""
    if _UPPER.search(_ESCAPES.sub("", pattern)):
        return re.compile(literal_first(pattern), re.I)
    return re.compile(literal_first(pattern))


def lower_cased(text: str) -> str | None:
    """``text`` lower-cased once, for the expressions ``for_lowered`` compiles; None
    where lower-casing moves offsets (a few rare characters: "İ" becomes two), and the
    case-insensitive expression must run on the text itself."""
    low = text.lower()
    return low if len(low) == len(text) else None


def caseless_finditer(
    text: str, low: str | None, pattern: re.Pattern[str], lower: re.Pattern[str]
) -> Iterator[re.Match[str]]:
    """The matches of the case-insensitive ``pattern`` in ``text``: found by ``lower``
    (its ``for_lowered`` form) in ``low`` (``lower_cased(text)``) when it is not None. The
    offsets are the same either way; read what is written from ``text``."""
    return lower.finditer(low) if low is not None else pattern.finditer(text)


def required_words(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which every match of ``pattern`` contains, read from its parse tree
    (runs of literal characters, alternatives that each hold one, groups and repeats
    that must occur), the longest such choice; None when there is none or the pattern
    ignores case (its literals then match other characters too)."""
    if pattern.flags & re.IGNORECASE:
        return None
    found = _required(_parser.parse(pattern.pattern, pattern.flags))
    if not found:
        return None
    # "rob" already stands for "robbed" and "robbing".
    return tuple(sorted(w for w in found if not any(o != w and o in w for o in found)))


def _required(items: Any) -> set[str] | None:
    """A set of strings one of which every match of the sequence ``items`` contains."""
    choices: list[set[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is _constants.LITERAL:
            run.append(chr(av))
            continue
        if run:
            choices.append({"".join(run)})
            run = []
        inner: set[str] | None = None
        if op is _constants.SUBPATTERN:
            inner = None if av[1] & re.IGNORECASE else _required(av[3])
        elif op is _constants.BRANCH:
            alternatives = [_required(alt) for alt in av[1]]
            if all(alternatives):
                inner = set().union(*alternatives)  # type: ignore[arg-type]
        elif op in _REPEATS and av[0] >= 1:
            inner = _required(av[2])
        if inner:
            choices.append(inner)
    if run:
        choices.append({"".join(run)})
    # The choice whose shortest string is longest: the rarest in text.
    return max(choices, key=lambda c: min(map(len, c)), default=None)


def names_trie(names: set[str], before: str) -> str:
    """An expression matching any of ``names`` where the character before is not one of
    the class ``before`` (``"[\\w/]"``), the longest name first as an alternation sorted
    longest first would, and factored letter by letter so that the regex engine skips to
    the letters a name opens on. A space in a name matches any run of white space.

    Two names can match at one place only when one begins the other, so trying the
    longer continuation first at every letter gives the alternation's match."""
    root = _trie(names)

    def letter(ch: str) -> str:
        return r"\s+" if ch == " " else re.escape(ch)

    def emit(node: dict[str, Any]) -> str:
        alternatives = [letter(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if "" in node:
            alternatives.append("")  # a name ends here: tried after the longer ones
        if len(alternatives) == 1:
            return alternatives[0]
        return "(?:" + "|".join(alternatives) + ")"

    # The look-behind goes after the first letter, so each alternative opens on a letter.
    first = [
        letter(ch) + f"(?<!{before}{letter(ch)})" + emit(sub) for ch, sub in sorted(root.items())
    ]
    return "(?:" + "|".join(first) + ")"
