"""The site's question pages and reply graph: what ``kb build`` adds from the tables
``questions``, ``answers`` and ``replies`` (question pages, the answers and replies
sections of filing and organisation pages, the graph on the docket page)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kb.render.accuracy import relation_accuracy
from kb.render.filings import filing_label
from kb.render.markup import page_head
from kb.render.questions import (
    filing_sections,
    organization_section,
    passage_href,
    render_question,
    render_question_index,
    relation_caution,
    reply_graph_svg,
)
from kb.rounds import round_label
from kb.store import answers as store
from kb.store import site_query
from nlp.questions import issues_of

Row = dict[str, Any]
FULL_TEXT = "<h2>Full text</h2>"


def render_questions(
    db: Database, root: Path, docs: dict[str, Row], positions: dict[str, list[Row]]
) -> int:
    """Write the question pages under ``root`` and add the answers and replies sections
    to the pages already written there; the number of pages written."""
    questions = store.questions(db)
    answers = [a for a in store.answers(db) if a["document_id"] in docs]
    replies = [r for r in store.replies(db) if r["document_id"] in docs]
    by_question: dict[str, list[Row]] = defaultdict(list)
    for a in answers:
        by_question[a["question"]].append(a)
    written = 0
    if questions:
        counts = {n: len({a["document_id"] for a in rows}) for n, rows in by_question.items()}
        _write(root / "questions" / "index.md", render_question_index(questions, counts))
        written += 1
        for q in questions:
            rows = _answer_rows(
                by_question.get(q["number"], []), docs, positions, q["number"], q["text"]
            )
            parent = next((p for p in questions if p["number"] == q["parent"]), None)
            subs = [s for s in questions if s["parent"] == q["number"]]
            page = render_question(q, parent, subs, rows, issues_of(q["number"]))
            _write(root / "questions" / f"{q['number']}.md", page)
            written += 1
    else:  # the navigation links the section: it says why it is empty
        _write(
            root / "questions" / "index.md",
            page_head("Questions")
            + "<p>No Notice of Inquiry's questions are in the knowledge base yet: they are "
            "read from the Notice's text when its PDF is imported.</p>\n",
        )
        written += 1
    caution = relation_caution(relation_accuracy())
    # Each organisation by its own name (a joint filing's recorded name is its first filer's).
    names = {o["id"]: o["name"] for o in site_query.organizations(db)}
    _add_filing_sections(root, docs, answers, replies, caution)
    _add_organization_sections(root, docs, replies, caution, names)
    _add_graph(root, replies, docs, caution, names)
    return written


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def after_question(excerpt: str, question: str) -> str:
    """The answer's own first words: its number and the restated question left out."""
    words = excerpt.split()
    if words and words[0].rstrip(".:)").replace(".", "").isdigit():
        words = words[1:]
    asked = question.split()
    k = 0
    while k < len(words) and k < len(asked) and words[k] == asked[k]:
        k += 1
    return " ".join(words[k:] if k >= 6 else words)


def _answer_rows(
    answers: list[Row],
    docs: dict[str, Row],
    positions: dict[str, list[Row]],
    number: str,
    question_text: str,
) -> list[Row]:
    """One row per filing that answers: numbered answers and organisations first."""
    seen: dict[str, Row] = {}
    for a in sorted(answers, key=lambda a: (a["how"] != "numbered", -a["score"])):
        doc = docs[a["document_id"]]
        if doc["id"] in seen:
            continue
        own = {
            p["issue"]: p["stance"]
            for p in positions.get(doc["id"], [])
            if not p.get("holder_id") or p["holder_id"] in doc["org_ids"]
        }
        seen[doc["id"]] = {
            "filer": filing_label(doc),
            "category": doc["category"],
            "round": round_label(doc["round"]) if doc.get("round") else "—",
            "href": passage_href("../../", doc["id"], a["excerpt"] or ""),
            "excerpt": after_question(a["excerpt"] or "", question_text),
            "stances": {i: own.get(i) for i in issues_of(number)},
            "how": a["how"],
            "organisation": doc["category"] != "individual",
        }
    return sorted(seen.values(), key=lambda r: (not r["organisation"], r["how"] != "numbered"))


def _insert(path: Path, html: str, before: str | None) -> None:
    if not html or not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    if before and before in text:
        text = text.replace(before, html + "\n" + before, 1)
    else:
        text = text.rstrip("\n") + "\n\n" + html + "\n"
    path.write_text(text, encoding="utf-8")


def _add_filing_sections(
    root: Path, docs: dict[str, Row], answers: list[Row], replies: list[Row], caution: str
) -> None:
    by_doc: dict[str, list[Row]] = defaultdict(list)
    for a in answers:
        by_doc[a["document_id"]].append(a)
    out: dict[str, list[Row]] = defaultdict(list)
    into: dict[str, list[Row]] = defaultdict(list)
    filed: dict[str, list[str]] = defaultdict(list)
    for doc in docs.values():
        for org in doc["org_ids"]:
            filed[org].append(doc["id"])
    for r in replies:
        out[r["document_id"]].append(r)
        for doc_id in filed.get(r["target"], []):
            if doc_id != r["document_id"]:
                into[doc_id].append({**r, "filer": filing_label(docs[r["document_id"]])})
    for doc_id in set(by_doc) | set(out) | set(into):
        html = filing_sections(
            by_doc.get(doc_id, []), out.get(doc_id, []), into.get(doc_id, []), caution
        )
        _insert(root / "filings" / f"{doc_id}.md", html, FULL_TEXT)


def _add_organization_sections(
    root: Path, docs: dict[str, Row], replies: list[Row], caution: str, names: dict[str, str]
) -> None:
    rebuts: dict[str, list[Row]] = defaultdict(list)
    rebutted: dict[str, list[Row]] = defaultdict(list)
    for r in replies:
        source = docs[r["document_id"]]
        for org in source["org_ids"]:
            rebuts[org].append(r)
            rebutted[r["target"]].append(
                {**r, "source": org, "source_name": names.get(org) or org}
            )
    for org in set(rebuts) | set(rebutted):
        html = organization_section(rebuts.get(org, []), rebutted.get(org, []), caution)
        _insert(root / "organizations" / f"{org}.md", html, None)


def _add_graph(
    root: Path, replies: list[Row], docs: dict[str, Row], caution: str, names: dict[str, str]
) -> None:
    by_docket: dict[str, dict[tuple[str, str, str, str, str], int]] = defaultdict(dict)
    for r in replies:
        source = docs[r["document_id"]]
        for org in source["org_ids"]:
            key = (org, names.get(org) or org, r["target"], r["target_name"] or r["target"],
                   r["relation"])  # fmt: skip
            edges = by_docket[r["docket_id"]]
            edges[key] = edges.get(key, 0) + 1
    for docket, edges in by_docket.items():
        svg = reply_graph_svg([(*k, n) for k, n in sorted(edges.items())], "../../")
        html = (
            '<div class="kb-block"><h2>Who answers whom</h2><p>Organisations whose filings name '
            "another commenter (left) and the commenters they name (right); red: rebuts, green: "
            "agrees with, grey: cites. From the sentences that name them (see each filing's "
            f"Replies section).</p>{caution}{svg}</div>"
        )
        _insert(root / "dockets" / f"{docket}.md", html, None)
