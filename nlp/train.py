"""Fitting the stance model from ``data/labels/`` (deterministic, seconds on 2 cores).

``units`` reads the labelled documents' texts from the database and maps the
labelled spans onto the sentences the splitter makes now; ``fit`` trains both
stages (the document stage on out-of-fold sentence predictions); ``thresholds``
picks the abstention threshold and the "high confidence" threshold on the dev
split. ``load_or_train`` caches the fitted model beside the database, keyed by
the hash of the labels, the lexicon and the model code.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlite_utils import Database

from kb.errors import UsageError
from nlp.labels import LABELS_DIR, PRIMARY, LabelRecord, primary_records, splits, verify
from nlp.model import (
    CLASSES,
    FOLDS,
    MODEL_VERSION,
    SHARED,
    DocumentInput,
    DocumentPrediction,
    SentenceModel,
    StanceModel,
    doc_features,
    document_proba,
    with_issue,
    word_ngrams,
)
from nlp.sentences import Sentence
from nlp.stance import ISSUES, lexicon
from nlp.thresholds import calibrate

SEED = 20261202
#: The key under which a sentence labelled as someone else's words is marked.
OTHER_KEY = "other"
#: The source of a document that no labelled set holds and a reviewer read
#: (``nlp.review_labels``): labelled only on the issues reviewed.
REVIEWED = "reviews"
#: The model is the one ``data/labels/`` defines, so it is fitted only when the
#: database holds nearly all of the labelled documents: a model fitted from the few a
#: partial import holds would be cached under the same key and trusted (300 drawn
#: comments held about 50 labelled ones and gave twice as many positions as comments).
MIN_PRESENT = 0.9
#: Inverse regularisation of the sentence, whole-text and document classifiers.
SENTENCE_C = 1.0
TEXT_C = 4.0
DOC_C = 1.0
#: First-stage classes weighted inversely to their frequency (rare stances are learnt).
BALANCED = True


@dataclass
class Unit:
    id: str
    split: str
    source: str
    doc: DocumentInput
    #: per sentence: issue → stance (empty: no position, or someone else's words)
    sentence_labels: list[dict[str, str]]
    positions: dict[str, str]
    record: LabelRecord


SentenceSplitter = Callable[[dict[str, object]], list[Sentence]]


def label_sentences(rec: LabelRecord, sentences: Sequence[Sentence]) -> list[dict[str, str]]:
    """Each sentence takes the labels of the spans covering most of it."""
    out: list[dict[str, str]] = []
    for sent in sentences:
        labels: dict[str, str] = {}
        for span in rec.spans:
            overlap = min(sent.end, span.end) - max(sent.start, span.start)
            if overlap > 0.5 * min(sent.end - sent.start, span.end - span.start):
                labels.update(span.labels or {OTHER_KEY: span.other or "other"})
        out.append(labels)
    return out


def sentence_targets(unit: Unit) -> list[dict[str, str | None]]:
    """Per sentence and issue, what the sentence model learns: the labelled stance;
    ``none`` for someone else's words, and for any sentence of a document without a
    position on the issue or whose sentences were labelled exhaustively; None (not
    learnt) for unmarked sentences of a document that argues the issue, where the
    labeller marked only the clearest evidence."""
    exhaustive = unit.source == "filings"
    out: list[dict[str, str | None]] = []
    for labels in unit.sentence_labels:
        row: dict[str, str | None] = {}
        for issue in ISSUES:
            if issue in labels:
                row[issue] = labels[issue]
            elif unit.source == REVIEWED and issue not in unit.positions:
                row[issue] = None  # a review decides only the issues it names
            elif OTHER_KEY in labels or exhaustive or issue not in unit.positions:
                row[issue] = "none"
            else:
                row[issue] = None
        out.append(row)
    return out


def units(db: Database, splitter: SentenceSplitter, labels_dir: Path = LABELS_DIR) -> list[Unit]:
    from nlp.review_labels import with_reviews

    records = with_reviews(primary_records(labels_dir), db)
    assignment = splits()
    rows = {
        r["id"]: r
        for r in db.query(
            f"select id, kind, text, pages, language from documents where id in "
            f"({','.join('?' * len(records))})",
            list(records),
        )
    }
    missing = [i for i in records if i not in rows]
    if len(rows) < MIN_PRESENT * len(records):
        raise UsageError(
            f"only {len(rows)} of the {len(records)} labelled documents are in the database,"
            f" {MIN_PRESENT:.0%} are needed to fit the model (import the whole corpus first)",
            item="data/labels",
        )
    out = []
    for doc_id, rec in records.items():
        if doc_id in missing:
            continue
        row = rows[doc_id]
        text = str(row["text"] or "")
        verify(rec, text)
        sentences = splitter(row)
        out.append(
            Unit(
                doc_id,
                assignment.get(doc_id, "train"),
                rec.source,
                DocumentInput(text, sentences),
                label_sentences(rec, sentences),
                rec.positions,
                rec,
            )
        )
    return out


def _fold(doc_id: str) -> int:
    return int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % FOLDS


def _logistic(c: float, balanced: bool = False) -> object:
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    # liblinear per class (one against the rest): an order of magnitude faster than
    # a multinomial fit on sparse n-grams, and as good on dev.
    return OneVsRestClassifier(
        LogisticRegression(
            C=c,
            solver="liblinear",
            max_iter=1000,
            class_weight="balanced" if balanced else None,
            random_state=SEED,
        )
    )


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=word_ngrams, min_df=2, max_features=60000, sublinear_tf=True, dtype=np.float32
    )


def _fit_issues(
    matrix: Any, targets: Sequence[dict[str, str | None]], c: float
) -> dict[str, object]:
    """One classifier per issue over ``CLASSES`` (issues without two classes get none);
    rows whose target is None are left out of that issue's fit."""
    models: dict[str, object] = {}
    for issue in ISSUES:
        rows = [i for i, t in enumerate(targets) if t.get(issue, "none") is not None]
        y = [targets[i].get(issue, "none") for i in rows]
        if len(set(y)) < 2:
            continue
        clf = _logistic(c, balanced=BALANCED)
        clf.fit(matrix[rows], y)  # type: ignore[attr-defined]
        models[issue] = clf
    return models


