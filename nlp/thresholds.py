"""Where the tagger abstains: thresholds on the model's confidence, per class.

The thresholds are chosen on documents the model has not seen: the dev split and
the randomly drawn training comments, each predicted by a model fit without its
fold. One base threshold maximises micro-F1 over all positions; then each
(issue, stance) class with at least ``MIN_CLASS_POSITIVES`` gold positions there
gets the threshold that maximises its own F1 (the figure the issue's macro-F1
averages), so a rare stance whose confidences run low is not held back by a
cut-off set by the common ones. Classes with fewer examples keep the base
threshold. "High confidence" stays one threshold for all: the lowest at which the
lower bound of the 95 % interval of precision reaches ``HIGH_PRECISION``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nlp.evaluate import wilson
from nlp.model import MIN_LEANING, StanceModel

if TYPE_CHECKING:
    from nlp.training_units import Unit

#: issue → (stance, confidence) a model leans to on one document.
Leaning = dict[str, tuple[str, float]]

#: The labelled set drawn at random from the docket: its out-of-fold predictions
#: calibrate the thresholds with dev (the other sets are not a random sample).
RANDOM_SOURCE = "comments"
#: "High confidence" is claimed where the lower 95 % bound of precision reaches this.
HIGH_PRECISION = 0.95
#: A class gets a threshold of its own with at least this many gold positions.
MIN_CLASS_POSITIVES = 8
_GRID = np.arange(MIN_LEANING, 0.96, 0.02)


@dataclass
class Calibration:
    """Every position the model leant to on unseen documents, and the gold positions."""

    leanings: list[tuple[str, str, float, bool]]  # (issue, stance, confidence, right?)
    gold: Counter[tuple[str, str]]

    def pairs(self) -> list[tuple[float, bool]]:
        return [(p, ok) for _, _, p, ok in self.leanings]


def calibration(
    model: StanceModel, train: Sequence[Unit], leanings: Sequence[Leaning], dev: Sequence[Unit]
) -> Calibration:
    """``leanings``: each training unit's, from a model fit without its fold."""
    drawn = [i for i, u in enumerate(train) if u.source == RANDOM_SOURCE]
    units = [train[i] for i in drawn] + list(dev)
    found = [leanings[i] for i in drawn] + [
        p.leaning() for p in model.predict([u.doc for u in dev])
    ]
    return Calibration(
        [
            (issue, stance, p, u.positions.get(issue) == stance)
            for u, lean in zip(units, found, strict=True)
            for issue, (stance, p) in lean.items()
        ],
        Counter((issue, stance) for u in units for issue, stance in u.positions.items()),
    )


def _f1(tp: int, kept: int, gold: int) -> float:
    prec = tp / kept if kept else 0.0
    rec = tp / gold if gold else 0.0
    return 2 * prec * rec / (prec + rec) if prec + rec else 0.0


def best_threshold(pairs: Sequence[tuple[float, bool]], gold: int, default: float) -> float:
    """The threshold of ``_GRID`` with the highest F1 (the lowest of equals)."""
    best_f1, best_t = -1.0, default
    for t in _GRID:
        kept = [ok for p, ok in pairs if p >= t]
        f1 = _f1(sum(kept), len(kept), gold)
        if f1 > best_f1 + 1e-9:
            best_f1, best_t = f1, float(t)
    return round(best_t, 2)


def high_threshold(pairs: Sequence[tuple[float, bool]], start: float) -> float:
    for t in np.arange(start, 0.995, 0.01):
        kept = [ok for p, ok in pairs if p >= t]
        if wilson(sum(kept), len(kept))[0] >= HIGH_PRECISION:
            return round(float(t), 2)
    return 0.99


def choose(cal: Calibration) -> tuple[float, float, dict[str, float]]:
    """The base threshold, the high-confidence one, and each class's own threshold."""
    pairs = cal.pairs()
    base = best_threshold(pairs, sum(cal.gold.values()), 0.5)
    by_class = {
        f"{issue}/{stance}": best_threshold(
            [(p, ok) for i, s, p, ok in cal.leanings if (i, s) == (issue, stance)], n, base
        )
        for (issue, stance), n in sorted(cal.gold.items())
        if n >= MIN_CLASS_POSITIVES
    }
    return base, high_threshold(pairs, base), by_class


def calibrate(
    model: StanceModel, train: Sequence[Unit], leanings: Sequence[Leaning], dev: Sequence[Unit]
) -> None:
    """Set the model's thresholds from the documents it has not seen: ``dev``, and the
    training units' out-of-fold ``leanings``."""
    model.threshold, model.high, model.thresholds = choose(calibration(model, train, leanings, dev))
