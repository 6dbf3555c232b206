"""The stance model: what each sentence says on each issue, and what the document argues.

Two stages, both logistic regressions (scikit-learn), trained from ``data/labels/``:

1. **Sentences.** For each issue, P(none / supports / opposes / mixed) of every
   sentence, from word n-grams (negation marked), the lexicon's cues as features,
   and context: question, heading, footnote or citation, share inside quotation
   marks, reported speech, first person, a rebuttal of the previous sentence,
   position in the document. Sentences labelled as someone else's view (reported,
   quoted, heading) are negatives, so the model learns they are not the filer's.
2. **Documents.** For each issue, P(stance) of the document from the sentence
   probabilities (strongest, top three, count) and a whole-text n-gram model, fit
   on out-of-fold predictions so it sees the sentence model's real errors; one model
   for all issues, with issue-specific weights beside the shared ones. Its
   probability is the position's confidence; below the threshold chosen on the
   dev split and the training comments' out-of-fold predictions the tagger abstains.

Training is deterministic (fixed folds and solver) and takes under a minute; the fitted
model is cached by the hash of the labels and this module's version.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from scipy import sparse

from nlp.sentence_features import (
    CITATION,
    CONTEXT_FEATURES,
    NUMBERED,
    SEE,
    DocumentInput,
    context_features,
    ngram_rows,
    pooled,
)
from nlp.stance import ISSUES, STANCES

MODEL_VERSION = "1"
#: (issue, stance) → the confidence below which the tagger abstains.
Cutoff = Callable[[str, str], float]
CLASSES = ("none", *STANCES)
FOLDS = 3
#: A sentence below this probability of the stance is not shown as its quote.
MIN_QUOTE_PROBABILITY = 0.15
#: The key of the document-stage model shared by all issues.
SHARED = "all issues"
#: Below this probability a stance is not even a candidate (thresholds start here).
MIN_LEANING = 0.1


def ovr_proba(clf: Any, matrix: Any) -> np.ndarray:
    """``clf.predict_proba`` of a one-vs-rest logistic regression as one product
    (sklearn's per-estimator calls and input checks cost more than the arithmetic)."""
    coef, intercept = _weights(clf)
    return _ovr_from_scores(clf, np.asarray(matrix @ coef + intercept))


def _weights(clf: Any) -> tuple[np.ndarray, np.ndarray]:
    estimators = clf.estimators_
    coef = np.vstack([e.coef_ for e in estimators]).T
    return coef, np.concatenate([e.intercept_ for e in estimators])


def _ovr_from_scores(clf: Any, scores: np.ndarray) -> np.ndarray:
    probs = 1.0 / (1.0 + np.exp(-scores))
    if len(clf.classes_) == 2:
        return np.column_stack([1.0 - probs[:, 0], probs[:, 0]])
    total = probs.sum(axis=1, keepdims=True)
    return probs / np.where(total == 0, 1.0, total)


@dataclass(frozen=True)
class IssueModels:
    """One classifier per issue (issues without one: always ``none``), with all their
    weights side by side: one product scores every issue, each column summed as it
    would be alone."""

    models: dict[str, Any]
    coef: np.ndarray
    intercept: np.ndarray
    columns: dict[str, slice]

    @classmethod
    def of(cls, models: dict[str, Any]) -> IssueModels:
        coefs, intercepts, columns, at = [], [], {}, 0
        for issue in ISSUES:
            if models.get(issue) is None:
                continue
            coef, intercept = _weights(models[issue])
            coefs.append(coef)
            intercepts.append(intercept)
            columns[issue] = slice(at, at + coef.shape[1])
            at += coef.shape[1]
        return cls(
            models,
            # Row-major: scipy's sparse-times-dense product copies any other layout
            # on every call (60,000 × 31 weights: the most time of scoring).
            np.ascontiguousarray(np.hstack(coefs)) if coefs else np.zeros((0, 0)),
            np.concatenate(intercepts) if intercepts else np.zeros(0),
            columns,
        )

    def probabilities(self, matrix: Any) -> dict[str, np.ndarray]:
        """issue → (n, 4) probabilities over ``CLASSES`` of each row of ``matrix``."""
        n = matrix.shape[0]
        scores = np.asarray(matrix @ self.coef + self.intercept) if n and self.columns else None
        out = {}
        for issue in ISSUES:
            probs = np.zeros((n, len(CLASSES)))
            probs[:, 0] = 1.0
            model = self.models.get(issue)
            if model is not None and scores is not None:
                got = _ovr_from_scores(model, scores[:, self.columns[issue]])
                probs[:, 0] = 0.0
                for j, cls in enumerate(model.classes_):
                    probs[:, CLASSES.index(cls)] = got[:, j]
            out[issue] = probs
        return out


@dataclass
class SentenceModel:
    words: object  # TfidfVectorizer
    models: dict[str, object]  # issue → LogisticRegression

    def features(
        self,
        docs: Sequence[DocumentInput],
        context: Sequence[list[list[float]]] | None = None,
        words: sparse.csr_matrix | None = None,
    ) -> sparse.csr_matrix:
        """Rows: every sentence of ``docs``; columns: the n-grams, then the context
        (``context``, ``words``: each document's ``context_features`` and the sentences'
        n-gram rows, when computed already)."""
        bodies = [b for d in docs for b in d.bodies()]
        per_doc = context if context is not None else [context_features(d) for d in docs]
        dense = [row for rows in per_doc for row in rows]
        n_words = len(self.words.vocabulary_)  # type: ignore[attr-defined]
        if not bodies:
            return sparse.csr_matrix((0, n_words + CONTEXT_FEATURES), dtype=np.float32)
        if words is None:
            words = ngram_rows(self.words, bodies)
        return sparse.hstack([words, sparse.csr_matrix(np.array(dense, dtype=np.float32))]).tocsr()

    def text_matrix(self, features: sparse.csr_matrix, bounds: np.ndarray) -> sparse.csr_matrix:
        n_words = len(self.words.vocabulary_)  # type: ignore[attr-defined]
        return pooled(features[:, :n_words], bounds)

    @cached_property
    def scorer(self) -> IssueModels:
        return IssueModels.of(self.models)

    def probabilities(self, matrix: sparse.csr_matrix) -> dict[str, np.ndarray]:
        """issue → (n_sentences, 4) array over ``CLASSES``."""
        return self.scorer.probabilities(matrix)


def doc_features(probs: np.ndarray, text_probs: np.ndarray, formal: bool) -> list[float]:
    """Document features of one issue from its sentences' (n, 4) probabilities: per
    stance the best sentence's probability, the sum of the best three and a third of
    the sentences above 0.5; the whole-text probabilities; the number of sentences;
    whether the document is a formal filing."""
    bounds = np.array([0, probs.shape[0]])
    return doc_features_many(probs, bounds, text_probs[None, :], [formal])[0].tolist()


def doc_features_many(
    probs: np.ndarray, bounds: np.ndarray, text_probs: np.ndarray, formal: Sequence[bool]
) -> np.ndarray:
    """``doc_features`` of many documents at once, one row each: document i's
    sentences are rows ``bounds[i]:bounds[i + 1]`` of ``probs``, its whole-text
    probabilities row i of ``text_probs`` (a loop over documents cost more than
    the rest of the document stage)."""
    counts = np.diff(bounds)
    n_docs = len(counts)
    owner = np.repeat(np.arange(n_docs), counts)
    starts = np.asarray(bounds[:-1])
    out = np.zeros((n_docs, 3 * (len(CLASSES) - 1) + text_probs.shape[1] + 1))
    for k in range(1, len(CLASSES)):
        values = probs[:, k]
        ranked = values[np.lexsort((-values, owner))]  # each document's, best first
        best = [
            np.where(counts > j, ranked[np.minimum(starts + j, max(len(ranked) - 1, 0))], 0.0)
            if len(ranked)
            else np.zeros(n_docs)
            for j in range(3)
        ]
        at = 3 * (k - 1)
        out[:, at] = best[0]
        out[:, at + 1] = best[0] + best[1] + best[2]
        out[:, at + 2] = np.bincount(owner, weights=values > 0.5, minlength=n_docs) / 3
    at = 3 * (len(CLASSES) - 1)
    out[:, at : at + text_probs.shape[1] - 1] = text_probs[:, 1:]
    out[:, -2] = [math.log1p(n) / 5 for n in counts.tolist()]
    out[:, -1] = np.asarray(formal, dtype=float)
    return out


@dataclass
class StanceModel:
    sentences: SentenceModel
    text_models: dict[str, object]
    documents: dict[str, object]  # issue → LogisticRegression over doc_features
    threshold: float = 0.5
    high: float = 0.9
    version: str = MODEL_VERSION
    labels_hash: str = ""
    meta: dict[str, object] = field(default_factory=dict)
    #: "issue/stance" → the class's own abstention threshold (nlp.thresholds).
    thresholds: dict[str, float] = field(default_factory=dict)

    def cutoff(self, issue: str, stance: str) -> float:
        """The confidence below which the tagger abstains on this stance of this issue."""
        return self.thresholds.get(f"{issue}/{stance}", self.threshold)

    def keep(self, leaning: dict[str, tuple[str, float]]) -> dict[str, str]:
        """The positions of a leaning the tagger publishes (at or above their cutoff)."""
        return {i: s for i, (s, p) in leaning.items() if p >= self.cutoff(i, s)}

    @cached_property
    def text_scorer(self) -> IssueModels:
        return IssueModels.of(self.text_models)

    def text_probabilities_of(self, matrix: sparse.csr_matrix) -> dict[str, np.ndarray]:
        return self.text_scorer.probabilities(matrix)

    def predict(self, docs: Sequence[DocumentInput]) -> list[DocumentPrediction]:
        """Per document: per issue the stance distribution and the sentence scores
        (every stage runs once over the whole batch)."""
        features = self.sentences.features(docs)
        bounds = np.cumsum([0] + [len(d.sentences) for d in docs])
        sent_probs = self.sentences.probabilities(features)
        text_probs = self.text_probabilities_of(self.sentences.text_matrix(features, bounds))
        per_doc: list[dict[str, tuple[np.ndarray, np.ndarray]]] = [{} for _ in docs]
        formal = [d.formal for d in docs]
        for issue in ISSUES:
            slices = [sent_probs[issue][bounds[i] : bounds[i + 1]] for i in range(len(docs))]
            feats = doc_features_many(sent_probs[issue], bounds, text_probs[issue], formal)
            dists = document_proba(self.documents, issue, feats)
            for i in range(len(docs)):
                per_doc[i][issue] = (dists[i], slices[i])
        return [DocumentPrediction(d, issues) for d, issues in zip(docs, per_doc, strict=True)]


def with_issue(issue: str, feats: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Document features, the issue as a one-hot, and the features again in the issue's
    own block (zeros in the other issues'): one document-stage model for all issues
    learns how sentence evidence makes a stance (so a stance that few documents take on
    one issue is still read from what many take on the others), and each issue may
    weigh that evidence its own way. Chosen by cross-validation on the labelled
    documents outside the test split (macro-F1 +0.025, paired 95 % interval
    +0.001..+0.051) and leave-one-filing-out on the major filings (110 of 136 cells
    exact against 103), never on the test split."""
    if not len(feats):
        return np.zeros((0, 0))
    k = ISSUES.index(issue)
    base = np.asarray(feats, dtype=float)
    n, width = base.shape
    tail = np.zeros((n, len(ISSUES)))
    tail[:, k] = 1.0
    own = np.zeros((n, width * len(ISSUES)))
    own[:, k * width : (k + 1) * width] = base
    return np.hstack([base, tail, own])


def document_proba(
    models: dict[str, Any], issue: str, feats: Sequence[Sequence[float]] | np.ndarray
) -> np.ndarray:
    """(n, 4) document-level distribution over ``CLASSES`` of ``issue``."""
    model = models.get(SHARED)
    dists = np.zeros((len(feats), len(CLASSES)))
    if model is None or not len(feats):
        dists[:, 0] = 1.0
        return dists
    got = ovr_proba(model, with_issue(issue, feats))
    for j, cls in enumerate(model.classes_):
        dists[:, CLASSES.index(cls)] = got[:, j]
    return dists


_STATISTIC = re.compile(r"\d[\d,.]*\s*(?:%|percent|million|billion)")


def quotable(body: str) -> bool:
    """Whether a sentence can stand as a position's quote: a statement in prose, not a
    heading, a question, a citation or footnote, a statistic or a fragment."""
    words = body.split()
    if len(words) < 6 or len(body) > 1500:
        return False
    stripped = body.rstrip()
    if stripped.endswith("?") or SEE.match(body) or (NUMBERED.match(body) and len(words) < 14):
        return False
    if len(words) <= 14 and not stripped.endswith((".", "!", ";", ":", '"', "”", ")")):
        return False  # a heading
    if len(CITATION.findall(body)) >= 2 or body.isupper():
        return False
    return not (_STATISTIC.search(body) and len(words) < 20)


@dataclass
class DocumentPrediction:
    doc: DocumentInput
    #: issue → (document distribution over CLASSES, per-sentence (n, 4) probabilities)
    issues: dict[str, tuple[np.ndarray, np.ndarray]]

    def best(self, issue: str) -> tuple[str, float]:
        """The most probable stance (never ``none``) and its probability."""
        dist = self.issues[issue][0]
        k = int(np.argmax(dist[1:])) + 1
        return CLASSES[k], float(dist[k])

    def evidence(self, issue: str, stance: str, limit: int = 3) -> list[int]:
        """The sentences (indices) a reader would pick to see ``stance``: by the
        sentence model's probability of it, only sentences that lean to it over the
        other stances and can stand as a quote (codebook rule 3)."""
        probs = self.issues[issue][1]
        if not probs.shape[0]:
            return []
        k = CLASSES.index(stance)
        bodies = self.doc.bodies()
        mine = probs[:, k]
        order = np.argsort(-mine, kind="stable")
        # Best first, as long as the stance is likely enough, and where it leads the others.
        order = order[mine[order] >= MIN_QUOTE_PROBABILITY]
        order = order[mine[order] >= probs[order, 1:].max(axis=1)]
        out: list[int] = []
        for j in order.tolist():
            if self.doc.sentences[j].boilerplate or not quotable(bodies[j]):
                continue
            out.append(j)
            if len(out) == limit:
                break
        return out

    def leaning(self) -> dict[str, tuple[str, float]]:
        """issue → (stance, confidence) the model leans to and can quote, before the
        threshold."""
        out = {}
        for issue in self.issues:
            stance, p = self.best(issue)
            if p >= MIN_LEANING and self.evidence(issue, stance, limit=1):
                out[issue] = (stance, p)
        return out

    def positions(self, cutoff: Cutoff) -> dict[str, tuple[str, float]]:
        return {i: sp for i, sp in self.leaning().items() if sp[1] >= cutoff(i, sp[0])}