@dataclass
class Matrices:
    """The training units' features, computed once (vocabularies fit on all training
    text, no labels involved) and sliced per fold."""

    sentence_words: Any
    sentences: Any  # sparse (n_sentences, features)
    texts: Any  # sparse (n_units, features)
    bounds: np.ndarray  # unit i's sentences are rows bounds[i]:bounds[i+1]

    @classmethod
    def of(cls, train: Sequence[Unit]) -> Matrices:
        sentence_words = _vectorizer()
        sentence_words.fit([b for u in train for b in u.doc.bodies()])
        model = SentenceModel(sentence_words, {})
        sentences = model.features([u.doc for u in train])
        bounds = np.cumsum([0] + [len(u.doc.sentences) for u in train])
        return cls(sentence_words, sentences, model.text_matrix(sentences, bounds), bounds)

    def rows(self, picked: Sequence[int]) -> np.ndarray:
        return np.concatenate(
            [np.arange(self.bounds[i], self.bounds[i + 1]) for i in picked] or [np.zeros(0, int)]
        ).astype(int)


def _stage_one(train: Sequence[Unit], m: Matrices, picked: Sequence[int]) -> StanceModel:
    """Both first-stage models fit on the units ``picked``."""
    targets = [t for i in picked for t in sentence_targets(train[i])]
    sentences = SentenceModel(
        m.sentence_words, _fit_issues(m.sentences[m.rows(picked)], targets, SENTENCE_C)
    )
    doc_targets: list[dict[str, str | None]] = [dict(train[i].positions) for i in picked]
    text_models = _fit_issues(m.texts[list(picked)], doc_targets, TEXT_C)
    return StanceModel(sentences, text_models, {})


@dataclass
class OutOfFold:
    """Each training unit scored by first-stage models fit without its fold: the
    document features (issue → one row per unit) and the sentence probabilities."""

    feats: dict[str, list[list[float]]]
    sentences: dict[str, list[np.ndarray]]


def stage_one_features(train: Sequence[Unit], m: Matrices) -> OutOfFold:
    """Out-of-fold document features: each unit scored by models fit without its fold."""
    feats: dict[str, list[list[float]]] = {issue: [[] for _ in train] for issue in ISSUES}
    probs: dict[str, list[np.ndarray]] = {issue: [np.zeros(0)] * len(train) for issue in ISSUES}
    folds = [_fold(u.id) for u in train]
    for fold in range(FOLDS):
        inside = [i for i, f in enumerate(folds) if f != fold]
        held = [i for i, f in enumerate(folds) if f == fold]
        if not held:
            continue
        partial = _stage_one(train, m, inside)
        sent = partial.sentences.probabilities(m.sentences[m.rows(held)])
        text = partial.text_probabilities_of(m.texts[held])
        offset = 0
        for d_i, i in enumerate(held):
            n = len(train[i].doc.sentences)
            for issue in ISSUES:
                probs[issue][i] = sent[issue][offset : offset + n]
                feats[issue][i] = doc_features(
                    probs[issue][i], text[issue][d_i], train[i].doc.formal
                )
            offset += n
    return OutOfFold(feats, probs)


