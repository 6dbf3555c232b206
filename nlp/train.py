"""Fitting the stance model from ``data/labels/`` (deterministic; under a minute on 2 cores).

From the labelled documents ``nlp.training_units`` reads, ``fit`` trains both
stages (the document stage on out-of-fold sentence predictions); ``thresholds``
picks the abstention threshold and the "high confidence" threshold on the dev
split. ``load_or_train`` caches the fitted model beside the database, keyed by
the hash of the labels, the lexicon and the model code.

Each step that is a list of independent pure tasks (splitting the labelled documents
into sentences, their context features, the 64 first-stage classifiers, the
document stage of each fold) runs on every core through ``nlp.forkmap``, with BLAS
on one thread: the model is the same, to the last bit, on any number of cores.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlite_utils import Database

from nlp.forkmap import fork_map
from nlp.labels import LABELS_DIR, PRIMARY, splits
from nlp.model import (
    CLASSES,
    FOLDS,
    MODEL_VERSION,
    SHARED,
    DocumentPrediction,
    SentenceModel,
    StanceModel,
    doc_features,
    document_proba,
    with_issue,
)
from nlp.sentence_features import context_features, word_ngrams
from nlp.stance import ISSUES, lexicon
from nlp.thresholds import calibrate
from nlp.training_units import REVIEWED, SentenceSplitter, Unit, sentence_targets, units

SEED = 20261202
#: Inverse regularisation of the sentence, whole-text and document classifiers.
SENTENCE_C = 1.0
TEXT_C = 4.0
DOC_C = 1.0
#: First-stage classes weighted inversely to their frequency (rare stances are learnt).
BALANCED = True
#: liblinear's stopping tolerance (its default is 1e-4): a sixth less fitting time for
#: no measurable change outside the test split (cross-validation macro-F1 0.529 against
#: 0.528, paired 95 % interval -0.000..+0.007; leave-one-filing-out 109 of 136 either way).
TOL = 1e-3


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
            tol=TOL,
            class_weight="balanced" if balanced else None,
            random_state=SEED,
        )
    )


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=word_ngrams, min_df=2, max_features=60000, sublinear_tf=True, dtype=np.float32
    )


def _fit_issue(
    matrix: Any, targets: Sequence[dict[str, str | None]], issue: str, c: float
) -> object | None:
    """One issue's classifier over ``CLASSES`` (None when its targets hold fewer than
    two classes); rows whose target is None are left out of the fit."""
    rows = [i for i, t in enumerate(targets) if t.get(issue, "none") is not None]
    y = [targets[i].get(issue, "none") for i in rows]
    if len(set(y)) < 2:
        return None
    clf = _logistic(c, balanced=BALANCED)
    clf.fit(matrix[rows], y)  # type: ignore[attr-defined]
    return clf


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
        docs = [u.doc for u in train]
        fitted: list[Any] = []

        def vocabulary() -> None:
            words = sentence_words.fit_transform([b for d in docs for b in d.bodies()])
            words.sort_indices()  # as transform() leaves them: the same sums, to the last bit
            fitted.append(words)

        # The n-grams are counted here while the workers compute the context features.
        context = fork_map(context_features, docs, meanwhile=vocabulary)
        model = SentenceModel(sentence_words, {})
        sentences = model.features(docs, context, fitted[0])
        bounds = np.cumsum([0] + [len(u.doc.sentences) for u in train])
        return cls(sentence_words, sentences, model.text_matrix(sentences, bounds), bounds)

    def rows(self, picked: Sequence[int]) -> np.ndarray:
        return np.concatenate(
            [np.arange(self.bounds[i], self.bounds[i + 1]) for i in picked] or [np.zeros(0, int)]
        ).astype(int)


#: A first-stage fit: (``sentences`` or ``texts``, the units it is fit on, the issue).
FitJob = tuple[str, tuple[int, ...], str]


def _stage_one_fits(
    train: Sequence[Unit], m: Matrices, picks: Sequence[Sequence[int]]
) -> list[StanceModel]:
    """Both first-stage models fit on each set of units in ``picks``. The 16 classifiers
    of each (8 issues, sentences and whole texts) are independent fits, run on every
    core (``fork_map``), the costliest first; each is the fit it would be alone."""
    keys = [tuple(p) for p in picks]
    jobs: list[FitJob] = [
        (kind, key, issue) for kind in ("sentences", "texts") for key in keys for issue in ISSUES
    ]

    def run(job: FitJob) -> object | None:
        kind, picked, issue = job
        if kind == "sentences":
            targets = [t for i in picked for t in sentence_targets(train[i])]
            return _fit_issue(m.sentences[m.rows(picked)], targets, issue, SENTENCE_C)
        doc_targets: list[dict[str, str | None]] = [dict(train[i].positions) for i in picked]
        return _fit_issue(m.texts[list(picked)], doc_targets, issue, TEXT_C)

    fitted = dict(zip(jobs, fork_map(run, jobs, per_task=1), strict=True))

    def models(kind: str, key: tuple[int, ...]) -> dict[str, object]:
        found = {issue: fitted[(kind, key, issue)] for issue in ISSUES}
        return {issue: clf for issue, clf in found.items() if clf is not None}

    return [
        StanceModel(
            SentenceModel(m.sentence_words, models("sentences", key)), models("texts", key), {}
        )
        for key in keys
    ]


@dataclass
class OutOfFold:
    """Each training unit scored by first-stage models fit without its fold: the
    document features (issue → one row per unit) and the sentence probabilities."""

    feats: dict[str, list[list[float]]]
    sentences: dict[str, list[np.ndarray]]


def stage_one(train: Sequence[Unit], m: Matrices) -> tuple[StanceModel, OutOfFold]:
    """The first stage fit on every unit, and the out-of-fold document features: each
    unit scored by first-stage models fit without its fold (all fits run at once)."""
    feats: dict[str, list[list[float]]] = {issue: [[] for _ in train] for issue in ISSUES}
    probs: dict[str, list[np.ndarray]] = {issue: [np.zeros(0)] * len(train) for issue in ISSUES}
    folds = [_fold(u.id) for u in train]
    present = sorted(set(folds))
    held_out = [[i for i, f in enumerate(folds) if f == fold] for fold in present]
    insides = [[i for i, f in enumerate(folds) if f != fold] for fold in present]
    full, *partials = _stage_one_fits(train, m, [range(len(train)), *insides])
    for held, partial in zip(held_out, partials, strict=True):
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
    return full, OutOfFold(feats, probs)


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
    # One block of rows per issue, in the order of ``cells``.
    rows = [
        with_issue(issue, [feats[issue][i] for cell, i in cells if cell == issue])
        for issue in ISSUES
    ]
    y = [train[i].positions.get(issue, "none") for issue, i in cells]
    clf = _logistic(DOC_C)
    clf.fit(np.vstack([r for r in rows if len(r)]), y)  # type: ignore[attr-defined]
    return {SHARED: clf}


def fit_with_features(
    train: Sequence[Unit], labels_hash: str = ""
) -> tuple[StanceModel, OutOfFold]:
    """The model and the out-of-fold first-stage scores it was fit on."""
    model, oof = stage_one(train, Matrices.of(train))
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
    present = sorted(set(folds))

    def without(fold: int) -> dict[str, object]:
        return fit_documents(
            [u for i, u in enumerate(train) if folds[i] != fold],
            {
                k: [v[i] for i in range(len(train)) if folds[i] != fold]
                for k, v in oof.feats.items()
            },
        )

    for fold, documents in zip(present, fork_map(without, present, per_task=1), strict=True):
        held = [i for i, f in enumerate(folds) if f == fold]
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
            for n in (
                "model.py",
                "sentence_features.py",
                "training_units.py",
                "sentences.py",
                "tag_positions.py",
                "thresholds.py",
            )
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
    all_units = units(db, splitter, only=("train", "dev"))  # the test split is never read
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


__all__ = ["CLASSES", "fit", "fit_calibrated", "load_or_train", "train"]
