"""The "Accuracy" page: how positions are made and how right they are, from the
figures ``kb eval`` wrote to ``data/accuracy.json`` (measured on the frozen test split)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from kb.paths import ACCURACY_FILE
from kb.render.issues import issue_name
from kb.render.markup import block, esc, page_head, table


@lru_cache(maxsize=4)
def load_figures(path: Path = ACCURACY_FILE) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    figures: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return figures


def high_threshold() -> float | None:
    """The confidence from which a position is shown as "high" (None: not measured)."""
    figures = load_figures()
    return float(figures["test"]["high_threshold"]) if figures else None


def relation_accuracy() -> float | None:
    """The share of labelled reply sentences whose rebut / agree / cite is right (None:
    not measured)."""
    figures = load_figures() or {}
    value = (figures.get("questions") or {}).get("replies", {}).get("relation_accuracy")
    return float(value) if value is not None else None


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _ci(ci: list[float] | tuple[float, float]) -> str:
    return f"{ci[0]:.2f}–{ci[1]:.2f}"


def _class_rows(block_figures: dict[str, Any]) -> list[list[object]]:
    return [
        [
            issue_name(c["issue"]),
            c["stance"],
            f"{c['precision']:.2f}",
            f"{c['recall']:.2f}",
            f"{c['f1']:.2f}",
            c["support"],
        ]
        for c in block_figures["classes"]
    ]


def render_accuracy(figures: dict[str, Any] | None) -> str:
    head = page_head("Accuracy")
    if figures is None:
        return head + "\nNot measured yet: run `kb eval` (it writes `data/accuracy.json`).\n"
    test = figures["test"]
    model, lexicon = test["model"], test["lexicon"]
    labels = figures["labels"]
    high = test["high_confidence"]
    shown = test["shown_precision"]
    abst = test["abstention"]
    lofo = figures["major_lofo"]
    filers = figures["filers"]
    parts = [
        "<h2>How positions are made</h2>",
        "<p>Every position on this site is decided by a statistical stance model trained on "
        f"{labels['train']} labelled documents: annotators read each document against the "
        "project's codebook (issues, stances and the rules for hard cases) and marked its "
        "positions and the sentences that show them, without seeing any tagger output; "
        "how they worked is in <code>data/labels/README.md</code>. For each sentence it "
        "estimates, per issue, whether the sentence states the filer's own view and which "
        "way; sentences that report someone else's view, quote the Notice of Inquiry or a "
        "statute, or are headings, footnotes and citations were labelled as such, so the "
        "model learns that they are not the filer's position. The document's stance on "
        "each issue is then estimated from its sentences. A position is published only "
        "with a quote: the sentence the model finds states it most clearly, verbatim, "
        "with its offsets (and page) in the extracted text. Press coverage is the "
        "exception: the positions it reports are attributed to the organisations it "
        "quotes, by the lexicon rules.</p>",
        "<h2>What “confidence” means</h2>",
        f"<p>Confidence is the model's probability that the stance is right. The tagger "
        f"abstains below {test['threshold']:.2f} (the threshold that served best on "
        f"{labels['dev']} separate development documents and on the training comments, "
        f"each predicted by a model fit without it){_class_cutoffs(test)}; "
        f"{abst['held_back']} of "
        f"{abst['leaning']} leanings in the test documents were held back "
        f"({_pct(abst['held_back'] / abst['leaning']) if abst['leaning'] else '0 %'}). "
        f"Positions from {test['high_threshold']:.2f} up are marked <strong>high</strong> "
        f"(where, on those documents, the 95 % interval of precision lies above 95 %): "
        f"on the test documents {high['right']} of {high['shown']} of them were right "
        f"(95 % interval {_ci(high['ci'])}). Of all positions shown, {shown['right']} of "
        f"{shown['shown']} were right ({_ci(shown['ci'])}).</p>",
        *_results_section(model, lexicon),
        *_major_filings_section(lofo, filers),
        "<h2>How consistent the labels are</h2>",
        _agreement(figures["agreement"]),
        _questions(figures.get("questions")),
        "<h2>Reproduce</h2>",
        f"<p>Model {esc(figures['model']['version'])}; the labels are in "
        "<code>data/labels/</code>; <code>kb eval</code> re-trains and prints every figure "
        "on this page.</p>",
    ]
    return head + block("\n".join(parts)) + "\n"


def _results_section(model: dict[str, Any], lexicon: dict[str, Any]) -> list[str]:
    """The test-split figures of the stance model and the lexicon rules, overall and per class."""
    return [
        "<h2>How right they are</h2>",
        f"<p>Measured on {model['documents']} comments drawn at random from the docket and "
        "kept out of training and tuning (the frozen test split). Macro-F1 averages the "
        f"(issue, stance) classes with at least {model['min_support']} test examples; "
        "intervals are 95 % bootstrap intervals.</p>",
        table(
            ["Method", "Macro-F1", "95 % interval", "Micro-F1", "95 % interval"],
            [
                [
                    "Stance model (published)",
                    f"{model['macro_f1']:.2f}",
                    _ci(model["macro_f1_ci"]),
                    f"{model['micro']['f1']:.2f}",
                    _ci(model["micro_f1_ci"]),
                ],
                [
                    "Lexicon rules alone",
                    f"{lexicon['macro_f1']:.2f}",
                    _ci(lexicon["macro_f1_ci"]),
                    f"{lexicon['micro']['f1']:.2f}",
                    _ci(lexicon["micro_f1_ci"]),
                ],
            ],
        ),
        "<h3>Per issue and stance (stance model)</h3>",
        table(
            ["Issue", "Stance", "Precision", "Recall", "F1", "Test examples"], _class_rows(model)
        ),
    ]


def _major_filings_section(lofo: dict[str, Any], filers: dict[str, Any]) -> list[str]:
    """How the major filings fare when each is left out of training, and their filers."""
    return [
        "<h2>Major filings</h2>",
        f"<p>The {len(lofo['filings'])} major filings, each predicted by a model that never "
        f"saw its labels (leave one filing out): {lofo['cells_exact']} of {lofo['cells']} "
        f"(filing, issue) cells exact, training fair use right for "
        f"{lofo['fair_use_right']} of {len(lofo['filings'])}. Their filers, found from the "
        f"filing's own text alone (no metadata): {filers['right']} of "
        f"{len(filers['filings'])} right.</p>",
        table(
            ["Filing", "Filer", "Cells exact (of 8)", "Training fair use"],
            [
                [
                    f["id"],
                    f.get("filer") or "",
                    f["exact"],
                    "right" if f["fair_use_right"] else "wrong",
                ]
                for f in lofo["filings"]
            ],
        ),
    ]


def _agreement(agreement: dict[str, Any]) -> str:
    if not agreement.get("documents"):
        return "<p>No document was labelled twice yet.</p>"
    rows = [
        [issue_name(issue), f"{v['kappa']:.2f}", _pct(v["agreement"])]
        for issue, v in agreement["issues"].items()
    ]
    return (
        f"<p>{agreement['documents']} comments were labelled a second time, independently "
        f"({agreement.get('readings', agreement['documents'])} second readings). Cohen's "
        "kappa per issue against the first reading (1 is perfect agreement, 0 is chance). "
        "The labellers were separate sessions of one kind of annotator, all reading the "
        "same codebook and guide, so this measures how consistently the guide is applied "
        "more than how far independent experts would agree.</p>"
        + table(["Issue", "Kappa", "Raw agreement"], rows)
    )


def _comment_numbering(fig: dict[str, Any], pr: Callable[[dict[str, Any]], str]) -> str:
    """The numbering as individuals write it, on the random sample of comments."""
    sample = (fig.get("comment_numbering") or {}).get("all")
    if not sample or not sample["labelled"]:
        return ""
    return (
        f" In {sample['comments']} comments drawn at random among those that number lines, "
        f"labelled alike, the numbering is found with {pr(sample)}."
    )


def _questions(fig: dict[str, Any] | None) -> str:
    """How right the question pages and the reply graph are."""
    if not fig or "missing" in fig:
        return ""
    num, con, rep = fig["numbering"], fig["content"], fig["replies"]

    def pr(block: dict[str, Any]) -> str:
        return (
            f"precision {_pct(block['precision'])} ({_ci(block['precision_ci'])}), "
            f"recall {_pct(block['recall'])} ({_ci(block['recall_ci'])})"
        )

    return (
        "<h2>Answers to the Notice's questions, and who answers whom</h2>"
        f"<p>Measured on {fig['filings']} major filings labelled by hand for every answer "
        "they give (the rules were written, and the threshold chosen, on 8 of them; the "
        'figures are those of the others). A filing\'s own numbering ("Question 8.1", the '
        f"question restated) is found with {pr(num)} over the answers the filers numbered "
        f"(recall over every labelled start of those filings, numbered or not: "
        f"{_pct(num['recall_all'])}).{_comment_numbering(fig, pr)} A filing that numbers nothing is "
        f"aligned by the similarity of its passages' wording to the questions': {pr(con)} (main "
        "question numbers), so the question pages mark such answers as found by similar wording.</p>"
        f"<p>The reply graph: a reply naming another commenter is found with "
        f"{pr(rep['mentions'])}; whether it rebuts, agrees or only cites is right for "
        f"{_pct(rep['relation_accuracy'])} ({_ci(rep['relation_ci'])}) of them, so read the "
        "sentence before relying on the label.</p>"
    )


def _class_cutoffs(test: dict[str, Any]) -> str:
    """The classes with a threshold of their own, as a clause of the sentence above."""
    own = test.get("class_thresholds") or {}
    if not own:
        return ""
    parts = ", ".join(
        f"{issue_name(key.split('/')[0])} {key.split('/')[1]} {t:.2f}"
        for key, t in sorted(own.items())
    )
    return (
        ", or, for a stance with enough of those documents to choose it, the threshold "
        f"that served that stance best ({parts})"
    )
