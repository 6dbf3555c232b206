"""Cross-validation outside the test split (``kb eval --cv``): how a change to the model
does, measured without touching the frozen test split.

The labelled documents other than the test split are cut into ``OUTER`` folds by a hash
of their id. Each fold's comments of the random draw (``RANDOM_SOURCE``: the docket's
random sample, dev included) are predicted by a model fitted on the other folds and
calibrated as in production (thresholds from the fitted folds' out-of-fold
predictions). The figures pool the folds: about 1,100 comments, twice the test split,
to decide between variants of the model; the test split stays for the published
figures. It measures and chooses nothing itself; a full run fits ``OUTER`` models.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from nlp.eval_run import at, block_lines, decided
from nlp.evaluate import score_block
from nlp.thresholds import RANDOM_SOURCE
from nlp.train import fit_calibrated
from nlp.training_units import Unit, units

OUTER = 5


def outer_fold(doc_id: str) -> int:
    return int(hashlib.sha256(f"outer{doc_id}".encode()).hexdigest(), 16) % OUTER


def folds(labelled: Sequence[Unit]) -> list[tuple[list[Unit], list[Unit]]]:
    """(fitted on, scored) per outer fold: the test split is in neither, and only the
    comments of the random draw are scored."""
    usable = [u for u in labelled if u.split != "test"]
    out = []
    for k in range(OUTER):
        fitted = [u for u in usable if outer_fold(u.id) != k]
        scored = [u for u in usable if outer_fold(u.id) == k and u.source == RANDOM_SOURCE]
        out.append((fitted, scored))
    return out


def run(db: Database) -> dict[str, Any]:
    from nlp.tag_positions import row_sentences

    pairs = []
    sizes = []
    for fitted, scored in folds(units(db, row_sentences, only=("train", "dev"))):
        model = fit_calibrated(fitted, [])  # thresholds from the fitted folds alone
        leanings = decided(model, scored)
        pairs += [(u.positions, at(lean, model)) for u, lean in zip(scored, leanings, strict=True)]
        sizes.append({"fitted": len(fitted), "scored": len(scored)})
    return {"folds": sizes, "block": score_block(pairs)}


def report(figures: dict[str, Any]) -> str:
    fitted = ", ".join(str(f["fitted"]) for f in figures["folds"])
    title = (
        f"Cross-validation outside the test split: {OUTER} folds, each scored by a model "
        f"fitted on the others ({fitted} documents)"
    )
    return "\n".join(block_lines(title, figures["block"])).lstrip("\n")
