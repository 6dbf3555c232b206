"""How right the reply graph is, on the labelled mentions of the five major replies
(``data/labels/questions.jsonl``: ``mentions``); scored on the replies outside
``nlp.answers_eval.FIT``."""

from __future__ import annotations

from typing import Any

from nlp.answers_eval import FIT, Labelled
from nlp.evaluate import wilson
from nlp.organizations import gazetteer
from nlp.replies import Reference, near_names


def party_id(name: str, names: tuple[tuple[str, str], ...] = ()) -> str | None:
    """The organisation a labeller's party name is (the gazetteer's, or one that filed
    in the docket, or a misspelling of one: ``near_names``), if known."""
    found = (
        gazetteer().find(name)
        or [(o, 0, 0) for n, o in names if n == name.strip()]
        or near_names(name, names)
    )
    return found[0][0] if found else None


def _by_relation(
    gold_m: dict[tuple[str, int, str], str],
    pred_m: dict[tuple[str, int, str], str],
    both: set[tuple[str, int, str]],
) -> dict[str, dict[str, Any]]:
    """Precision, recall and support of each relation label on the mentions found."""
    by_relation = {}
    for rel in ("rebut", "agree", "cite"):
        tp = sum(gold_m[k] == rel and pred_m[k] == rel for k in both)
        made = sum(pred_m[k] == rel for k in both)
        real = sum(gold_m[k] == rel for k in both)
        by_relation[rel] = {
            "precision": tp / made if made else None,
            "recall": tp / real if real else None,
            "support": real,
        }
    return by_relation


def reply_figures(
    labelled: list[Labelled],
    predicted: dict[str, list[Reference]],
    names: tuple[tuple[str, str], ...] = (),
) -> dict[str, Any]:
    """Edges (reply, organisation) and mentions (sentence, organisation) found, and the
    agree / rebut / cite label of the mentions found."""
    gold_edges: set[tuple[str, str]] = set()
    pred_edges: set[tuple[str, str]] = set()
    gold_m: dict[tuple[str, int, str], str] = {}
    unknown = 0
    for rec in labelled:
        if not rec.mentions or rec.id in FIT:
            continue
        for m in rec.mentions:
            org = party_id(m.party, names)
            if org is None:
                unknown += 1
                org = "?" + m.party
            gold_edges.add((rec.id, org))
            gold_m[(rec.id, m.start, org)] = m.relation
        for ref in predicted.get(rec.id, []):
            pred_edges.add((rec.id, ref.party))
    pred_m = {
        (doc, r.start, r.party): r.relation
        for doc, refs in predicted.items()
        if doc in {d for d, _ in gold_edges}
        for r in refs
    }
    both = set(gold_m) & set(pred_m)
    hits = len(gold_edges & pred_edges)
    same = sum(gold_m[k] == pred_m[k] for k in both)
    by_relation = _by_relation(gold_m, pred_m, both)
    return {
        "replies": sorted({d for d, _ in gold_edges}),
        "edges": {
            "labelled": len(gold_edges),
            "predicted": len(pred_edges),
            "precision": hits / len(pred_edges) if pred_edges else None,
            "precision_ci": wilson(hits, len(pred_edges)),
            "recall": hits / len(gold_edges) if gold_edges else None,
            "recall_ci": wilson(hits, len(gold_edges)),
        },
        "mentions": {
            "labelled": len(gold_m),
            "predicted": len(pred_m),
            "precision": len(both) / len(pred_m) if pred_m else None,
            "precision_ci": wilson(len(both), len(pred_m)),
            "recall": len(both) / len(gold_m) if gold_m else None,
            "recall_ci": wilson(len(both), len(gold_m)),
            "parties_not_in_gazetteer": unknown,
        },
        "relation_accuracy": same / len(both) if both else None,
        "relation_ci": wilson(same, len(both)),
        "by_relation": by_relation,
    }
