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

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from nlp.positions import FORMAL_CHARS, triggered_issues
from nlp.sentences import Sentence
from nlp.stance import ISSUES, REBUTTAL, STANCES, classify, lexicon, speech_of

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

_CITATION = re.compile(
    r"\b(?:v\.|U\.S\.C\.|F\.\s?(?:2d|3d|4th|Supp)|S\.\s?Ct\.|Id\.|supra|infra|et al\.|"
    r"(?:19|20)\d\d\)|https?://|www\.|Cong\.|Fed\. Reg\.|L\. Rev\.|J\.)",
)
_SEE = re.compile(r"^\s*(?:\d{1,3}\s*)?(?:See|See, e\.g\.|Cf\.|Id\.|E\.g\.)\b")
_NUMBERED = re.compile(r"^\s*(?:\d{1,3}|[IVX]{1,5}|[A-H])[.)]\s")
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
                1.0 if _SEE.match(body) else 0.0,
                min(len(_CITATION.findall(body)), 4) / 4,
                1.0 if _NUMBERED.match(body) else 0.0,
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

    def triggers(self) -> list[tuple[int, str]]:
        if self.hits is None:
            self.hits = lexicon().triggered(self.text)
        return self.hits

    @property
    def formal(self) -> bool:
        return len(self.text) > FORMAL_CHARS

    def bodies(self) -> list[str]:
        return [self.text[s.start : s.end] for s in self.sentences]


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


#: id(models) → (models, every issue's weights side by side, each issue's columns).
_STACKS: dict[int, tuple[dict[str, Any], np.ndarray, np.ndarray, dict[str, slice]]] = {}


def _stacked(models: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, dict[str, slice]]:
    """The weights of all of ``models``' classifiers side by side, computed once per
    model: one product scores every issue (each column sums as it would alone)."""
    hit = _STACKS.get(id(models))
    if hit is not None and hit[0] is models:
        return hit[1], hit[2], hit[3]
    coefs, intercepts, columns, at = [], [], {}, 0
    for issue in ISSUES:
        if models.get(issue) is None:
            continue
        coef, intercept = _weights(models[issue])
        coefs.append(coef)
        intercepts.append(intercept)
        columns[issue] = slice(at, at + coef.shape[1])
        at += coef.shape[1]
    if len(_STACKS) > 16:
        _STACKS.clear()
    coef_all = np.hstack(coefs) if coefs else np.zeros((0, 0))
    intercept_all = np.concatenate(intercepts) if intercepts else np.zeros(0)
    _STACKS[id(models)] = (models, coef_all, intercept_all, columns)
    return coef_all, intercept_all, columns


def class_probabilities(models: dict[str, Any], matrix: Any, n: int) -> dict[str, np.ndarray]:
    """issue → (n, 4) probabilities over ``CLASSES`` (issues without a model: none)."""
    coef, intercept, columns = _stacked(models)
    scores = np.asarray(matrix @ coef + intercept) if n and columns else None
    out = {}
    for issue in ISSUES:
        probs = np.zeros((n, len(CLASSES)))
        probs[:, 0] = 1.0
        model = models.get(issue)
        if model is not None and scores is not None:
            got = _ovr_from_scores(model, scores[:, columns[issue]])
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
            words = self.words.transform(bodies)  # type: ignore[attr-defined]
        return sparse.hstack([words, sparse.csr_matrix(np.array(dense, dtype=np.float32))]).tocsr()

    def text_matrix(self, features: sparse.csr_matrix, bounds: np.ndarray) -> sparse.csr_matrix:
        n_words = len(self.words.vocabulary_)  # type: ignore[attr-defined]
        return pooled(features[:, :n_words], bounds)

    def probabilities(self, matrix: sparse.csr_matrix) -> dict[str, np.ndarray]:
        """issue → (n_sentences, 4) array over ``CLASSES``."""
        return class_probabilities(self.models, matrix, matrix.shape[0])


def doc_features(probs: np.ndarray, text_probs: np.ndarray, formal: bool) -> list[float]:
    """Document features of one issue from its sentences' (n, 4) probabilities."""
    feats: list[float] = []
    n = probs.shape[0]
    for k in range(1, len(CLASSES)):
        column = np.sort(probs[:, k])[::-1] if n else np.zeros(1)
        feats += [
            float(column[0]),
            float(column[:3].sum()),
            float((probs[:, k] > 0.5).sum()) / 3 if n else 0.0,
        ]
    feats += [float(p) for p in text_probs[1:]]
    feats += [math.log1p(n) / 5, 1.0 if formal else 0.0]
    return feats


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

    def text_probabilities_of(self, matrix: sparse.csr_matrix) -> dict[str, np.ndarray]:
        return class_probabilities(self.text_models, matrix, matrix.shape[0])

    def predict(self, docs: Sequence[DocumentInput]) -> list[DocumentPrediction]:
        """Per document: per issue the stance distribution and the sentence scores
        (every stage runs once over the whole batch)."""
        features = self.sentences.features(docs)
        bounds = np.cumsum([0] + [len(d.sentences) for d in docs])
        sent_probs = self.sentences.probabilities(features)
        text_probs = self.text_probabilities_of(self.sentences.text_matrix(features, bounds))
        per_doc: list[dict[str, tuple[np.ndarray, np.ndarray]]] = [{} for _ in docs]
        for issue in ISSUES:
            slices = [sent_probs[issue][bounds[i] : bounds[i + 1]] for i in range(len(docs))]
            feats = [
                doc_features(slices[i], text_probs[issue][i], d.formal) for i, d in enumerate(docs)
            ]
            dists = document_proba(self.documents, issue, feats)
            for i in range(len(docs)):
                per_doc[i][issue] = (dists[i], slices[i])
        return [DocumentPrediction(d, issues) for d, issues in zip(docs, per_doc, strict=True)]


def with_issue(issue: str, feats: Sequence[list[float]]) -> np.ndarray:
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


def document_proba(models: dict[str, Any], issue: str, feats: list[list[float]]) -> np.ndarray:
    """(n, 4) document-level distribution over ``CLASSES`` of ``issue``."""
    model = models.get(SHARED)
    dists = np.zeros((len(feats), len(CLASSES)))
    if model is None or not feats:
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
    if stripped.endswith("?") or _SEE.match(body) or (_NUMBERED.match(body) and len(words) < 14):
        return False
    if len(words) <= 14 and not stripped.endswith((".", "!", ";", ":", '"', "”", ")")):
        return False  # a heading
    if len(_CITATION.findall(body)) >= 2 or body.isupper():
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
        out: list[int] = []
        for j in np.argsort(-probs[:, k], kind="stable"):
            p = probs[j]
            if p[k] < MIN_QUOTE_PROBABILITY:
                break
            if p[k] < max(p[1:]) or self.doc.sentences[j].boilerplate or not quotable(bodies[j]):
                continue
            out.append(int(j))
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
