"""Who a filing says it is from, read from its own text (no list of names needed).

Filings name their authors in a few conventional places: the title page
("Comments of the Authors Guild", "REPLY COMMENTS OF UNIVERSAL MUSIC GROUP",
"NATIONAL MUSIC PUBLISHERS' ASSOCIATION COMMENTS"), a submission line
("Submitted by … on behalf of A and B"), a "Response from …" heading, and
the opening sentence ("Google LLC appreciates the opportunity…"). The finder
reads the first pages for these, most explicit first, and splits joint
filers. The gazetteer is used afterwards, only to normalise names.
"""

from __future__ import annotations

import re
import unicodedata

HEAD_CHARS = 8000
_NAME = (
    r"[A-Z][\w&’'./-]*(?:[ \t]+(?:[A-Z][\w&’'./-]*|of|the|and|for|de|du|des|&|in|on|to|at)){0,9}"
)
_TITLE = re.compile(
    r"^[ \t]*(?:re:[ \t]*)?(?:(?:public|reply|joint|further|initial|written)[ \t]+)*"
    r"(?:comments?|response|submission|statement|reply)[ \t]+(?:of|from|by)[ \t]+(?:the[ \t]+)?"
    r"(?P<name>[^\n(“\"]{2,160}(?:\n[^\n(“\"]{2,80})?)",
    re.I | re.M,
)
_CAPS_COMMENTS = re.compile(
    r"^[ \t]*(?P<name>[A-Z][A-Z’'&.,/ -]{3,90}?)[ \t]+(?:REPLY[ \t]+)?COMMENTS\b", re.M
)
_BEHALF = re.compile(
    r"\bon behalf of[ \t]+(?:the[ \t]+)?(?P<name>[^\n]{2,200}(?:\n[^\n]{2,120})?)", re.I
)
_OPENING = re.compile(
    rf"(?:^|\n)[ \t]*(?:The[ \t]+)?(?P<name>{_NAME})(?:[ \t]*\((?:“|\")[^”\"]{{1,30}}(?:”|\")\))?,?"
    r"[ \t]+(?:respectfully[ \t]+|hereby[ \t]+|is[ \t]+pleased|are[ \t]+pleased|"
    r"appreciates|welcomes|submits|provides|thanks|is[ \t]+grateful|writes)"
    r"(?=[^\n.]{0,80}\b(?:opportunity|comments?|submission|response|reply|notice|inquiry)\b)",
)
_STOP = re.compile(
    r"\s+(?:in[ \t]+response|in[ \t]+connection|to[ \t]+the|regarding|on[ \t]+the[ \t]+|"
    r"concerning|before|for[ \t]+the[ \t]+u\.?s\.?|artificial[ \t]+intelligence|docket|"
    r"notice[ \t]+of)\b.*",
    re.I | re.S,
)
#: Joint filers: split after an abbreviation in parentheses, at semicolons and in comma lists
#: (a bare " and " stays: "Center for AI and Digital Policy" is one name).
_JOINT = re.compile(
    r"\s*(?:\((?:“|\"|)[A-Za-z0-9&/.-]{1,15}(?:”|\"|)\)(?:\s*,)?(?:\s*and\b)?|;|,\s+and\s+|,)\s*"
)
_SENTENCE_END = re.compile(r"(?<=\w{2})\.\s+(?=[A-Z][a-z])")
_LOWER_OK = {"of", "the", "and", "for", "in", "on", "to", "at", "de", "du", "des", "la", "von", "&"}
_SUFFIX = re.compile(r"^(?:inc|llc|ltd|pbc|corp|co|l\.?p)\.?$", re.I)
_NOT_A_NAME = re.compile(
    r"^(?:i|we|our|the office|united states|u\.s\.|copyright office|library of congress|"
    r"introduction|summary|artificial intelligence)\b",
    re.I,
)


def _clean(name: str) -> str:
    name = " ".join(name.split())
    name = _SENTENCE_END.split(name)[0]
    name = _STOP.sub("", name)
    name = re.sub(r"^(?:the|of)\s+", "", name, flags=re.I)
    name = name.strip(" ,.;:-–—")
    return re.sub(r"\b(Inc|Ltd|Corp|Co)$", r"\1.", name)


def _looks_like_name(part: str) -> bool:
    words = part.split()
    return (
        part[:1].isupper()
        and len(part) > 2
        and len(words) <= 10
        and all(w[:1].isupper() or w[:1].isdigit() or w.lower() in _LOWER_OK for w in words)
    )


def _split_joint(name: str) -> list[str]:
    parts = [p.strip(" ,.;") for p in _JOINT.split(name) if p and p.strip(" ,.;")]
    out: list[str] = []
    for part in parts:
        if _SUFFIX.match(part) and out:
            out[-1] = f"{out[-1]}, {part.rstrip('.')}."  # "…of America, Inc." is one name
        elif _looks_like_name(part):
            out.append(part)
    return out


_SMALL = {"of", "the", "and", "for", "in", "on", "to", "at"}


def _title_case(name: str) -> str:
    if not name.isupper():
        return name

    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        if len(w) <= 3 and w.lower() not in _SMALL | {"inc", "llc", "ltd", "co"}:
            return w  # an acronym (SGA, SCL)
        w = w.lower()
        return w if w in _SMALL and m.start() else w.capitalize()

    return re.sub(r"[A-Za-z][\w’']*", word, name)


def names_from_text(text: str, explicit_only: bool = False) -> list[str]:
    """The filer name(s) a filing gives itself, as written (title-cased if in capitals).
    ``explicit_only``: only "on behalf of" and title-page forms (for a person's comment,
    whose opening sentence is the person's own)."""
    head = text[:HEAD_CHARS]
    patterns = (_BEHALF, _TITLE) if explicit_only else (_BEHALF, _TITLE, _CAPS_COMMENTS, _OPENING)
    for pattern in patterns:
        for m in pattern.finditer(head):
            raw = m.group("name")
            if pattern is _BEHALF and "\n" in raw:
                first, second = raw.split("\n", 1)
                raw = first + (" " + second if re.search(r"(?:and|,)\s*$", first) else "")
            elif pattern is _TITLE and "\n" in raw:
                first, second = raw.split("\n", 1)
                joined = (first.isupper() and second.isupper()) or first.rstrip().endswith(
                    (",", "AND", "and", "OF", "THE")
                )
                raw = first + (" " + second if joined else "")
            name = _clean(raw)
            if not name or _NOT_A_NAME.match(name) or len(name) < 3:
                continue
            names = [_title_case(n) for n in _split_joint(name)]
            names = [n for n in names if not _NOT_A_NAME.match(n)]
            if names:
                return names
    return []


def normal(name: str) -> str:
    """A comparison key: no accents, case, punctuation, articles or corporate suffixes."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    words = [
        w
        for w in text.split()
        if w not in {"the", "inc", "llc", "ltd", "pbc", "corp", "corporation", "co", "of", "and"}
    ]
    return " ".join(words)


def same_organisation(expected: str, found: tuple[str, ...] | list[str]) -> bool:
    """Every filer the label names is among those found (joint filers: all of them)."""
    want = [normal(n) for n in re.split(r"\s*;\s*", expected) if n.strip()]
    got = [normal(n) for n in found]
    return bool(want) and all(any(w == g or w in g or g in w for g in got if g) for w in want)
