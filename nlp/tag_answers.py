"""``kb tag``'s questions-and-answers step: the Notices' questions into ``questions``, and
each filing's answers (``nlp.answers``) into ``answers``.

A docket's questions come from its notice (a document of kind ``notice`` whose text holds
a numbered question section). Every document of the docket is aligned by its own
numbering; one of at least ``CONTENT_MIN_WORDS`` words is also aligned by content when
it numbers nothing (a one-line comment answers no question in particular).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from nlp.answers import Answer, align_many
from nlp.forkmap import fork_map
from nlp.questions import Question, parse_questions

CONTENT_MIN_WORDS = 400


def docket_questions(db: Database) -> tuple[dict[str, list[Question]], dict[str, str]]:
    """Each docket's questions, parsed from its notices (the first that has any), and the
    id of that notice."""
    questions: dict[str, list[Question]] = {}
    notices: dict[str, str] = {}
    rows = db.execute(
        "select id, docket_id, text from documents where kind = 'notice' "
        "and docket_id is not null order by id"
    ).fetchall()
    for doc_id, docket, text in rows:
        if docket not in questions:
            parsed = parse_questions(text or "")
            if parsed:
                questions[docket], notices[docket] = parsed, doc_id
    return questions, notices


def questions_hash(questions: dict[str, list[Question]]) -> str:
    """Part of the tagger's version: answers are redone when the questions change."""
    data = json.dumps({d: [(q.number, q.text) for q in qs] for d, qs in sorted(questions.items())})
    return hashlib.sha256(data.encode()).hexdigest()[:8]


def store_questions(
    db: Database, questions: dict[str, list[Question]], notices: dict[str, str]
) -> None:
    """Replace each docket's questions."""
    with db.atomic():
        for docket, qs in questions.items():
            db.execute("delete from questions where docket_id = ?", [docket])
            db.table("questions").insert_all(
                (
                    {
                        "docket_id": docket,
                        "number": q.number,
                        "parent": q.parent,
                        "grp": q.group,
                        "text": q.text,
                        "document_id": notices[docket],
                        "start": q.start,
                        "end": q.end,
                        "ord": k,
                    }
                    for k, q in enumerate(qs)
                ),
            )


def answers_of(text: str, questions: list[Question]) -> list[Answer]:
    """A document's answers to its docket's questions."""
    return answers_of_many([text], questions)[0]


def answers_of_many(texts: Sequence[str], questions: list[Question]) -> list[list[Answer]]:
    """``answers_of`` of each text (one docket's), aligned by content all at once."""
    return align_many([(t, len(t.split()) >= CONTENT_MIN_WORDS) for t in texts], questions)


def store_answers(db: Database, results: Iterable[tuple[str, str | None, list[Answer]]]) -> None:
    """Replace the answers of these documents (inside the caller's transaction)."""
    results = list(results)
    marks = ",".join("?" * len(results))
    db.execute(f"delete from answers where document_id in ({marks})", [r[0] for r in results])
    db.table("answers").insert_all(
        {
            "document_id": doc_id,
            "docket_id": docket,
            "question": a.question,
            "start": a.start,
            "end": a.end,
            "how": a.how,
            "score": a.score,
        }
        for doc_id, docket, answers in results
        for a in answers
    )


def refresh_replies(db: Database, dockets: Iterable[str]) -> int:
    """Replace the reply graph of these dockets: every filing of at least
    ``CONTENT_MIN_WORDS`` words that names another commenter as a reply does."""
    from nlp.replies import may_refer, references, rule_relation
    from nlp.reply_inputs import filer_names, own_parties, relation_model
    from nlp.sentences import split_sentences

    names = filer_names(db)
    relate = relation_model(db, names) or rule_relation
    filings = [
        (docket, *row)
        for docket in dockets
        for row in db.execute(
            "select id, text, pages, language, org_ids, organization from documents "
            "where docket_id = ? and kind = 'comment' and length(text) >= ?",
            [docket, CONTENT_MIN_WORDS * 5],
        ).fetchall()
    ]

    def replies_of(filing: tuple[Any, ...]) -> list[dict[str, Any]]:
        docket, doc_id, text, pages, lang, ids, organization = filing
        if len(text.split()) < CONTENT_MIN_WORDS or not may_refer(text, names):
            return []
        sentences = split_sentences(text, lang or "en", json.loads(pages) if pages else None)
        own = own_parties(ids, organization)
        return [
            {
                "document_id": doc_id,
                "docket_id": docket,
                "target": ref.party,
                "start": ref.start,
                "end": ref.end,
                "relation": ref.relation,
            }
            for ref in references(text, sentences, own, names, relate)
        ]

    # Each filing is read on its own, on every core.
    rows = [row for found in fork_map(replies_of, filings) for row in found]
    with db.atomic():
        for docket in dockets:
            db.execute("delete from replies where docket_id = ?", [docket])
        db.table("replies").insert_all(rows)
    return len(rows)
