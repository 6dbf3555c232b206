"""``kb tag``: the NLP stage over every document whose text or tagger changed.

Language per document; mentions (bills, families, dockets, Copyright Office
reports, the digital-replica right) stored as links; filers resolved to
organisations; positions on the codebook issues with verbatim quotes; and,
over all comments, form-letter campaigns whose members inherit the template's
positions. The per-document analysis is pure and runs in a process pool (one
worker per core); this process reads the batches and writes the results.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kb.children import die_with_parent
from kb.errors import UsageError
from kb.records import now_iso
from kb.settings import tag_batch
from kb.store.links import replace_links_bulk
from kb.store.load import set_sync_state
from kb.watchlist import Watchlist
from nlp.answers import Answer
from nlp.campaigns import find_campaigns
from nlp.language import detect_language, paragraph_languages
from nlp.mentions import BillName, MentionFinder, family_slug
from nlp.model import DocumentPrediction, StanceModel
from nlp.organizations import LEXICON as ORG_LEXICON
from nlp.organizations import Filer, gazetteer
from nlp.positions import Position
from nlp.questions import Question
from nlp.sentences import pipeline
from nlp.stance import lexicon
from nlp.tag_answers import (
    answers_of,
    docket_questions,
    questions_hash,
    refresh_replies,
    store_answers,
    store_questions,
)
from nlp.tag_positions import (
    TAGGED_KINDS,
    PositionReport,
    analyse_positions,
    comment_bodies,
    model_input,
    refresh_campaigns,
    store_documents,
    sync_organizations,
)
from nlp.train import labels_hash

NLP_VERSION = "5"
#: The language a source's documents are in unless the text clearly says otherwise.
EXPECTED_LANGUAGE = {
    "regulations.gov": "en",
    "govinfo": "en",
    "congress.gov": "en",
    "federalregister.gov": "en",
}
_FINDER: MentionFinder | None = None
#: The stance model, loaded (or trained) before the workers fork; None: lexicon rules.
_MODEL: StanceModel | None = None
#: Each docket's Notice questions, read before the workers fork.
_QUESTIONS: dict[str, list[Question]] = {}
#: Documents per task a worker runs the stance model over at once.
CHUNK = 25
#: The ``sync_state`` row of the last ``kb tag``: ``running`` until its end-of-run steps
#: (campaigns, organisations, replies) are done, then ``ok``.
TAG_STATE = "kb tag"


@dataclass
class TagReport:
    considered: int = 0
    tagged: int = 0
    links: int = 0
    words: int = 0
    positions: PositionReport = field(default_factory=PositionReport)
    #: sentences of filings that name another commenter (the reply graph)
    replies: int = 0
    #: what decided the positions: the stance model's version, or why the lexicon did
    method: str = ""

    def summary(self) -> str:
        p = self.positions
        return (
            f"{self.tagged} of {self.considered} documents tagged ({self.words:,} words, "
            f"{p.sentences:,} sentences), {p.positions} positions, {self.links} mentions, "
            f"{p.campaigns} campaigns ({p.inherited} positions inherited), "
            f"{self.replies} references to other commenters; {self.method}"
        )


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


def finder_inputs(db: Database, watchlist: Watchlist | None) -> tuple[list[BillName], set[str]]:
    names: list[BillName] = []
    for row in db.query("select id, family, short_title, titles from bills"):
        titles = [
            t.get("title")
            for t in json.loads(row["titles"] or "[]")
            if (t.get("type") or "").startswith("Short Title") and t.get("title")
        ]
        short = [row["short_title"]] if row["short_title"] else []
        names.append(BillName((row["id"],), row["family"], tuple(short + titles)))
    for bill in watchlist.bills if watchlist else ():
        family = family_slug(bill.name) if bill.name else None
        names.append(BillName((bill.id,), family, (bill.name,) if bill.name else ()))
    dockets = {r[0] for r in db.execute("select id from dockets")}
    dockets |= {
        r[0]
        for r in db.execute("select distinct docket_id from documents where docket_id is not null")
    }
    if watchlist:
        dockets |= {d.id for d in watchlist.dockets}
    return names, dockets


def build_finder(db: Database, watchlist: Watchlist | None) -> MentionFinder:
    return MentionFinder(*finder_inputs(db, watchlist))


def _init_worker(names: list[BillName], dockets: set[str], arm: Callable[[], None]) -> None:
    """A pool worker: dies with the ``kb tag`` that forked it (``arm``), then loads its finder."""
    arm()
    global _FINDER
    _FINDER = MentionFinder(names, dockets)


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
                answers_of(text, _QUESTIONS[row["docket_id"]])
                if tagged and row.get("docket_id") in _QUESTIONS
                else [],
            )
        )
    return out


def stance_model(db: Database) -> tuple[StanceModel | None, str]:
    """The stance model fit from ``data/labels/`` (cached beside the database), or
    None with the reason when the labelled documents are not in the database."""
    from nlp.tag_positions import row_sentences
    from nlp.train import load_or_train

    files = [r[2] for r in db.execute("pragma database_list") if r[1] == "main" and r[2]]
    cache = Path(files[0]).parent / ".kb-cache" if files else None
    try:
        model = load_or_train(db, row_sentences, cache)
    except UsageError as err:
        return None, f"positions from the lexicon rules: no stance model ({err})"
    return model, f"positions from stance model {model.labels_hash}"


def tag_documents(
    db: Database, watchlist: Watchlist | None, *, force: bool = False, workers: int | None = None
) -> TagReport:
    names, dockets = finder_inputs(db, watchlist)
    finder = MentionFinder(names, dockets)
    orgs = hashlib.sha256(ORG_LEXICON.read_bytes()).hexdigest()[:8]
    global _QUESTIONS
    _QUESTIONS, notices = docket_questions(db)
    store_questions(db, _QUESTIONS, notices)
    version = (
        f"{NLP_VERSION}:{finder.version}:{lexicon().version}:{orgs}:{labels_hash()}"
        f":{questions_hash(_QUESTIONS)}"
    )
    report = TagReport()
    where = (
        ""
        if force
        else "where tagged_sha is null or tagged_sha != text_sha or tagger_version is not ?"
    )
    ids = [
        r[0]
        for r in db.execute(
            f"select id from documents {where} order by id", [] if force else [version]
        )
    ]
    report.considered = len(ids)
    # A run killed after its last batch has its end-of-run steps done by the next one.
    finish = bool(ids) or _unfinished(db)
    workers = workers or min(os.cpu_count() or 1, 4)
    global _MODEL
    _MODEL, report.method = stance_model(db) if ids else (None, "nothing to tag")
    if ids:
        warm_up()
    # Forked workers inherit the pipelines and models loaded above instead of loading their
    # own, and are killed by the kernel when this process dies, however it dies.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(names, dockets, die_with_parent()),
    ) as pool:
        # Form letters are clustered in the pool while the documents are analysed.
        campaigns = pool.submit(find_campaigns, comment_bodies(db)) if finish else None
        if ids:
            set_sync_state(
                db, TAG_STATE, source="nlp", last_status="running", last_started=now_iso()
            )
        _tag_batches(db, pool, ids, version, report)
        if campaigns is not None:
            refresh_campaigns(db, campaigns.result(), version, report.positions)
            sync_organizations(db)
            report.replies = refresh_replies(db, _QUESTIONS)
            set_sync_state(db, TAG_STATE, source="nlp", last_status="ok", last_finished=now_iso())
    return report


def _unfinished(db: Database) -> bool:
    """True when the last ``kb tag`` stored its documents but died before its end steps."""
    row = db.execute("select last_status from sync_state where key = ?", [TAG_STATE]).fetchone()
    return row is not None and row[0] != "ok"


def _tag_batches(
    db: Database, pool: ProcessPoolExecutor, ids: list[str], version: str, report: TagReport
) -> None:
    """Analyse ``ids`` in the pool, batch by batch; each batch is stored in one transaction."""
    pending: Iterator[Analysis] | None = None
    batch = tag_batch()
    for start in range(0, len(ids), batch):
        jobs = _jobs(db, ids[start : start + batch])
        # The next batch is already submitted while this process stores the last one.
        chunks = [jobs[k : k + CHUNK] for k in range(0, len(jobs), CHUNK)]
        submitted = (a for done in pool.map(analyse_chunk, chunks) for a in done)
        if pending is not None:
            _store(db, list(pending), version, report)
        pending = submitted
    if pending is not None:
        _store(db, list(pending), version, report)


def warm_up() -> None:
    """Load what every worker needs (spaCy pipelines, language models, lexicons) once.

    The French pipeline is not among them: building its tokenizer takes five seconds,
    which most runs (a few new English filings) never need; a worker that meets French
    text loads it then, once.
    """
    pipeline("en")
    lexicon()
    gazetteer()
    detect_language("Le droit d'auteur et l'intelligence artificielle. " * 8, "en")
    detect_language("Copyright and artificial intelligence.", "en")


def _jobs(db: Database, chunk: list[str]) -> list[tuple[dict[str, Any], list[str]]]:
    """One batch of documents, with their attachments' titles, for ``analyse``."""
    marks = ",".join("?" * len(chunk))
    rows = [
        dict(r)
        for r in db.query(
            "select id, source, kind, docket_id, title, organization, submitter, filer_type, "
            f"text, pages, text_sha, language from documents where id in ({marks})",
            chunk,
        )
    ]
    titles: dict[str, list[str]] = {}
    for doc_id, title in db.execute(
        f"select document_id, title from attachments where seq > 0 and document_id in ({marks}) "
        "order by document_id, seq",
        chunk,
    ):
        titles.setdefault(doc_id, []).append(title)
    return [(r, titles.get(r["id"], [])) for r in rows]


def _store(db: Database, results: list[Analysis], version: str, report: TagReport) -> None:
    """One batch's positions, mentions, answers and tagged marks: all committed, or none."""
    with db.atomic():
        tagged = [a for a in results if a.tagged_kind]
        store_documents(db, [(a.id, a.positions, a.filer) for a in tagged], version)
        for a in results:
            report.words += a.words
        for a in tagged:
            report.positions.positions += len(a.positions)
            report.positions.sentences += a.sentences
        db.conn.executemany(
            "update documents set language = ?, languages = ?, tagged_sha = ?, tagger_version = ? "
            "where id = ?",
            [
                (
                    a.language,
                    json.dumps([list(span) for span in a.other_languages])
                    if a.other_languages
                    else None,
                    a.text_sha,
                    version,
                    a.id,
                )
                for a in results
            ],
        )
        store_answers(db, ((a.id, a.docket_id, a.answers) for a in results))
        report.links += replace_links_bulk(db, "mentions", {a.id: a.links for a in results})
    report.tagged += len(results)