def fit_documents(
    train: Sequence[Unit], feats: dict[str, list[list[float]]], leave_out: int | None = None
) -> dict[str, object]:
    """The document stage: stance from the out-of-fold first-stage features, one model
    over every (document, issue) pair with the issue as a feature."""
    keep = [i for i in range(len(train)) if i != leave_out]
    # A reviewed document without labels is known only on the issues reviewed.
    cells = [
        (issue, i)
        for issue in ISSUES
        for i in keep
        if train[i].source != REVIEWED or issue in train[i].positions
    ]
    rows = [with_issue(issue, [feats[issue][i]]) for issue, i in cells]
    y = [train[i].positions.get(issue, "none") for issue, i in cells]
    clf = _logistic(DOC_C)
    clf.fit(np.vstack(rows), y)  # type: ignore[attr-defined]
    return {SHARED: clf}


def fit_with_features(
    train: Sequence[Unit], labels_hash: str = ""
) -> tuple[StanceModel, OutOfFold]:
    """The model and the out-of-fold first-stage scores it was fit on."""
    m = Matrices.of(train)
    oof = stage_one_features(train, m)
    model = _stage_one(train, m, range(len(train)))
    model.documents = fit_documents(train, oof.feats)
    model.labels_hash = labels_hash
    model.meta = {"train_documents": len(train)}
    return model, oof


def out_of_fold_leanings(
    train: Sequence[Unit], oof: OutOfFold
) -> list[dict[str, tuple[str, float]]]:
    """What the whole model would lean to on each training unit had it not seen the
    unit's fold: the document stage refit without the fold, over out-of-fold features."""
    folds = [_fold(u.id) for u in train]
    out: list[dict[str, tuple[str, float]]] = [{} for _ in train]
    for fold in range(FOLDS):
        held = [i for i, f in enumerate(folds) if f == fold]
        if not held:
            continue
        documents = fit_documents(
            [u for i, u in enumerate(train) if folds[i] != fold],
            {
                k: [v[i] for i in range(len(train)) if folds[i] != fold]
                for k, v in oof.feats.items()
            },
        )
        dists = {
            issue: document_proba(documents, issue, [oof.feats[issue][i] for i in held])
            for issue in ISSUES
        }
        for j, i in enumerate(held):
            issues = {issue: (dists[issue][j], oof.sentences[issue][i]) for issue in ISSUES}
            out[i] = DocumentPrediction(train[i].doc, issues).leaning()
    return out


def fit(train: Sequence[Unit], labels_hash: str = "") -> StanceModel:
    return fit_with_features(train, labels_hash)[0]


def labels_hash(labels_dir: Path = LABELS_DIR) -> str:
    digest = hashlib.sha256()
    for name in PRIMARY:
        path = labels_dir / f"{name}.jsonl"
        if path.exists():
            digest.update(path.read_bytes())
    here = Path(__file__)
    # The model's code and what decides the sentences it reads.
    for path in (
        here,
        *(
            here.with_name(n)
            for n in ("model.py", "sentences.py", "tag_positions.py", "thresholds.py")
        ),
    ):
        digest.update(path.read_bytes())
    digest.update(lexicon().version.encode())
    digest.update(json.dumps(splits(), sort_keys=True).encode())
    from nlp.review_labels import reviews_key

    digest.update(reviews_key())
    return f"{MODEL_VERSION}-{digest.hexdigest()[:12]}"


def train(db: Database, splitter: SentenceSplitter) -> StanceModel:
    """The production model: fit on ``train``, thresholds chosen on ``dev`` and the
    out-of-fold predictions of the randomly drawn training comments."""
    all_units = units(db, splitter)
    train_units = [u for u in all_units if u.split == "train"]
    dev = [u for u in all_units if u.split == "dev"]
    return fit_calibrated(train_units, dev, labels_hash())


def fit_calibrated(train_units: Sequence[Unit], dev: Sequence[Unit], key: str = "") -> StanceModel:
    """Fit on ``train_units``; abstention and high-confidence thresholds from ``dev``."""
    model, oof = fit_with_features(train_units, key)
    calibrate(model, train_units, out_of_fold_leanings(train_units, oof), dev)
    return model


def load_or_train(db: Database, splitter: SentenceSplitter, cache_dir: Path | None) -> StanceModel:
    """The model from the cache (keyed by ``labels_hash``), else trained and cached."""
    if cache_dir is None:
        return train(db, splitter)
    key = labels_hash()
    path = cache_dir / f"stance-model-{key}.pickle"
    if path.exists():
        with open(path, "rb") as fh:
            model: StanceModel = pickle.load(fh)
        return model
    model = train(db, splitter)
    cache_dir.mkdir(parents=True, exist_ok=True)
    # A temporary file of this process's own: two processes may train at once.
    with tempfile.NamedTemporaryFile(dir=cache_dir, suffix=".tmp", delete=False) as out:
        pickle.dump(model, out)
    Path(out.name).replace(path)
    return model


__all__ = ["CLASSES", "Unit", "fit", "fit_calibrated", "load_or_train", "train", "units"]
