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
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kb.errors import UsageError
from kb.records import now_iso
from kb.settings import tag_batch
from kb.store.links import replace_links_bulk
from kb.store.load import set_sync_state
from kb.watchlist import Watchlist
from nlp.campaigns import find_campaigns
from nlp.mentions import BillName, MentionFinder, family_slug
from nlp.model import StanceModel
from nlp.organizations import LEXICON as ORG_LEXICON
from nlp.stance import lexicon
from nlp.tag_answers import (
    docket_questions,
    questions_hash,
    refresh_replies,
    store_answers,
    store_questions,
)
from nlp.tag_engines import WorkerState, executor
from nlp.tag_positions import (
    PositionReport,
    comment_bodies,
    refresh_campaigns,
    store_documents,
    sync_organizations,
)
from nlp.tag_worker import Analysis, analyse_chunk, warm_up
from nlp.train import labels_hash

NLP_VERSION = "5"
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
    db: Database,
    watchlist: Watchlist | None,
    *,
    force: bool = False,
    workers: int | None = None,
    engine: str = "fork",
    scheduler: str | None = None,
) -> TagReport:
    """Tag what changed. ``engine`` (:mod:`nlp.tag_engines`) says where the per-document
    work runs: ``fork`` (default; ``workers`` processes, one per core up to 4), ``dask``
    (a local cluster of ``workers`` processes, or the cluster at ``scheduler``) or
    ``inline`` (this process); the stored results are the same whichever runs it."""
    names, dockets = finder_inputs(db, watchlist)
    finder = MentionFinder(names, dockets)
    orgs = hashlib.sha256(ORG_LEXICON.read_bytes()).hexdigest()[:8]
    questions, notices = docket_questions(db)
    store_questions(db, questions, notices)
    version = (
        f"{NLP_VERSION}:{finder.version}:{lexicon().version}:{orgs}:{labels_hash()}"
        f":{questions_hash(questions)}"
    )
    report = TagReport()
    where = (
        ""
        if force
        else "where tagged_sha is null or tagged_sha != text_sha or tagger_version is not ?"
    )
    # Documents known to be in another language than English first: a worker loads
    # that language's pipeline while the others start on the rest,
    # instead of alone at the end.
    ids = [
        r[0]
        for r in db.execute(
            f"select id from documents {where} order by coalesce(language, 'en') = 'en', id",
            [] if force else [version],
        )
    ]
    report.considered = len(ids)
    # A run killed after its last batch has its end-of-run steps done by the next one.
    finish = bool(ids) or _unfinished(db)
    workers = workers or min(os.cpu_count() or 1, 4)
    model, report.method = stance_model(db) if ids else (None, "nothing to tag")
    if ids:
        warm_up()
    state = WorkerState(names, dockets, model, questions)
    with executor(engine, state, workers, scheduler) as pool:
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
            report.replies = refresh_replies(db, questions)
            set_sync_state(db, TAG_STATE, source="nlp", last_status="ok", last_finished=now_iso())
    return report


def _unfinished(db: Database) -> bool:
    """True when the last ``kb tag`` stored its documents but died before its end steps."""
    row = db.execute("select last_status from sync_state where key = ?", [TAG_STATE]).fetchone()
    return row is not None and row[0] != "ok"


#: Batches submitted ahead of the one being stored: enough queued work that a worker
#: never waits while another finishes a slow chunk.
AHEAD = 2


def _tag_batches(
    db: Database, pool: Executor, ids: list[str], version: str, report: TagReport
) -> None:
    """Analyse ``ids`` in the pool, batch by batch; each batch is stored in one transaction."""
    pending: deque[Iterator[Analysis]] = deque()
    batch = tag_batch()
    for start in range(0, len(ids), batch):
        jobs = _jobs(db, ids[start : start + batch])
        chunks = [jobs[k : k + CHUNK] for k in range(0, len(jobs), CHUNK)]
        pending.append(a for done in pool.map(analyse_chunk, chunks) for a in done)
        if len(pending) > AHEAD:
            _store(db, list(pending.popleft()), version, report)
    while pending:
        _store(db, list(pending.popleft()), version, report)


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
