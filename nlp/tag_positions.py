"""The positions stage of ``kb tag``: filers, sentence stances, document
positions, form-letter campaigns and what their members inherit."""

from __future__ import annotations

import bisect
import difflib
import json
import re
from dataclasses import dataclass

from sqlite_utils import Database

from nlp.campaigns import Campaign
from nlp.language import paragraph_languages
from nlp.model import Cutoff, DocumentPrediction
from nlp.organizations import Filer, gazetteer, resolve_filer
from nlp.positions import Position, aggregate, filer_holders, filing_evidence, press_evidence
from nlp.sentence_features import DocumentInput
from nlp.sentences import Sentence, split_sentences
from nlp.stance import lexicon

#: Kinds whose authors take positions (bill texts and notices do not; a notice asks).
TAGGED_KINDS = ("comment", "press", "report", "page")


@dataclass
class PositionReport:
    documents: int = 0
    positions: int = 0
    sentences: int = 0
    campaigns: int = 0
    inherited: int = 0


def attachment_titles(db: Database, doc_id: str) -> list[str]:
    return [
        r[0]
        for r in db.execute(
            "select title from attachments where document_id = ? and seq > 0 order by seq", [doc_id]
        )
    ]


def resolve(row: dict[str, object], atts: list[str]) -> Filer:
    def opt(key: str) -> str | None:
        value = row.get(key)
        return str(value) if value else None

    if row["kind"] in ("report", "page") and row.get("organization"):
        return resolve_filer(
            organization=opt("organization"),
            title=None,
            submitter=None,
            attachment_titles=[],
            text="",
        )
    return resolve_filer(
        organization=opt("organization"),
        title=opt("title"),
        submitter=opt("submitter"),
        attachment_titles=atts,
        text=str(row.get("text") or ""),
        filer_type=opt("filer_type"),
    )


REBUTTAL_WORDS = re.compile(
    r"\b(?:wrong|incorrect|mistaken|disagree|misguided|nonsense|untrue|without merit|not so)\b",
    re.I,
)


def candidate_sentences(
    text: str,
    lang: str,
    pages: list[list[int]] | None,
    mixed: list[tuple[int, int, str]],
    triggers: list[tuple[int, str]] | None = None,
) -> list[Sentence]:
    """The sentences the stance model reads: those of the blocks (paragraphs) with an
    issue's vocabulary or a rebuttal (the rest is never a position's evidence: in the
    labelled comments over 90 % of evidence sentences hold a trigger themselves)."""
    hits = [p for p, _ in (lexicon().triggered(text) if triggers is None else triggers)]

    def keep(start: int, block: str) -> bool:
        i = bisect.bisect_left(hits, start)
        return (i < len(hits) and hits[i] < start + len(block)) or bool(
            REBUTTAL_WORDS.search(block)
        )

    return split_sentences(text, lang, pages, keep, mixed)


def row_sentences(row: dict[str, object]) -> list[Sentence]:
    """``candidate_sentences`` of a database row (the model's training view)."""
    text = str(row.get("text") or "")
    lang = str(row.get("language") or "en")
    pages = json.loads(str(row["pages"])) if row.get("pages") else None
    return candidate_sentences(text, lang, pages, paragraph_languages(text, lang))


def document_filer(row: dict[str, object], atts: list[str]) -> Filer:
    filer = resolve(row, atts)
    if filer.individual and row.get("kind") != "comment":
        filer = Filer(
            (), (str(row.get("organization") or row.get("title") or row["id"]),), "other", False
        )
    return filer


def model_input(row: dict[str, object], mixed: list[tuple[int, int, str]]) -> DocumentInput:
    text = str(row.get("text") or "")
    lang = str(row.get("language") or "en")
    pages = json.loads(str(row["pages"])) if row.get("pages") else None
    triggers = lexicon().triggered(text)
    return DocumentInput(text, candidate_sentences(text, lang, pages, mixed, triggers), triggers)


