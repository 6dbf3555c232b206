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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from kb.errors import UsageError
from nlp.labels import LABELS_DIR, PRIMARY, LabelRecord, primary_records, splits, verify
from nlp.model import (
    CLASSES,
    FOLDS,
    MODEL_VERSION,
    DocumentInput,
    SentenceModel,
    StanceModel,
    doc_features,
    negation_marked,
)
from nlp.sentences import Sentence
from nlp.stance import ISSUES, lexicon

SEED = 20261202
#: A document needs this many labelled documents in the database to train.
MIN_DOCUMENTS = 50


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
            if span.labels and overlap > 0.5 * min(sent.end - sent.start, span.end - span.start):
                labels.update(span.labels)
        out.append(labels)
    return out


def units(db: Database, splitter: SentenceSplitter, labels_dir: Path = LABELS_DIR) -> list[Unit]:
    records = primary_records(labels_dir)
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
    if len(rows) < MIN_DOCUMENTS:
        raise UsageError(
            f"only {len(rows)} labelled documents are in the database (import the corpus first)",
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

    return LogisticRegression(
        C=c, max_iter=3000, class_weight="balanced" if balanced else None, random_state=SEED
    )


def fit_sentences(train: Sequence[Unit]) -> SentenceModel:
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = TfidfVectorizer(
        preprocessor=negation_marked,
        ngram_range=(1, 2),
        min_df=2,
        max_features=60000,
        sublinear_tf=True,
        dtype=np.float32,
    )
    words.fit([b for u in train for b in u.doc.bodies()])
    model = SentenceModel(words, {})
    matrix = model.features([u.doc for u in train])
    for issue in ISSUES:
        y = [labels.get(issue, "none") for u in train for labels in u.sentence_labels]
        if len(set(y)) < 2:
            continue
        clf = _logistic(4.0)
        clf.fit(matrix, y)  # type: ignore[attr-defined]
        model.models[issue] = clf
    return model


def fit_text(train: Sequence[Unit]) -> tuple[object, dict[str, object]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = TfidfVectorizer(
        ngram_range=(1, 2), min_df=2, max_features=60000, sublinear_tf=True, dtype=np.float32
    )
    matrix = words.fit_transform([negation_marked(u.doc.text[:20000]) for u in train])
    models = {}
    for issue in ISSUES:
        y = [u.positions.get(issue, "none") for u in train]
        if len(set(y)) < 2:
            continue
        clf = _logistic(4.0)
        clf.fit(matrix, y)  # type: ignore[attr-defined]
        models[issue] = clf
    return words, models


def _partial(sentences: SentenceModel, text: tuple[object, dict[str, object]]) -> StanceModel:
    return StanceModel(sentences, text[0], text[1], {})


def stage_one_features(train: Sequence[Unit]) -> dict[str, list[list[float]]]:
    """Out-of-fold document features: each unit scored by models fit without its fold."""
    feats: dict[str, list[list[float]]] = {issue: [[] for _ in train] for issue in ISSUES}
    for fold in range(FOLDS):
        inside = [u for u in train if _fold(u.id) != fold]
        held = [(i, u) for i, u in enumerate(train) if _fold(u.id) == fold]
        if not held:
            continue
        partial = _partial(fit_sentences(inside), fit_text(inside))
        docs = [u.doc for _, u in held]
        sent = partial.sentences.probabilities(partial.sentences.features(docs))
        text = partial.text_probabilities(docs)
        offset = 0
        for d_i, (i, u) in enumerate(held):
            n = len(u.doc.sentences)
            for issue in ISSUES:
                feats[issue][i] = doc_features(
                    sent[issue][offset : offset + n], text[issue][d_i], u.doc.formal
                )
            offset += n
    return feats


def fit(train: Sequence[Unit], labels_hash: str = "") -> StanceModel:
    feats = stage_one_features(train)
    model = _partial(fit_sentences(train), fit_text(train))
    for issue in ISSUES:
        y = [u.positions.get(issue, "none") for u in train]
        if len(set(y)) < 2:
            continue
        clf = _logistic(1.0)
        clf.fit(np.array(feats[issue]), y)  # type: ignore[attr-defined]
        model.documents[issue] = clf
    model.labels_hash = labels_hash
    model.meta = {"train_documents": len(train)}
    return model


def choose_thresholds(model: StanceModel, dev: Sequence[Unit]) -> tuple[float, float]:
    """Abstention threshold maximising dev micro-F1; high-confidence threshold: the
    lowest at which dev precision is at least 95 %."""
    predictions = model.predict([u.doc for u in dev])
    pairs = []  # (probability, right?) of each decided (doc, issue), and gold count
    gold = sum(len(u.positions) for u in dev)
    for u, pred in zip(dev, predictions, strict=True):
        for issue in ISSUES:
            dist = pred.issues[issue][0]
            stance, p = pred.best(issue)
            if dist[0] > p:
                continue
            pairs.append((p, u.positions.get(issue) == stance))
    pairs.sort(reverse=True)
    best_f1, best_t = -1.0, 0.5
    for t in np.arange(0.30, 0.96, 0.02):
        kept = [ok for p, ok in pairs if p >= t]
        tp = sum(kept)
        prec = tp / len(kept) if kept else 0.0
        rec = tp / gold if gold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        if f1 > best_f1 + 1e-9:
            best_f1, best_t = f1, float(t)
    high = 0.99
    for t in np.arange(best_t, 0.995, 0.01):
        kept = [ok for p, ok in pairs if p >= t]
        if len(kept) >= 10 and sum(kept) / len(kept) >= 0.95:
            high = float(t)
            break
    return round(best_t, 2), round(high, 2)


def labels_hash(labels_dir: Path = LABELS_DIR) -> str:
    digest = hashlib.sha256()
    for name in PRIMARY:
        path = labels_dir / f"{name}.jsonl"
        if path.exists():
            digest.update(path.read_bytes())
    for path in (Path(__file__), Path(__file__).with_name("model.py")):
        digest.update(path.read_bytes())
    digest.update(lexicon().version.encode())
    digest.update(json.dumps(splits(), sort_keys=True).encode())
    return f"{MODEL_VERSION}-{digest.hexdigest()[:12]}"


def train(db: Database, splitter: SentenceSplitter) -> StanceModel:
    """The production model: fit on ``train``, thresholds chosen on ``dev``."""
    all_units = units(db, splitter)
    model = fit([u for u in all_units if u.split == "train"], labels_hash())
    model.threshold, model.high = choose_thresholds(
        model, [u for u in all_units if u.split == "dev"]
    )
    return model


def load_or_train(db: Database, splitter: SentenceSplitter, cache_dir: Path) -> StanceModel:
    key = labels_hash()
    path = cache_dir / f"stance-model-{key}.pickle"
    if path.exists():
        with open(path, "rb") as fh:
            model: StanceModel = pickle.load(fh)
        return model
    model = train(db, splitter)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(model, fh)
    tmp.replace(path)
    return model


__all__ = ["CLASSES", "Unit", "fit", "load_or_train", "train", "units"]
