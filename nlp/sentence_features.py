"""What the stance model reads of each sentence (``nlp.model``'s features).

A document's sentences, as :class:`DocumentInput`; their negation-marked word
n-grams (``word_ngrams``, the analyser of the n-gram vectoriser) pooled per document
for the whole-text model (``pooled``); and their dense context features
(``context_features``): the lexicon's cues for the issues the sentence triggers, and
where the sentence stands (question, heading, footnote or citation, quotation,
reported speech, first person, rebuttal, position in the document).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from nlp.positions import FORMAL_CHARS, triggered_issues
from nlp.sentences import Sentence
from nlp.stance import ISSUES, REBUTTAL, STANCES, classify, lexicon, speech_of

CITATION = re.compile(
    r"\b(?:v\.|U\.S\.C\.|F\.\s?(?:2d|3d|4th|Supp)|S\.\s?Ct\.|Id\.|supra|infra|et al\.|"
    r"(?:19|20)\d\d\)|https?://|www\.|Cong\.|Fed\. Reg\.|L\. Rev\.|J\.)",
)
SEE = re.compile(r"^\s*(?:\d{1,3}\s*)?(?:See|See, e\.g\.|Cf\.|Id\.|E\.g\.)\b")
NUMBERED = re.compile(r"^\s*(?:\d{1,3}|[IVX]{1,5}|[A-H])[.)]\s")
_QUOTED = re.compile(r"[\"“][^\"”]{3,}[\"”]")
_NEGATORS = frozenset(("not", "no", "never", "cannot", "nor", "without"))
_WORD = re.compile(r"[\w'’]+|[.,;:!?]")


def negation_marked(text: str) -> list[str]:
    """Lower-cased words; those after a negation cue (until punctuation) carry NOT_."""
    out, negated = [], False
    for token in _WORD.findall(text.lower()):
        if token in ".,;:!?":
            negated = False
            continue
        out.append(f"NOT_{token}" if negated else token)
        if token in _NEGATORS or token.endswith(("n't", "n’t")):
            negated = True
    return out


def ngram_rows(vectorizer: Any, bodies: Sequence[str]) -> sparse.csr_matrix:
    """``vectorizer.transform(bodies)`` (the fitted n-gram ``TfidfVectorizer``), with the
    n-grams counted over all sentences at once instead of in a dictionary per sentence:
    the same matrix, entry for entry (tested)."""
    get = vectorizer.vocabulary_.get
    width = len(vectorizer.vocabulary_)
    found: list[int] = []
    lengths = []
    for body in bodies:
        ids = [j for j in map(get, word_ngrams(body)) if j is not None]
        found += ids
        lengths.append(len(ids))
    n = len(bodies)
    rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
    cells, counts = np.unique(rows * width + np.asarray(found, dtype=np.int64), return_counts=True)
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(cells // width, minlength=n), out=indptr[1:])
    matrix = sparse.csr_matrix(
        (counts.astype(vectorizer.dtype), (cells % width).astype(np.int32), indptr),
        shape=(n, width),
    )
    # The vectoriser's own tf-idf weighting and normalisation of the counts.
    return vectorizer._tfidf.transform(matrix, copy=False)


#: Dense context features per sentence (see ``context_features``).
CONTEXT_FEATURES = len(ISSUES) * 4 + 17


def word_ngrams(text: str) -> list[str]:
    """The n-gram analyser of the sentence model: negation-marked words and word pairs."""
    words = negation_marked(text)
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def pooled(words: sparse.csr_matrix, bounds: np.ndarray) -> sparse.csr_matrix:
    """Each document's sentence n-gram rows summed and L2-normalised: the whole-text
    features, without reading the text a second time."""
    n_docs = len(bounds) - 1
    owner = np.repeat(np.arange(n_docs), np.diff(bounds))
    picks = sparse.csr_matrix(
        (np.ones(len(owner), dtype=np.float32), (owner, np.arange(len(owner)))),
        shape=(n_docs, words.shape[0]),
    )
    summed = (picks @ words).tocsr()
    norms = np.sqrt(np.asarray(summed.multiply(summed).sum(axis=1))).ravel()
    scale = sparse.diags(1.0 / np.where(norms == 0, 1.0, norms))
    return (scale @ summed).tocsr()


def context_features(doc: DocumentInput) -> list[list[float]]:
    """Dense features of each sentence: the lexicon's view (its cues, for the issues
    whose triggers the sentence holds) and where the sentence stands."""
    text, sentences, formal = doc.text, doc.sentences, doc.formal
    triggered = triggered_issues(text, sentences, doc.triggers())
    out: list[list[float]] = []
    previous_reports = False
    for sent, issues in zip(sentences, triggered, strict=True):
        body = text[sent.start : sent.end]
        words = body.split()
        lex = [0.0] * (len(ISSUES) * 4)
        for hit in classify(body, issues, formal=formal) if issues else ():
            k = ISSUES.index(hit.issue) * 4
            lex[k + STANCES.index(hit.stance)] = hit.weight
            lex[k + 3] = 1.0 if hit.reported else 0.0
        quoted = sum(len(m.group(0)) for m in _QUOTED.finditer(body)) / max(len(body), 1)
        heading = len(words) <= 14 and not body.rstrip().endswith((".", "?", "!", ":", ";"))
        subject, rx = speech_of(body)
        reported = rx.reported.search(subject) is not None
        third = rx.third_party.search(subject) is not None
        out.append(
            [
                *lex,
                1.0 if sent.boilerplate else 0.0,
                1.0 if heading else 0.0,
                1.0 if body.isupper() and len(body) > 8 else 0.0,
                1.0 if SEE.match(body) else 0.0,
                min(len(CITATION.findall(body)), 4) / 4,
                1.0 if NUMBERED.match(body) else 0.0,
                quoted,
                1.0 if reported else 0.0,
                1.0 if third else 0.0,
                1.0 if rx.speaker.search(subject) else 0.0,
                1.0 if rx.first_person.search(subject) else 0.0,
                1.0 if REBUTTAL.search(body) else 0.0,
                1.0 if previous_reports else 0.0,
                sent.start / max(len(text), 1),
                math.log1p(len(body)) / 8,
                1.0 if formal else 0.0,
                1.0 if body.endswith("?") else 0.0,
            ]
        )
        previous_reports = reported or third
    return out


@dataclass
class DocumentInput:
    """What the model reads of a document: its text and sentences."""

    text: str
    sentences: list[Sentence]
    #: the lexicon's (position, issue) triggers in ``text``, when the caller has them
    hits: list[tuple[int, str]] | None = None
    _bodies: list[str] | None = field(default=None, init=False, repr=False, compare=False)

    def triggers(self) -> list[tuple[int, str]]:
        if self.hits is None:
            self.hits = lexicon().triggered(self.text)
        return self.hits

    @property
    def formal(self) -> bool:
        return len(self.text) > FORMAL_CHARS

    def bodies(self) -> list[str]:
        """The text of each sentence (read once: the quotes of every issue read them)."""
        if self._bodies is None:
            self._bodies = [self.text[s.start : s.end] for s in self.sentences]
        return self._bodies