def model_positions(prediction: DocumentPrediction, filer: Filer, cutoff: Cutoff) -> list[Position]:
    """The filer's positions the stance model decides, each with its best quotes."""
    doc = prediction.doc
    holders = filer_holders(filer)
    out = []
    for issue, (stance, confidence) in sorted(prediction.positions(cutoff).items()):
        quotes: list[dict[str, object]] = []
        for j in prediction.evidence(issue, stance):
            sent = doc.sentences[j]
            quotes.append(
                {
                    "text": doc.text[sent.start : sent.end],
                    "start": sent.start,
                    "end": sent.end,
                    "page": sent.page,
                }
            )
        for name, oid in holders:
            out.append(
                Position(name, oid, issue, stance, round(confidence, 3), quotes, "stance-model")
            )
    return out


def analyse_positions(
    row: dict[str, object],
    atts: list[str],
    other_languages: list[tuple[int, int, str]] | None = None,
    prediction: DocumentPrediction | None = None,
    cutoff: Cutoff = lambda issue, stance: 0.5,
) -> tuple[list[Position], int, Filer | None]:
    """Positions of one document (pure: row and attachment titles in, positions out).
    With the stance model's ``prediction`` of a filing, the model decides; press (whose
    holders are the parties it reports) and a database without the model use the
    lexicon rules."""
    text = str(row["text"] or "")
    pages = json.loads(str(row["pages"])) if row.get("pages") else None
    lang = str(row.get("language") or "en")
    mixed = paragraph_languages(text, lang) if other_languages is None else other_languages
    if row["kind"] == "press":
        publisher = str(row["organization"]) if row.get("organization") else None
        sentences = split_sentences(text, lang, pages, other_languages=mixed)
        return (
            aggregate(press_evidence(text, sentences, publisher), text),
            len(sentences),
            None,
        )
    filer = document_filer(row, atts)
    if prediction is not None:
        return (
            model_positions(prediction, filer, cutoff),
            len(prediction.doc.sentences),
            filer,
        )
    triggers = lexicon().triggered(text)
    sentences = candidate_sentences(text, lang, pages, mixed, triggers)
    return aggregate(filing_evidence(text, sentences, filer, triggers), text), len(sentences), filer


def tag_document(
    db: Database, row: dict[str, object], version: str
) -> tuple[list[Position], int, Filer | None]:
    return analyse_positions(row, attachment_titles(db, str(row["id"])))


def position_rows(
    doc_id: str, positions: list[Position], version: str, method: str | None = None
) -> list[dict[str, object]]:
    return [
        {
            "document_id": doc_id,
            "holder": p.holder,
            "holder_id": p.holder_id,
            "issue": p.issue,
            "stance": p.stance,
            "confidence": p.confidence,
            "quotes": json.dumps(p.quotes, ensure_ascii=False),
            "method": method or p.method,
            "review_state": "machine",
            "tagger_version": version,
        }
        for p in positions
    ]


def store_documents(
    db: Database, results: list[tuple[str, list[Position], Filer | None]], version: str
) -> None:
    """Replace the machine positions of these documents and record their filers (one batch)."""
    ids = [doc_id for doc_id, _, _ in results]
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        db.execute(
            f"delete from positions where review_state = 'machine' and document_id in "
            f"({','.join('?' * len(part))})",
            part,
        )
    rows = [
        row for doc_id, positions, _ in results for row in position_rows(doc_id, positions, version)
    ]
    if rows:
        db.table("positions").insert_all(rows, batch_size=1000)
    db.conn.executemany(
        "update documents set org_ids = ?, org_name = ?, org_category = ?, holders = ? where id = ?",
        [
            (
                json.dumps(list(filer.org_ids)) if filer.org_ids else None,
                None if filer.individual else "; ".join(filer.names),
                filer.category,
                json.dumps(list(filer.names)),
                doc_id,
            )
            for doc_id, _, filer in results
            if filer is not None
        ],
    )


