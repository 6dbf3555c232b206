"""Form-letter campaigns: near-duplicate comments clustered with MinHash LSH.

Shingles are 5-word windows of the comment body (lower-cased, punctuation
dropped); pairs over the Jaccard threshold join a campaign (union-find), so
light personal edits (a name, a sentence added) stay in while different
letters on the same theme do not merge. The template is the member closest
to all others (the most central text), ties to the earliest id.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
THRESHOLD = 0.6
SHINGLE = 5
MIN_WORDS = 25
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Campaign:
    id: str
    template: str
    members: tuple[str, ...]


def shingles(text: str) -> set[bytes]:
    words = _WORD.findall(text.lower())
    return {" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


#: A fast, stable 32-bit hash of a shingle (the same in every process and run).
_hash = zlib.crc32


def find_campaigns(bodies: dict[str, str], *, min_size: int = 2) -> list[Campaign]:
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    sigs: dict[str, MinHash] = {}
    sets: dict[str, set[bytes]] = {}
    first = MinHash(num_perm=NUM_PERM, seed=1)
    permutations, scheme = first.permutations, first.scheme
    for doc_id, body in sorted(bodies.items()):
        sh = shingles(body)
        if len(sh) < MIN_WORDS - SHINGLE:
            continue
        m = MinHash(
            num_perm=NUM_PERM, seed=1, hashfunc=_hash, permutations=permutations, scheme=scheme
        )
        m.update_batch(list(sh))
        sigs[doc_id], sets[doc_id] = m, sh
        lsh.insert(doc_id, m)
    parent = {d: d for d in sigs}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc_id, m in sigs.items():
        for other in lsh.query(m):
            if other != doc_id and find(other) != find(doc_id):
                a, b = sets[doc_id], sets[other]
                if len(a & b) / len(a | b) >= THRESHOLD:
                    parent[find(doc_id)] = find(other)
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id in sigs:
        groups[find(doc_id)].append(doc_id)
    out = []
    for members in groups.values():
        if len(members) < min_size:
            continue
        members.sort()
        sample = members[:60]

        def centrality(d: str, sample: list[str] = sample) -> float:
            return sum(len(sets[d] & sets[o]) / len(sets[d] | sets[o]) for o in sample if o != d)

        template = max(members[:200], key=lambda d: (centrality(d), -members.index(d)))
        out.append(Campaign(f"campaign-{template}", template, tuple(members)))
    return sorted(out, key=lambda c: (-len(c.members), c.id))


#: Words right before an organisation's name that make it the letter's sponsor
#: ("I'm a member of the Writers Guild of America West", "on behalf of …").
_SPONSOR_CUE = re.compile(
    r"\b(?:members?|on\s+behalf|supporters?|behalf)\s+of\s+(?:the\s+)?$", re.IGNORECASE
)
#: How far into the template a sponsor must be named to count.
OPENING_CHARS = 600


def campaign_sponsor(template: str, members: list[str]) -> str | None:
    """The organisation a form letter speaks for, where the letter says so: named in the
    template's opening right after "member of", "on behalf of" or "supporter of", and
    named in at least half of the letters. ``None`` when no such organisation is evident."""
    from nlp.organizations import gazetteer

    gaz = gazetteer()
    opening = template[:OPENING_CHARS]
    for org_id, start, _ in gaz.find(opening):
        if not _SPONSOR_CUE.search(opening[max(0, start - 40) : start]):
            continue
        named = sum(1 for text in members if any(o == org_id for o, _, _ in gaz.find(text)))
        if named * 2 >= len(members):
            return gaz.orgs[org_id].name
    return None


#: A greeting at the start of a line ("Dear U.S. Copyright Office,", "Hello."), and lines
#: that only head the letter ("Re: …").
_SALUTATION = re.compile(
    r"^(?:(?:dear|to whom)\b[^,:]*(?:[,:]|$)|(?:hello|hi|greetings)\b[^,.!:]*[,.!:]?"
    r"|(?:re|subject):.*)\s*",
    re.IGNORECASE,
)


#: A sentence end: . ! or ? before a space and a capital (or an opening quote).
_SENTENCE_END = re.compile(r"[.!?](?=\s+[\"“‘'(]?[A-Z])")
#: Words whose full stop ends no sentence: initials ("U.S."), numbers ("1."), titles.
_ABBREVIATION = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]|\d+|Mr|Mrs|Ms|Dr|St|No|vs|etc|Inc|Co")


def first_sentence(line: str) -> str:
    for end in _SENTENCE_END.finditer(line):
        before = line[: end.start()].rsplit(None, 1)[-1] if line[: end.start()].strip() else ""
        if not _ABBREVIATION.fullmatch(before.lstrip("\"“‘'(")):
            return line[: end.end()]
    return line


def opening_line(template: str, limit: int = 90) -> str:
    """The template's first sentence after any salutation ("Dear U.S. Copyright Office,")."""
    for line in template.splitlines():
        line = _SALUTATION.sub("", " ".join(line.split()), count=1)
        if not line:
            continue
        sentence = first_sentence(line)
        return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
    return ""


@dataclass(frozen=True)
class Variation:
    """How one letter differs from its campaign's template, word by word."""

    document_id: str
    exact: bool
    inserted: int
    deleted: int
    #: the longest passage the signatory added (or the longest one changed), if any
    added: str


#: A closing on a line of its own ("Sincerely,"): what follows is the signature.
_CLOSING = re.compile(
    r"^\s*(?:sincerely(?: yours)?|best(?: regards)?|regards|kind regards|respectfully"
    r"(?: submitted)?|thank you|thanks|yours truly|cordially)\s*[,.!]?\s*$",
    re.IGNORECASE | re.MULTILINE,
)


def letter_body(text: str) -> str:
    """The letter without its signature: everything before its last closing line."""
    closings = list(_CLOSING.finditer(text))
    return text[: closings[-1].start()] if closings else text


def _words(text: str) -> list[str]:
    return letter_body(text).split()


def variation(document_id: str, template: str, text: str) -> Variation:
    """Compare a letter with the template, ignoring case, spacing and the signature."""
    from difflib import SequenceMatcher

    a, b = _words(template), _words(text)
    if [w.lower() for w in a] == [w.lower() for w in b]:
        return Variation(document_id, True, 0, 0, "")
    matcher = SequenceMatcher(None, [w.lower() for w in a], [w.lower() for w in b], autojunk=False)
    inserted = deleted = 0
    added = ""
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("insert", "replace"):
            inserted += j2 - j1
            passage = " ".join(b[j1:j2])
            added = passage if len(passage) > len(added) else added
        if op in ("delete", "replace"):
            deleted += i2 - i1
    return Variation(document_id, False, inserted, deleted, added)
