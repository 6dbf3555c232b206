"""``kb eval``'s figures of the question alignment and the reply graph, on the labelled
major filings: the numbering and content figures of ``nlp.answers_eval`` and the
reply-graph figures of ``nlp.replies_eval``, gathered and printed together."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from nlp.answers_eval import (
    FIT,
    comment_numbering_figures,
    content_figures,
    numbering_figures,
    read_comment_numbering,
    read_labels,
)
from nlp.sentences import split_sentences


def figures(db: Database) -> dict[str, Any]:
    """Question alignment and reply graph on the labelled major filings (``kb eval``)."""
    from nlp.replies import references, rule_relation
    from nlp.replies_eval import reply_figures
    from nlp.reply_inputs import filer_names, own_parties, relation_model
    from nlp.tag_answers import docket_questions

    labelled = read_labels()
    questions = docket_questions(db)[0].get("COLC-2023-0006", [])
    rows = {
        r[0]: r[1:]
        for r in db.execute(
            "select id, text, pages, language, org_ids, organization from documents where id in "
            f"({','.join('?' * len(labelled))})",
            [r.id for r in labelled],
        )
    }
    if not questions or len(rows) < len(labelled):
        return {"missing": "the Notice or labelled filings are not in the database"}
    texts = {i: r[0] or "" for i, r in rows.items()}
    sample = read_comment_numbering()
    texts |= {
        i: t or ""
        for i, t in db.execute(
            f"select id, text from documents where id in ({','.join('?' * len(sample))})",
            list(sample),
        )
    }
    sample = {i: starts for i, starts in sample.items() if i in texts}
    names = filer_names(db)
    relate = relation_model(db, names) or rule_relation  # fitted on the FIT replies only
    predicted = {}
    for rec in labelled:
        if rec.mentions:
            text, pages, lang, ids, organization = rows[rec.id]
            sentences = split_sentences(text, lang or "en", json.loads(pages) if pages else None)
            own = own_parties(ids, organization)
            predicted[rec.id] = references(text, sentences, own, names, relate)
    return {
        "questions": len(questions),
        "filings": len(labelled),
        "numbering": numbering_figures(labelled, texts, questions),
        "comment_numbering": comment_numbering_figures(sample, texts, questions),
        "content": content_figures(labelled, texts, questions),
        "replies": reply_figures(labelled, predicted, names),
    }


def _f(x: float | None, ci: Sequence[float] | None = None) -> str:
    if x is None:
        return "–"
    return f"{x:.3f}" + (f" ({ci[0]:.3f}–{ci[1]:.3f})" if ci else "")


def _comment_line(fig: dict[str, Any]) -> str:
    every, unseen = fig["all"], fig["unseen"]
    return (
        f"  explicit numbering in {every['comments']} comments that number lines (drawn at "
        f"random): precision {_f(every['precision'], every['precision_ci'])} "
        f"({every['predicted']} predicted), recall {_f(every['recall'], every['recall_ci'])} "
        f"({every['labelled']} labelled); in the {unseen['comments']} whose output no rule was "
        f"written from: precision {_f(unseen['precision'], unseen['precision_ci'])}, recall "
        f"{_f(unseen['recall'], unseen['recall_ci'])}"
    )


def report_lines(fig: dict[str, Any]) -> list[str]:
    if "missing" in fig:
        return ["", f"Question alignment and reply graph: not measured ({fig['missing']})"]
    num, con, rep = fig["numbering"], fig["content"], fig["replies"]
    edges, mentions = rep["edges"], rep["mentions"]
    lines = [
        "",
        f"Question alignment ({fig['questions']} Notice questions; {fig['filings']} labelled "
        f"major filings, rules written and threshold chosen on {len(FIT)}, measured on the rest):",
        f"  explicit numbering: precision {_f(num['precision'], num['precision_ci'])} "
        f"({num['predicted']} predicted), recall {_f(num['recall'], num['recall_ci'])} "
        f"({num['labelled']} answers the filers numbered, in {num['filings']} filings); "
        f"over every labelled start of those filings, numbered or placed by content, "
        f"{_f(num['recall_all'], num['recall_all_ci'])} ({num['labelled_all']})",
        _comment_line(fig["comment_numbering"]),
        f"  by content (threshold {con['threshold']:.2f}): precision "
        f"{_f(con['precision'], con['precision_ci'])}, recall {_f(con['recall'], con['recall_ci'])}"
        f", F1 {_f(con['f1'])} over {con['windows']} windows of {len(con['test_filings'])} filings",
        f"Reply graph ({len(rep['replies'])} labelled replies outside the fitting set):",
        f"  edges (reply → organisation): precision {_f(edges['precision'], edges['precision_ci'])}"
        f", recall {_f(edges['recall'], edges['recall_ci'])} ({edges['labelled']} labelled, "
        f"{edges['predicted']} predicted)",
        f"  mentions (sentence, organisation): precision "
        f"{_f(mentions['precision'], mentions['precision_ci'])}, recall "
        f"{_f(mentions['recall'], mentions['recall_ci'])} ({mentions['labelled']} labelled; "
        f"{mentions['parties_not_in_gazetteer']} name a party no list holds)",
        f"  agree / rebut / cite of the mentions found: accuracy "
        f"{_f(rep['relation_accuracy'], rep['relation_ci'])}",
    ]
    for rel, r in rep["by_relation"].items():
        lines.append(
            f"    {rel:6} precision {_f(r['precision'])} recall {_f(r['recall'])} "
            f"(support {r['support']})"
        )
    return lines