def sync_organizations(db: Database) -> None:
    """The organisations table: the gazetteer plus every organisation a filing named."""
    gaz = gazetteer()
    rows = {
        o.id: {
            "id": o.id,
            "name": o.name,
            "aliases": json.dumps(list(o.aliases)),
            "category": o.category,
        }
        for o in gaz.orgs.values()
    }
    for org_ids, names, category in db.execute(
        "select org_ids, org_name, org_category from documents where org_ids is not null"
    ):
        for oid, name in zip(json.loads(org_ids), (names or "").split("; "), strict=False):
            rows.setdefault(oid, {"id": oid, "name": name, "aliases": "[]", "category": category})
    with db.conn:
        db.execute("delete from organizations")
        db.table("organizations").insert_all(rows.values())


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """Where the template's quote stands in a member's own text (exact, else the closest line)."""
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    best, best_ratio = None, 0.0
    pos = 0
    for line in text.split("\n"):
        ratio = difflib.SequenceMatcher(None, quote, line).quick_ratio()
        if ratio > best_ratio and len(line) > 20:
            best, best_ratio = (pos, pos + len(line)), ratio
        pos += len(line) + 1
    if (
        best
        and best_ratio >= 0.85
        and difflib.SequenceMatcher(None, quote, text[best[0] : best[1]]).ratio() >= 0.8
    ):
        return best
    return None


def comment_bodies(db: Database) -> dict[str, str]:
    """What campaign clustering compares: the body of every comment."""
    return {
        r[0]: r[1]
        for r in db.execute(
            "select id, body from documents where kind = 'comment' and body is not null"
        )
    }


def refresh_campaigns(
    db: Database, campaigns: list[Campaign], version: str, report: PositionReport
) -> None:
    """Store the campaigns found; members inherit template positions they lack."""
    with db.conn:
        db.execute("update documents set campaign_id = null where campaign_id is not null")
        db.execute("delete from campaigns")
        db.execute("delete from positions where method = 'campaign-template'")
        for campaign in campaigns:
            posted = [
                r[0]
                for r in db.execute(
                    f"select posted_at from documents where posted_at is not null and id in ({','.join('?' * len(campaign.members))})",
                    list(campaign.members),
                )
            ]
            db.table("campaigns").insert(
                {
                    "id": campaign.id,
                    "size": len(campaign.members),
                    "template_document_id": campaign.template,
                    "document_ids": json.dumps(list(campaign.members)),
                    "first_posted": min(posted) if posted else None,
                    "last_posted": max(posted) if posted else None,
                }
            )
            db.conn.executemany(
                "update documents set campaign_id = ? where id = ?",
                [(campaign.id, m) for m in campaign.members],
            )
            template_positions = list(
                db.query(
                    "select * from positions where document_id = ? and method != 'campaign-template'",
                    [campaign.template],
                )
            )
            for member in campaign.members:
                if member == campaign.template:
                    continue
                have = {
                    r[0]
                    for r in db.execute(
                        "select issue from positions where document_id = ?", [member]
                    )
                }
                row = db.execute(
                    "select text, holders from documents where id = ?", [member]
                ).fetchone()
                text, holders = row[0] or "", json.loads(row[1] or "[]")
                for tp in template_positions:
                    if tp["issue"] in have:
                        continue
                    quotes = []
                    for q in json.loads(tp["quotes"]):
                        where = locate(q["text"], text)
                        if where:
                            quotes.append(
                                {
                                    "text": text[where[0] : where[1]],
                                    "start": where[0],
                                    "end": where[1],
                                    "page": None,
                                }
                            )
                    if not quotes:
                        continue
                    db.table("positions").insert(
                        {
                            "document_id": member,
                            "holder": holders[0] if holders else "Unidentified commenter",
                            "holder_id": None,
                            "issue": tp["issue"],
                            "stance": tp["stance"],
                            "confidence": tp["confidence"],
                            "quotes": json.dumps(quotes, ensure_ascii=False),
                            "method": "campaign-template",
                            "review_state": "machine",
                            "tagger_version": version,
                        }
                    )
                    report.inherited += 1
    report.campaigns = len(campaigns)
