"""The per-document work of ``kb tag``, as it runs in a worker (:mod:`nlp.tag_engines`).

A worker holds the state :func:`install` gives it (the mention finder, the stance
model, the Notice questions); :func:`analyse_chunk` is pure given that state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nlp.answers import Answer
from nlp.forkmap import one_thread_each
from nlp.language import detect_language, paragraph_languages
from nlp.mentions import BillName, MentionFinder
from nlp.model import DocumentPrediction, StanceModel
from nlp.organizations import Filer, gazetteer
from nlp.positions import Position
from nlp.questions import Question
from nlp.sentences import pipeline
from nlp.stance import lexicon
from nlp.tag_answers import answers_of_many
from nlp.tag_positions import TAGGED_KINDS, analyse_positions, model_input

#: The language a source's documents are in unless the text clearly says otherwise.
EXPECTED_LANGUAGE = {
    "regulations.gov": "en",
    "govinfo": "en",
    "congress.gov": "en",
    "federalregister.gov": "en",
}
_FINDER: MentionFinder | None = None
#: The stance model; None: lexicon rules.
_MODEL: StanceModel | None = None
#: Each docket's Notice questions.
_QUESTIONS: dict[str, list[Question]] = {}


@dataclass(frozen=True)
class WorkerState:
    """What every worker holds before its first task."""

    names: list[BillName]
    dockets: set[str]
    model: StanceModel | None
    questions: dict[str, list[Question]]


@dataclass
class Analysis:
    id: str
    text_sha: str
    language: str | None
    #: (start, end, language) of paragraphs in another language than the document's
    other_languages: list[tuple[int, int, str]]
    words: int
    links: list[tuple[str, str, str, int, int]]
    positions: list[Position]
    sentences: int
    filer: Filer | None
    tagged_kind: bool
    docket_id: str | None = None
    answers: list[Answer] = field(default_factory=list)


def install(state: WorkerState) -> None:
    """Give this process (a worker, or ``kb tag`` itself before it forks) what
    :func:`analyse_chunk` reads: the mention finder, the stance model, the questions."""
    global _FINDER, _MODEL, _QUESTIONS
    _FINDER = MentionFinder(state.names, state.dockets)
    _MODEL = state.model
    _QUESTIONS = state.questions


def arm_worker(arm: Callable[[], None]) -> None:
    """A forked pool worker: dies with the ``kb tag`` that forked it, and runs BLAS on
    one thread (``nlp.forkmap.one_thread_each``)."""
    one_thread_each(arm)


def analyse_chunk(jobs: list[tuple[dict[str, Any], list[str]]]) -> list[Analysis]:
    """Everything ``kb tag`` learns about these documents (pure; runs in a worker), the
    stance model run once over all of them."""
    assert _FINDER is not None
    prepared = []
    for row, atts in jobs:
        text = row["text"] or ""
        language = row["language"] or detect_language(text, EXPECTED_LANGUAGE.get(row["source"]))
        row = {**row, "language": language}
        prepared.append((row, atts, paragraph_languages(text, language)))
    modelled = [
        i
        for i, (row, _, _) in enumerate(prepared)
        if _MODEL is not None and row["kind"] in TAGGED_KINDS and row["kind"] != "press"
    ]
    predictions: dict[int, DocumentPrediction] = {}
    if _MODEL is not None and modelled:
        docs = [model_input(prepared[i][0], prepared[i][2]) for i in modelled]
        predictions = dict(zip(modelled, _MODEL.predict(docs), strict=True))
    answers = _answers(prepared)
    out = []
    for i, (row, atts, mixed) in enumerate(prepared):
        text = row["text"] or ""
        links = [
            (m.target_type, m.target_id, m.matched, m.start, m.end) for m in _FINDER.find(text)
        ]
        positions: list[Position] = []
        n_sentences, filer = 0, None
        tagged = row["kind"] in TAGGED_KINDS
        if tagged:
            positions, n_sentences, filer = analyse_positions(
                row,
                atts,
                mixed,
                predictions.get(i),
                _MODEL.cutoff if _MODEL is not None else (lambda issue, stance: 0.5),
            )
        out.append(
            Analysis(
                row["id"],
                row["text_sha"],
                row["language"],
                mixed,
                len(text.split()),
                links,
                positions,
                n_sentences,
                filer,
                tagged,
                row.get("docket_id"),
                answers.get(i, []),
            )
        )
    return out


def _answers(prepared: list[tuple[dict[str, Any], list[str], Any]]) -> dict[int, list[Answer]]:
    """The answers to their docket's questions of the documents that are tagged and
    belong to a docket with questions, each docket's aligned at once, by position."""
    by_docket: dict[str, list[int]] = {}
    for i, (row, _, _) in enumerate(prepared):
        if row["kind"] in TAGGED_KINDS and row.get("docket_id") in _QUESTIONS:
            by_docket.setdefault(row["docket_id"], []).append(i)
    out: dict[int, list[Answer]] = {}
    for docket, picks in by_docket.items():
        texts = [prepared[i][0]["text"] or "" for i in picks]
        out |= dict(zip(picks, answers_of_many(texts, _QUESTIONS[docket]), strict=True))
    return out


def warm_up() -> None:
    """Load what every worker needs (spaCy pipelines, language models, lexicons) once.

    Other languages' pipelines are not among them: most runs (a few new English
    filings) never need one, and a worker that meets such text loads its language's
    then, once (a tenth of a second; ``nlp.french_tokenizer`` for French).
    """
    pipeline("en")
    lexicon()
    gazetteer()
    detect_language("Le droit d'auteur et l'intelligence artificielle. " * 8, "en")
    detect_language("Copyright and artificial intelligence.", "en")
