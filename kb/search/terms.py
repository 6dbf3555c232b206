"""How the search groups words: British and American spellings as one, Porter stems,
and the words no stem may swallow (pure; ``kb.search.index`` uses it at build time).

- Variants: a British spelling joins its American form when the corpus has that form
  ("licence" → "license", "labelling" → "labeling", "organisation" → "organization");
  the rules only propose, the vocabulary decides, so "promise" never becomes "promize".
- Protected words keep a group of their own: the codebook's terms ("likeness" is not
  "like", "copyrightability" is not "copyright", "generative" is not "generate") and the
  acronyms of organisations' names ("eff" is not the stem of "effing").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import snowballstemmer

#: The original Porter algorithm, as SQLite FTS5's ``porter`` tokenizer stems: the site,
#: ``kb search`` and Datasette's full-text search then fold words the same way (Porter2,
#: Snowball's "english", would fold "fairly" into "fair" where FTS5 does not).
STEMMER = snowballstemmer.stemmer("porter")

#: (pattern, replacement) proposing an American form of a British spelling.
_VARIANTS = [
    (re.compile(r"^(.{3,})is(ation|ations|e|es|ed|ing|er|ers)$"), r"\1iz\2"),
    (re.compile(r"^(.{2,})ys(e|es|ed|ing)$"), r"\1yz\2"),
    (re.compile(r"^(.{2,}[^aeiou])our(s|ed|ing|ite|ites|able|ably|er|ers)?$"), r"\1or\2"),
    (re.compile(r"^(.{4,}[ea])ll(ed|ing|er|ers)$"), r"\1l\2"),
    (re.compile(r"^(licen|defen|offen|preten)ce(s|d)?$"), r"\1se\2"),
    (re.compile(r"^(cent|theat|met|fib|lit|calib)re(s|d)?$"), r"\1er\2"),
    (re.compile(r"^(program)me(s)?$"), r"\1\2"),
    (re.compile(r"^(catalog|dialog|analog)ue(s)?$"), r"\1\2"),
    (re.compile(r"^(judg|acknowledg)ement(s)?$"), r"\1ment\2"),
    (re.compile(r"^ageing$"), "aging"),
]

#: Words of the codebook and the field whose group the stemmer would get wrong.
_PROTECTED = {
    "likeness": "likeness",
    "likenesses": "likeness",
    "copyrightability": "copyrightability",
    "copyrightable": "copyrightable",
    "uncopyrightable": "uncopyrightable",
    "generative": "generative",
    "authorship": "authorship",
    "university": "university",
    "universities": "university",
    "universal": "universal",
    "organization": "organization",
    "organizations": "organization",
    "organizational": "organizational",
    "news": "news",
}


def american(term: str, vocabulary: set[str] | dict[str, object]) -> str:
    """The American form of ``term`` when the rules propose one the vocabulary holds."""
    for pattern, replacement in _VARIANTS:
        candidate = pattern.sub(replacement, term)
        if candidate != term and candidate in vocabulary:
            return candidate
    return term


def proposals(term: str) -> list[str]:
    """The American forms the rules propose for ``term`` (the browser tries them for a
    query word the index lacks: "licence" finds "license" where only that is written)."""
    out = []
    for pattern, replacement in _VARIANTS:
        candidate = pattern.sub(replacement, term)
        if candidate != term:
            out.append(candidate)
    return out


def variant_rules() -> list[list[str]]:
    """The rules as JavaScript reads them: [pattern, replacement with $1 for \\1]."""
    return [[p.pattern, re.sub(r"\\(\d)", r"$\1", r)] for p, r in _VARIANTS]


@cache
def _stem(term: str) -> str:
    # FTS5's porter tokenizer leaves a token of under 3 or over 64 characters as it is
    # (so "us" is the stem of "use" there, and here alike).
    if not 3 <= len(term) <= 64:
        return term
    return str(STEMMER.stemWord(term))


def groups(vocabulary: Iterable[str], acronyms: Iterable[str] = ()) -> dict[str, str]:
    """Each term's group key: its American form's stem, unless the word is protected."""
    vocab = set(vocabulary)
    protected = {a.lower(): a.lower() for a in acronyms} | _PROTECTED
    out: dict[str, str] = {}
    for term in vocab:
        form = american(term, vocab)
        if form in protected:
            out[term] = "=" + protected[form]
            continue
        stem = _stem(form)
        # A stem that is an acronym's spelling takes no other word ("effing" → "eff").
        out[term] = ("~" + form) if stem in protected and form != stem else stem
    return out


def organisation_acronyms() -> list[str]:
    """The all-capital aliases of the gazetteer's organisations (EFF, RIAA, SAG-AFTRA…)."""
    from nlp.organizations import gazetteer

    return [
        alias
        for org in gazetteer().orgs.values()
        for alias in org.aliases
        if alias.isupper() and alias.isalpha() and len(alias) >= 2
    ]
