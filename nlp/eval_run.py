"""Running ``kb eval``: fit on train, thresholds on dev, figures on the frozen test split."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlite_utils import Database

from nlp.evaluate import (
    Positions,
    labelled_filers,
    lexicon_positions,
    score_block,
    second_pass_agreement,
    wilson,
)
from nlp.model import CLASSES, MIN_LEANING, StanceModel, document_proba
from nlp.sampling import load_split
from nlp.stance import ISSUES
from nlp.thresholds import calibrate
from nlp.train import fit_documents, fit_with_features, labels_hash, out_of_fold_leanings
from nlp.training_units import Unit, units


def decided(model: StanceModel, docs: Sequence[Unit]) -> list[dict[str, tuple[str, float]]]:
    """Per unit: issue → (stance, confidence) the model leans to (before the threshold)."""
    return [pred.leaning() for pred in model.predict([u.doc for u in docs])]


def at(leaning: dict[str, tuple[str, float]], model: StanceModel) -> Positions:
    """The positions the tagger publishes of a leaning: those at or above their cutoff."""
    return model.keep(leaning)


def test_figures(model: StanceModel, test: Sequence[Unit], db: Database) -> dict[str, Any]:
    leanings = decided(model, test)
    pairs = [(u.positions, at(lean, model)) for u, lean in zip(test, leanings, strict=True)]
    candidates = sum(len(lean) for lean in leanings)
    held_back = sum(1 for lean in leanings for i, (s, p) in lean.items() if p < model.cutoff(i, s))
    high = [
        u.positions.get(issue) == stance
        for u, lean in zip(test, leanings, strict=True)
        for issue, (stance, p) in lean.items()
        if p >= model.high
    ]
    shown = [
        u.positions.get(issue) == stance
        for u, lean in zip(test, leanings, strict=True)
        for issue, (stance, p) in lean.items()
        if p >= model.cutoff(issue, stance)
    ]
    lexicon_pairs = [(u.positions, lexicon_positions(db, u.id)) for u in test]
    return {
        "model": score_block(pairs),
        "lexicon": score_block(lexicon_pairs),
        "threshold": model.threshold,
        "class_thresholds": model.thresholds,
        "high_threshold": model.high,
        "abstention": {"held_back": held_back, "leaning": candidates},
        "high_confidence": {
            "right": sum(high),
            "shown": len(high),
            "ci": wilson(sum(high), len(high)),
        },
        "shown_precision": {
            "right": sum(shown),
            "shown": len(shown),
            "ci": wilson(sum(shown), len(shown)),
        },
    }


def leave_one_filing_out(
    model: StanceModel, train: Sequence[Unit], feats: dict[str, list[list[float]]]
) -> dict[str, Any]:
    """Each major filing predicted without its labels: its first-stage features come
    from the fold models fit without it (out-of-fold), and the document stage is refit
    without it. (Vocabularies are fit on all training text, which involves no labels.)"""
    cells = []
    per_filing: list[dict[str, Any]] = []
    majors = set(load_split()["major"])
    for index, held in enumerate(train):
        if held.id not in majors:
            continue
        documents = fit_documents(train, feats, leave_out=index)
        leaning = {}
        for issue in ISSUES:
            dist = document_proba(documents, issue, [feats[issue][index]])[0]
            k = int(np.argmax(dist[1:])) + 1
            if dist[k] >= MIN_LEANING:
                leaning[issue] = (CLASSES[k], float(dist[k]))
        predicted = at(leaning, model)
        right = {i: predicted.get(i) == held.positions.get(i) for i in ISSUES}
        cells += list(right.values())
        per_filing.append(
            {
                "id": held.id,
                "filer": held.record.filer,
                "gold": held.positions,
                "predicted": predicted,
                "exact": sum(right.values()),
                "fair_use_right": right["training_fair_use"],
            }
        )
    return {
        "filings": per_filing,
        "cells_exact": sum(cells),
        "cells": len(cells),
        "fair_use_right": sum(f["fair_use_right"] for f in per_filing),
        "block": score_block([(f["gold"], f["predicted"]) for f in per_filing]),
    }


def filer_figures(db: Database) -> dict[str, Any]:
    from nlp.filers import same_organisation
    from nlp.organizations import resolve_filer

    gold = labelled_filers()
    out = []
    for doc_id in load_split()["major"]:
        row = db.execute("select text from documents where id = ?", [doc_id]).fetchone()
        found = resolve_filer(
            organization=None, title=None, submitter=None, attachment_titles=[], text=row[0] or ""
        )
        expected = gold.get(doc_id)
        out.append(
            {
                "id": doc_id,
                "expected": expected,
                "found": "; ".join(found.names),
                "right": expected is not None and same_organisation(expected, found.names),
            }
        )
    return {"filings": out, "right": sum(f["right"] for f in out)}


def run(db: Database) -> dict[str, Any]:
    from nlp.alignment_report import figures as answer_figures
    from nlp.tag_positions import row_sentences

    all_units = units(db, row_sentences)
    train = [u for u in all_units if u.split == "train"]
    dev = [u for u in all_units if u.split == "dev"]
    test = [u for u in all_units if u.split == "test"]
    started = time.perf_counter()
    model, oof = fit_with_features(train, labels_hash())
    fit_seconds = time.perf_counter() - started
    calibrate(model, train, out_of_fold_leanings(train, oof), dev)
    return {
        "labels": {
            "train": len(train),
            "dev": len(dev),
            "test": len(test),
            "sets": dict(sorted(_count(u.source for u in all_units).items())),
        },
        "test": test_figures(model, test, db),
        "agreement": second_pass_agreement(),
        "major_lofo": leave_one_filing_out(model, train, oof.feats),
        "filers": filer_figures(db),
        "questions": answer_figures(db),
        "model": {"version": model.labels_hash, "fit_seconds": round(fit_seconds, 1)},
    }


def _count(items: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return out


def _pct(x: float) -> str:
    return f"{x:.3f}"


def block_lines(title: str, block: dict[str, Any], brief: bool = False) -> list[str]:
    lo, hi = block["macro_f1_ci"]
    mlo, mhi = block["micro_f1_ci"]
    micro = block["micro"]
    lines = [
        "",
        f"{title} ({block['documents']} documents)",
        f"  macro-F1 {_pct(block['macro_f1'])} (95% CI {_pct(lo)}–{_pct(hi)}) over classes with "
        f"≥{block['min_support']} examples; micro P {_pct(micro['precision'])} "
        f"R {_pct(micro['recall'])} F1 {_pct(micro['f1'])} (95% CI {_pct(mlo)}–{_pct(mhi)})",
    ]
    if brief:
        return lines
    lines.append(f"  {'issue':26} {'stance':9} {'P':>6} {'R':>6} {'F1':>6} {'support':>8}")
    for c in block["classes"]:
        lines.append(
            f"  {c['issue']:26} {c['stance']:9} {c['precision']:6.3f} {c['recall']:6.3f} "
            f"{c['f1']:6.3f} {c['support']:8d}"
        )
    return lines


def _precision_lines(test: dict[str, Any]) -> list[str]:
    """Abstention on the test split, and the precision of positions shown and of high ones."""
    ab = test["abstention"]
    rate = ab["held_back"] / ab["leaning"] if ab["leaning"] else 0.0
    hc = test["high_confidence"]
    sp = test["shown_precision"]
    return [
        "",
        f"Abstention: {ab['held_back']} of {ab['leaning']} positions the model leaned to were "
        f"held back ({rate:.1%})",
        f"Precision of positions shown: {sp['right']}/{sp['shown']} "
        f"({sp['right'] / max(sp['shown'], 1):.3f}, 95% CI {sp['ci'][0]:.3f}–{sp['ci'][1]:.3f})",
        f"Precision at high confidence: {hc['right']}/{hc['shown']} "
        f"({hc['right'] / max(hc['shown'], 1):.3f}, 95% CI {hc['ci'][0]:.3f}–{hc['ci'][1]:.3f})",
    ]


def _agreement_lines(agreement: dict[str, Any]) -> list[str]:
    """Agreement of independent labellings: kappa and raw agreement per issue."""
    lines = [
        "",
        f"Agreement of independent labellings: {agreement.get('readings', 0)} second readings "
        f"of {agreement['documents']} comments against their first:",
    ]
    for issue, a in agreement["issues"].items():
        lines.append(
            f"  {issue:26} kappa {a['kappa']:6.3f}  raw agreement {a['agreement']:.3f}  "
            f"({a['positions']} positions)"
        )
    return lines


def _major_filings_lines(lofo: dict[str, Any], filers: dict[str, Any]) -> list[str]:
    """The major filings left out one at a time, and their filers found from their text."""
    n = len(lofo["filings"])
    lines = [
        "",
        f"Major filings, leave-one-filing-out ({n} filings × 8 issues): "
        f"{lofo['cells_exact']} of {lofo['cells']} exact "
        f"({lofo['cells_exact'] / max(lofo['cells'], 1):.1%}); training_fair_use right for "
        f"{lofo['fair_use_right']} of {n}",
    ]
    for f in lofo["filings"]:
        if f["exact"] < 8:
            lines.append(
                f"  {f['id']} {f['filer'] or ''}: gold {f['gold']} predicted {f['predicted']}"
            )
    lines += [
        "",
        f"Filers of the major filings from their text alone: {filers['right']} of "
        f"{len(filers['filings'])} right",
    ]
    for f in filers["filings"]:
        if not f["right"]:
            lines.append(f"  {f['id']}: expected {f['expected']!r}, found {f['found']!r}")
    return lines


def report(figures: dict[str, Any]) -> str:
    labels, test = figures["labels"], figures["test"]
    lines = [
        f"Labelled documents: {labels['train']} train, {labels['dev']} dev (thresholds), "
        f"{labels['test']} frozen test; by set: "
        + ", ".join(f"{k} {v}" for k, v in labels["sets"].items()),
        f"Model {figures['model']['version']}; abstains below confidence "
        f"{test['threshold']:.2f}; 'high confidence' from {test['high_threshold']:.2f}",
        "Classes with a threshold of their own: "
        + (
            ", ".join(f"{k} {v:.2f}" for k, v in sorted(test.get("class_thresholds", {}).items()))
            or "none"
        ),
    ]
    lines += block_lines("Frozen test, document level, stance model", test["model"])
    lines += block_lines("Frozen test, document level, lexicon alone", test["lexicon"])
    lines += _precision_lines(test)
    lines += _agreement_lines(figures["agreement"])
    lines += _major_filings_lines(figures["major_lofo"], figures["filers"])
    if "questions" in figures:
        from nlp.alignment_report import report_lines

        lines += report_lines(figures["questions"])
    return "\n".join(lines)
