"""``kb eval``: how right the positions are, measured on labelled real documents.

On the frozen test split of ``data/labels/`` (``nlp.sampling``; never used to
fit, tune or choose thresholds) it prints, for the stance model and for the
lexicon alone beside it: document-level macro- and micro-F1 over the (issue,
stance) classes with at least ``MIN_SUPPORT`` test examples, per-class
precision, recall, F1 and support, 95 % bootstrap intervals over documents,
the abstention rate, and precision at the published "high confidence"
threshold. Then: Cohen's kappa per issue of the two independent labelling
passes; the 17 major filings leave-one-filing-out (each predicted by a model
fit without it) over all 8 issues; and their filers resolved from the text
alone. The figures also go to ``data/accuracy.json`` for the site's Accuracy page.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kb.paths import ACCURACY_FILE
from nlp.labels import primary_records, read_set
from nlp.stance import ISSUES

BOOTSTRAP = 1000
MIN_SUPPORT = 5

Positions = dict[str, str]


@dataclass
class Scores:
    tp: Counter[tuple[str, str]]
    fp: Counter[tuple[str, str]]
    fn: Counter[tuple[str, str]]

    @classmethod
    def of(cls, pairs: Iterable[tuple[Positions, Positions]]) -> Scores:
        s = cls(Counter(), Counter(), Counter())
        for gold, predicted in pairs:
            s.add(gold, predicted)
        return s

    def add(self, gold: Positions, predicted: Positions) -> None:
        for issue in ISSUES:
            g, p = gold.get(issue), predicted.get(issue)
            if g and p == g:
                self.tp[(issue, g)] += 1
                continue
            if p:
                self.fp[(issue, p)] += 1
            if g:
                self.fn[(issue, g)] += 1

    def support(self, cls: tuple[str, str]) -> int:
        return self.tp[cls] + self.fn[cls]

    def classes(self, min_support: int = 1) -> list[tuple[str, str]]:
        return sorted(c for c in set(self.tp) | set(self.fn) if self.support(c) >= min_support)

    def prf(self, cls: tuple[str, str]) -> tuple[float, float, float]:
        return _prf(self.tp[cls], self.fp[cls], self.fn[cls])

    def macro_f1(self, classes: Sequence[tuple[str, str]]) -> float:
        return sum(self.prf(c)[2] for c in classes) / len(classes) if classes else 0.0

    def micro(self) -> tuple[float, float, float]:
        return _prf(sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values()))


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bootstrap(units: Sequence[Any], score: Callable[[list[Any]], float]) -> tuple[float, float]:
    """95 % interval of ``score`` over documents resampled with replacement."""
    rng = random.Random(20231030)
    values = sorted(score([rng.choice(units) for _ in units]) for _ in range(BOOTSTRAP))
    return values[int(0.025 * BOOTSTRAP)], values[int(0.975 * BOOTSTRAP) - 1]


def wilson(k: int, n: int) -> tuple[float, float]:
    """95 % Wilson interval of a proportion k/n."""
    if not n:
        return 0.0, 0.0
    z, p = 1.96, k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def score_block(pairs: list[tuple[Positions, Positions]]) -> dict[str, Any]:
    """Figures of one method on one set of documents (gold, predicted) pairs."""
    scores = Scores.of(pairs)
    classes = scores.classes(MIN_SUPPORT)

    def macro(sample: list[tuple[Positions, Positions]]) -> float:
        return Scores.of(sample).macro_f1(classes)

    def micro(sample: list[tuple[Positions, Positions]]) -> float:
        return Scores.of(sample).micro()[2]

    p, r, f = scores.micro()
    return {
        "documents": len(pairs),
        "macro_f1": scores.macro_f1(classes),
        "macro_f1_ci": bootstrap(pairs, macro),
        "micro": {"precision": p, "recall": r, "f1": f},
        "micro_f1_ci": bootstrap(pairs, micro),
        "classes": [
            {
                "issue": c[0],
                "stance": c[1],
                "precision": scores.prf(c)[0],
                "recall": scores.prf(c)[1],
                "f1": scores.prf(c)[2],
                "support": scores.support(c),
            }
            for c in scores.classes()
        ],
        "min_support": MIN_SUPPORT,
    }


def kappa_per_issue(
    pairs: list[tuple[Positions, Positions]], documents: int | None = None
) -> dict[str, Any]:
    """Cohen's kappa per issue over (first reading, second reading) pairs of one
    document's labels ("none" counts as a category)."""
    from sklearn.metrics import cohen_kappa_score

    both = pairs
    out: dict[str, Any] = {
        "readings": len(both),
        "documents": len(both) if documents is None else documents,
        "issues": {},
    }
    for issue in ISSUES:
        a = [first.get(issue, "none") for first, _ in both]
        b = [second.get(issue, "none") for _, second in both]
        agree = sum(x == y for x, y in zip(a, b, strict=True))
        kappa = cohen_kappa_score(a, b) if len(set(a) | set(b)) > 1 else 1.0
        out["issues"][issue] = {
            "kappa": float(kappa),
            "agreement": agree / len(both) if both else 0.0,
            "positions": sum(1 for x in a if x != "none") + sum(1 for y in b if y != "none"),
        }
    return out


def second_pass_agreement() -> dict[str, Any]:
    """Every second-pass record against the first pass of the same document."""
    first = {r.id: r.positions for r in read_set("comments")}
    second = [r for r in read_set("second-pass") if r.id in first]
    return kappa_per_issue(
        [(first[r.id], r.positions) for r in second], len({r.id for r in second})
    )


def lexicon_positions(db: Database, doc_id: str) -> Positions:
    """The filer's positions as the lexicon rules alone derive them."""
    from nlp.tag_positions import analyse_positions, attachment_titles

    row = next(
        iter(
            db.query(
                "select id, source, kind, title, organization, submitter, text, pages, language "
                "from documents where id = ?",
                [doc_id],
            )
        )
    )
    positions, _, _ = analyse_positions(row, attachment_titles(db, doc_id))
    flat: Positions = {}
    for p in positions:
        flat.setdefault(p.issue, p.stance)
    return flat


def labelled_filers() -> dict[str, str]:
    return {r.id: r.filer for r in primary_records().values() if r.filer}


def write_accuracy(figures: dict[str, Any], path: Path = ACCURACY_FILE) -> None:
    path.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
