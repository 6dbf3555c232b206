"""``kb eval``: how right the tagger is, measured on hand-labelled real documents.

Labels live in ``data/labels/annotations.toml`` (document ids, sentence numbers,
issue and stance codes). ``kb eval --build`` resolves them against the
imported corpus into ``sentences.jsonl`` and ``documents.jsonl`` (character
offsets plus a hash of each sentence; no corpus text is stored). ``kb eval``
then scores, on the held-out ``test`` documents:

- sentence level: the stance the lexicon gives each labelled sentence;
- document level: the positions ``kb tag`` derives for the document's holder;
- a supervised baseline (logistic regression on word n-grams with negation
  marking, fit on the ``train`` documents), so the method is chosen by
  measurement.

Precision, recall and F1 per issue and stance; macro-F1 over the classes
present; 95% confidence intervals by bootstrap over documents.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kb.errors import UsageError
from kb.settings import PROJECT_ROOT
from nlp.sentences import split_sentences
from nlp.stance import ISSUES, classify

LABELS_DIR = PROJECT_ROOT / "data" / "labels"
CODES = {
    "FU": "training_fair_use",
    "CO": "consent_required",
    "CP": "compensation",
    "CR": "credit_attribution",
    "VL": "voice_likeness_right",
    "TT": "training_transparency",
    "LB": "ai_output_labeling",
    "OC": "output_copyrightability",
}
SIGNS = {"+": "supports", "-": "opposes", "~": "mixed"}
BOOTSTRAP = 1000


def parse_codes(text: str) -> dict[str, str]:
    out = {}
    for token in text.split():
        match = re.fullmatch(r"([A-Z]{2})([+~-])", token)
        if not match or match.group(1) not in CODES:
            raise UsageError(f"bad label {token!r}", item="annotations.toml")
        out[CODES[match.group(1)]] = SIGNS[match.group(2)]
    return out


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def build(db: Database, labels_dir: Path = LABELS_DIR) -> tuple[int, int]:
    """Resolve annotations into offset-based JSONL files; returns (sentences, documents)."""
    spec = tomllib.loads((labels_dir / "annotations.toml").read_text(encoding="utf-8"))
    sentences, documents = [], []
    for doc in spec["doc"]:
        row = db.execute(
            "select text, pages, language from documents where id = ?", [doc["id"]]
        ).fetchone()
        if row is None:
            raise UsageError(
                "labelled document is not in the database (import the corpus first)", item=doc["id"]
            )
        text = row[0] or ""
        if "sentences" in doc:
            split = split_sentences(text, row[2] or "en", json.loads(row[1]) if row[1] else None)
            wanted = {int(k): parse_codes(v) for k, v in doc["sentences"].items()}
            for i, sent in enumerate(split):
                sentences.append(
                    {
                        "document_id": doc["id"],
                        "split": doc["split"],
                        "start": sent.start,
                        "end": sent.end,
                        "sha": _sha(text[sent.start : sent.end]),
                        "labels": wanted.get(i, {}),
                    }
                )
        holders = {h: parse_codes(v) for h, v in doc.get("holders", {}).items()}
        documents.append(
            {
                "document_id": doc["id"],
                "split": doc["split"],
                "positions": parse_codes(doc.get("document", "")) if "document" in doc else None,
                "holders": holders or None,
                "complete": doc["split"] != "dev",
            }
        )
    write_jsonl(labels_dir / "sentences.jsonl", sentences)
    write_jsonl(labels_dir / "documents.jsonl", documents)
    return len(sentences), len(documents)


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        raise UsageError("no labels built yet: run kb eval --build", item=str(path))
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


@dataclass
class Scores:
    tp: Counter[tuple[str, str]]
    fp: Counter[tuple[str, str]]
    fn: Counter[tuple[str, str]]

    @classmethod
    def empty(cls) -> Scores:
        return cls(Counter(), Counter(), Counter())

    def add(
        self, gold: dict[str, str], predicted: dict[str, str], issues: Iterable[str] = ISSUES
    ) -> None:
        for issue in issues:
            g, p = gold.get(issue), predicted.get(issue)
            if g and p == g:
                self.tp[(issue, g)] += 1
            else:
                if p:
                    self.fp[(issue, p)] += 1
                if g:
                    self.fn[(issue, g)] += 1

    def classes(self) -> list[tuple[str, str]]:
        return sorted(set(self.tp) | set(self.fn))

    def prf(self, cls: tuple[str, str]) -> tuple[float, float, float]:
        tp, fp, fn = self.tp[cls], self.fp[cls], self.fn[cls]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def macro_f1(self) -> float:
        classes = self.classes()
        return sum(self.prf(c)[2] for c in classes) / len(classes) if classes else 0.0

    def micro(self) -> tuple[float, float, float]:
        tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bootstrap(units: list[Any], score: Callable[[list[Any]], float]) -> tuple[float, float]:
    """95% interval of ``score`` over documents resampled with replacement."""
    rng = random.Random(20231030)
    values = sorted(score([rng.choice(units) for _ in units]) for _ in range(BOOTSTRAP))
    return values[int(0.025 * BOOTSTRAP)], values[int(0.975 * BOOTSTRAP) - 1]


def rule_sentence(text: str) -> dict[str, str]:
    return {h.issue: h.stance for h in classify(text) if not h.reported}


def text_of(db: Database, doc_id: str) -> str:
    row = db.execute("select text from documents where id = ?", [doc_id]).fetchone()
    if row is None:
        raise UsageError("labelled document is not in the database", item=doc_id)
    return row[0] or ""


def sentence_units(
    db: Database, rows: list[dict[str, Any]], split: str
) -> dict[str, list[tuple[str, dict[str, str]]]]:
    by_doc: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    texts: dict[str, str] = {}
    for row in rows:
        if row["split"] != split:
            continue
        doc = row["document_id"]
        texts.setdefault(doc, text_of(db, doc))
        sentence = texts[doc][row["start"] : row["end"]]
        if _sha(sentence) != row["sha"]:
            raise UsageError(
                "labelled sentence no longer matches the document text; rebuild labels",
                item=f"{doc}@{row['start']}",
            )
        by_doc[doc].append((sentence, row["labels"]))
    return by_doc


def score_sentences(
    units: list[tuple[str, list[tuple[str, dict[str, str]]]]],
    predict: Callable[[str], dict[str, str]],
) -> Scores:
    scores = Scores.empty()
    for _, sentences in units:
        for text, gold in sentences:
            scores.add(gold, predict(text))
    return scores


def cached(predict: Callable[[str], dict[str, str]]) -> Callable[[str], dict[str, str]]:
    memo: dict[str, dict[str, str]] = {}

    def run(text: str) -> dict[str, str]:
        if text not in memo:
            memo[text] = predict(text)
        return memo[text]

    return run


def negation_marked(text: str) -> str:
    """Words after a negation cue (until punctuation) carry a NOT_ prefix."""
    out, negated = [], False
    for token in re.findall(r"[\w'’]+|[.,;:!?]", text.lower()):
        if token in ".,;:!?":
            negated = False
            continue
        out.append(f"NOT_{token}" if negated else token)
        if token in ("not", "no", "never", "cannot") or token.endswith(("n't", "n’t")):
            negated = True
    return " ".join(out)


def train_baseline(
    train: list[tuple[str, list[tuple[str, dict[str, str]]]]],
) -> Callable[[str], dict[str, str]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [t for _, sents in train for t, _ in sents]
    vectorizer = TfidfVectorizer(
        preprocessor=negation_marked, ngram_range=(1, 2), min_df=1, sublinear_tf=True
    )
    matrix = vectorizer.fit_transform(texts)
    models = {}
    for issue in ISSUES:
        y = [labels.get(issue, "none") for _, sents in train for _, labels in sents]
        if len(set(y)) < 2:
            continue
        models[issue] = LogisticRegression(max_iter=2000, class_weight="balanced").fit(matrix, y)

    def predict(text: str) -> dict[str, str]:
        vec = vectorizer.transform([text])
        return {i: str(m.predict(vec)[0]) for i, m in models.items() if m.predict(vec)[0] != "none"}

    return predict


def document_predictions(db: Database, doc_id: str) -> dict[str, dict[str, str]]:
    """Positions by holder as ``kb tag`` derives them now (not as stored)."""
    from nlp.tag_positions import tag_document

    row = dict(
        next(
            iter(
                db.query(
                    "select id, source, kind, title, organization, submitter, text, pages, language from documents where id = ?",
                    [doc_id],
                )
            )
        )
    )
    positions, _, _ = tag_document(db, row, "eval")
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for p in positions:
        out[p.holder][p.issue] = p.stance
    return out


def evaluate(db: Database, labels_dir: Path = LABELS_DIR) -> str:
    sentence_rows = read_jsonl(labels_dir / "sentences.jsonl")
    doc_rows = read_jsonl(labels_dir / "documents.jsonl")
    lines: list[str] = []
    test = list(sentence_units(db, sentence_rows, "test").items())
    train = list(sentence_units(db, sentence_rows, "train").items())
    n_sent = sum(len(s) for _, s in test)
    n_pos = sum(1 for _, s in test for _, g in s if g)
    lines.append(
        f"Held-out test: {len(test)} documents, {n_sent} sentences ({n_pos} take a position); "
        f"train: {len(train)} documents"
    )
    rules_predict = cached(rule_sentence)
    rules = score_sentences(test, rules_predict)
    lines += report(
        "Sentence level, lexicon rules",
        rules,
        bootstrap(test, lambda u: score_sentences(u, rules_predict).macro_f1()),
    )
    baseline = cached(train_baseline(train))
    base = score_sentences(test, baseline)
    lines += report(
        "Sentence level, baseline (logistic regression, n-grams, fit on train)",
        base,
        bootstrap(test, lambda u: score_sentences(u, baseline).macro_f1()),
        brief=True,
    )
    doc_units = []
    for row in doc_rows:
        if row["split"] != "test":
            continue
        predicted = document_predictions(db, row["document_id"])
        if row.get("holders"):
            for holder, gold in row["holders"].items():
                doc_units.append((gold, predicted.get(holder, {}), ISSUES))
        else:
            flat = {}
            for positions in predicted.values():
                flat.update(positions)
            doc_units.append((row["positions"] or {}, flat, ISSUES))

    def doc_score(units: list[Any]) -> Scores:
        s = Scores.empty()
        for gold, pred, issues in units:
            s.add(gold, pred, issues)
        return s

    docs = doc_score(doc_units)
    lines += report(
        f"Document level ({len(doc_units)} holder-documents)",
        docs,
        bootstrap(doc_units, lambda u: doc_score(u).macro_f1()),
    )
    dev_units = []
    for row in doc_rows:
        if row["split"] == "dev" and row["positions"]:
            flat = {}
            for positions in document_predictions(db, row["document_id"]).values():
                flat.update(positions)
            dev_units.append((row["positions"], flat, tuple(row["positions"])))
    dev = doc_score(dev_units)
    lines.append("")
    lines.append(
        f"Major filings (dev set, used while writing the lexicon; labelled issues only): "
        f"{sum(dev.tp.values())} of {sum(dev.tp.values()) + sum(dev.fn.values())} positions right, "
        f"{sum(dev.fp.values())} wrong or extra"
    )
    return "\n".join(lines)


def report(title: str, scores: Scores, ci: tuple[float, float], brief: bool = False) -> list[str]:
    p, r, f = scores.micro()
    lines = [
        "",
        title,
        f"  macro-F1 {scores.macro_f1():.3f} (95% CI {ci[0]:.3f}–{ci[1]:.3f}); micro P {p:.3f} R {r:.3f} F1 {f:.3f}",
    ]
    if brief:
        return lines
    lines.append(f"  {'issue':26} {'stance':9} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5}")
    for cls in scores.classes():
        cp, cr, cf = scores.prf(cls)
        lines.append(
            f"  {cls[0]:26} {cls[1]:9} {cp:6.3f} {cr:6.3f} {cf:6.3f} {scores.tp[cls] + scores.fn[cls]:5d}"
        )
    return lines
