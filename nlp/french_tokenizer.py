"""spaCy's French tokenizer, without the three seconds its hyphenated words take.

Importing spaCy's French language compiles ``TOKEN_MATCH``: one regular expression of
1.4 MB that keeps hyphenated and elided words ("peut-être", "entr'abat") one token
each, which takes about three seconds, for the one French article of a run. That
expression matches letters, hyphens and apostrophes only, never a sentence-ending
character, so without it such a word is split at its hyphens and the sentences stay
the same (tested on the corpus's French article).

The rest of spaCy's French rules (prefixes, suffixes, infixes, exceptions) are kept in
``RULES``, spaCy's own serialisation of its French tokenizer, one file per spaCy
version, written by ``python -m nlp.french_tokenizer``; ``french`` loads them into a
blank multi-language pipeline. With another spaCy version than the file's, ``french``
is spaCy's French pipeline itself, slow but right. A test checks the file against the
installed spaCy's rules.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer

RULES = Path(__file__).parent / "lexicon" / f"fr_tokenizer-{spacy.__version__}.msgpack"
#: What the file leaves out: the vocabulary (the pipeline's own) and ``TOKEN_MATCH``.
LEFT_OUT = ["vocab", "token_match"]


def rules_from_spacy() -> bytes:
    """The installed spaCy's French tokenizer rules, as ``RULES`` holds them."""
    tokenizer = spacy.blank("fr").tokenizer
    assert isinstance(tokenizer, Tokenizer)
    return tokenizer.to_bytes(exclude=LEFT_OUT)


def french() -> Language:
    """A blank pipeline whose tokenizer follows spaCy's French rules but for
    ``TOKEN_MATCH`` (spaCy's French pipeline if no rules were kept for this spaCy)."""
    if not RULES.exists():
        return spacy.blank("fr")
    nlp = spacy.blank("xx")
    assert isinstance(nlp.tokenizer, Tokenizer)
    nlp.tokenizer.from_bytes(RULES.read_bytes(), exclude=["vocab"])
    return nlp


def main() -> None:
    RULES.write_bytes(rules_from_spacy())
    print(f"{RULES} written from spaCy {spacy.__version__}")


if __name__ == "__main__":
    main()
