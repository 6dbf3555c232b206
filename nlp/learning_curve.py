"""How the stance model's figures grow with its training data (``kb eval --curve``).

The model is refit on seeded random fractions of the training split (thresholds
chosen on dev each time, as in production) and scored on the frozen test split; a
least-squares line of macro-F1 against log2(training documents) says what one more
doubling of the labelled data buys. It measures; it chooses nothing, so scoring on
the test split tunes nothing.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from nlp.eval_run import at, decided
from nlp.evaluate import score_block
from nlp.train import fit_calibrated
from nlp.training_units import Unit, units

SEED = 20261209
FRACTIONS = (0.25, 0.5, 0.75, 1.0)
#: The rare classes whose recall the issue asks about, followed at each size.
FOLLOWED = (
    ("training_fair_use", "supports"),
    ("output_copyrightability", "supports"),
    ("training_transparency", "supports"),
    ("voice_likeness_right", "supports"),
)


def subset(train: Sequence[Unit], fraction: float) -> list[Unit]:
    """A seeded random ``fraction`` of ``train`` (the same draw nests: a smaller
    fraction is a prefix of the same shuffled order)."""
    order = list(train)
    random.Random(SEED).shuffle(order)
    return order[: max(1, round(fraction * len(order)))]


def point(train: Sequence[Unit], dev: Sequence[Unit], test: Sequence[Unit]) -> dict[str, Any]:
    model = fit_calibrated(train, dev)
    pairs = [
        (u.positions, at(lean, model)) for u, lean in zip(test, decided(model, test), strict=True)
    ]
    block = score_block(pairs)
    recall = {
        f"{issue}/{stance}": round(c["recall"], 3)
        for c in block["classes"]
        for issue, stance in FOLLOWED
        if c["issue"] == issue and c["stance"] == stance
    }
    return {
        "train": len(train),
        "macro_f1": round(block["macro_f1"], 4),
        "macro_f1_ci": [round(x, 4) for x in block["macro_f1_ci"]],
        "micro_f1": round(block["micro"]["f1"], 4),
        "recall": recall,
    }


def slope(points: Sequence[dict[str, Any]]) -> float:
    """Least-squares gain of macro-F1 per doubling of the training documents."""
    xs = [math.log2(p["train"]) for p in points]
    ys = [p["macro_f1"] for p in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0


def run(db: Database, fractions: Sequence[float] = FRACTIONS) -> dict[str, Any]:
    from nlp.tag_positions import row_sentences

    all_units = units(db, row_sentences)
    train = [u for u in all_units if u.split == "train"]
    dev = [u for u in all_units if u.split == "dev"]
    test = [u for u in all_units if u.split == "test"]
    points = [point(subset(train, f), dev, test) for f in fractions]
    gain = slope(points)
    last = points[-1]
    needed = (
        math.ceil(last["train"] * 2 ** ((0.80 - last["macro_f1"]) / gain)) if gain > 0 else None
    )
    return {"points": points, "gain_per_doubling": round(gain, 4), "train_for_0_80": needed}


def report(curve: dict[str, Any]) -> str:
    lines = ["training documents  macro-F1 (95% CI)      micro-F1  recall of rare classes"]
    for p in curve["points"]:
        lo, hi = p["macro_f1_ci"]
        rec = ", ".join(f"{k.split('/')[0]} {v:.2f}" for k, v in p["recall"].items())
        lines.append(
            f"{p['train']:>18}  {p['macro_f1']:.3f} ({lo:.3f}-{hi:.3f})  "
            f"{p['micro_f1']:.3f}     {rec}"
        )
    lines.append(
        f"macro-F1 gained per doubling of the training documents: {curve['gain_per_doubling']:+.3f}"
    )
    needed = curve["train_for_0_80"]
    lines.append(
        "training documents a log-linear trend would need for macro-F1 0.80: "
        + (f"{needed:,}" if needed else "never (no gain)")
    )
    return "\n".join(lines)
