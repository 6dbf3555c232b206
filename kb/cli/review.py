"""``kb review``: read and record human reviews of machine-made positions.

Reviews are TOML files in ``data/reviews/`` (``$KB_REVIEWS``), one per document, kept
in git (:mod:`kb.store.reviews`); the tagger never touches them, and every published
reader of positions applies them.
"""

from __future__ import annotations

import json
import os
import textwrap
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import click

from kb import settings
from kb.cli.base import Context, cli, db_option, pass_ctx
from kb.cli.console import summary
from kb.errors import UsageError
from kb.store import reviews as rv

#: Characters of text shown on either side of a quote by `kb review show`.
CONTEXT_CHARS = 240


@cli.group()
def review() -> None:
    """Read and record human reviews of positions (data/reviews/*.toml, kept in git)."""


def _review_index(db: Any) -> dict[tuple[str, str, str], rv.Resolution]:
    out = {}
    for res in rv.resolve(db, rv.load_reviews(settings.reviews_dir())):
        if res.position is not None:
            p = res.position
            out[(p["document_id"], p["holder"], p["issue"])] = res
    return out


def queue_rows(db: Any, limit: int, lexicon_docs: int) -> list[dict[str, Any]]:
    """Unreviewed positions, the ones that most need a reader first: positions of named
    organisations, low confidence, issues with many positions (high traffic), and where
    the lexicon rules read the filing otherwise than the stance model."""
    reviewed = _review_index(db)
    rows = [
        dict(r)
        for r in db.query(
            "select p.document_id, p.holder, p.holder_id, p.issue, p.stance, p.confidence, "
            "p.method, d.title from positions p join documents d on d.id = p.document_id"
        )
    ]
    traffic = Counter(r["issue"] for r in rows)
    top = max(traffic.values(), default=1)
    for r in rows:
        r["reasons"] = []
        score = (1.0 - float(r["confidence"] or 0)) + traffic[r["issue"]] / top
        if r["holder_id"]:
            score += 2.0
            r["reasons"].append("named organisation")
        if float(r["confidence"] or 0) < 0.7:
            r["reasons"].append("low confidence")
        if traffic[r["issue"]] / top > 0.5:
            r["reasons"].append("high-traffic issue")
        r["score"] = score
    rows = [r for r in rows if (r["document_id"], r["holder"], r["issue"]) not in reviewed]
    rows.sort(key=lambda r: (-r["score"], r["document_id"], r["issue"]))
    # The lexicon is re-run only on the filings at the head of the queue (it reads the text).
    from nlp.evaluate import lexicon_positions

    head_docs = list(dict.fromkeys(r["document_id"] for r in rows if r["method"] != "review"))
    lexicon = {d: lexicon_positions(db, d) for d in head_docs[:lexicon_docs]}
    for r in rows:
        lex = lexicon.get(r["document_id"])
        if lex is not None and r["method"] == "stance-model" and lex.get(r["issue"]) != r["stance"]:
            r["score"] += 1.5
            r["reasons"].append(f"lexicon says {lex.get(r['issue']) or 'no position'}")
            r["lexicon"] = lex.get(r["issue"])
    rows.sort(key=lambda r: (-r["score"], r["document_id"], r["issue"]))
    return rows[:limit]


@review.command("queue")
@click.option("--limit", default=30, show_default=True, help="How many positions.")
@click.option(
    "--lexicon-docs",
    default=10,
    show_default=True,
    help="Re-run the lexicon rules on this many filings at the head of the queue.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the queue as JSON lines.")
@db_option
@pass_ctx
def queue(obj: Context, limit: int, lexicon_docs: int, as_json: bool) -> None:
    """Unreviewed positions, the ones that most need a reader first."""
    rows = queue_rows(obj.db(), limit, lexicon_docs)
    for r in rows:
        if as_json:
            click.echo(json.dumps(r, ensure_ascii=False))
        else:
            click.echo(
                f"{r['score']:.2f}  {r['document_id']}  {r['holder']}  {r['issue']}  "
                f"{r['stance']} ({float(r['confidence']):.2f}, {r['method']})  "
                f"— {', '.join(r['reasons'])}"
            )
    summary(f"kb review queue: {len(rows)} positions to review")


@review.command("show")
@click.argument("document")
@click.option("--context", "context_chars", default=CONTEXT_CHARS, show_default=True)
@db_option
@pass_ctx
def show(obj: Context, document: str, context_chars: int) -> None:
    """A filing's positions with their quotes in context and their review state."""
    db = obj.db()
    found = db.execute(
        "select title, org_name, text from documents where id = ?", [document]
    ).fetchone()
    if found is None:
        raise UsageError("unknown document", item=document)
    title, org, text = found[0], found[1], found[2] or ""
    click.echo(f"# {document}: {title or ''} ({org or 'no organisation'})")
    reviewed = _review_index(db)
    rows = list(
        db.query(
            "select holder, holder_id, issue, stance, confidence, method, quotes from positions "
            "where document_id = ? order by issue, holder",
            [document],
        )
    )
    for p in rows:
        res = reviewed.get((document, p["holder"], p["issue"]))
        state = (
            f"{res.state} by {res.review.reviewer} on {res.review.date} ({res.review.stance})"
            if res
            else "machine"
        )
        click.echo(
            f"\n## {p['issue']}: {p['holder']} {p['stance']} "
            f"(confidence {float(p['confidence']):.2f}, {p['method']}; {state})"
        )
        for q in json.loads(p["quotes"] or "[]"):
            before = " ".join(text[max(0, q["start"] - context_chars) : q["start"]].split())
            after = " ".join(text[q["end"] : q["end"] + context_chars].split())
            quote = " ".join(q["text"].split())
            where = f"p. {q['page']}, " if q.get("page") else ""
            click.echo(f"  [{where}{q['start']}–{q['end']}]")
            click.echo(
                textwrap.indent(textwrap.fill(f"…{before} >>>{quote}<<< {after}…", 100), "    ")
            )
    summary(f"kb review show: {len(rows)} positions of {document}")


@review.command("set")
@click.argument("document")
@click.option("--holder", required=True, help="The position's holder (name or organisation id).")
@click.option("--issue", required=True, help="A codebook issue key.")
@click.option("--verdict", required=True, help="verified, disputed or unclear.")
@click.option("--stance", default=None, help="The right stance (disputed): a stance or none.")
@click.option("--note", default="", help="Why, in a sentence.")
@click.option(
    "--reviewer", default=None, help="Who reviewed (default: $KB_REVIEWER, else required)."
)
@click.option(
    "--quote",
    "quote_text",
    default=None,
    help="The words relied on, verbatim from the document (default: the position's quote).",
)
@click.option("--date", "when", default=None, help="Date of the review (default: today, UTC).")
@db_option
@pass_ctx
def set_review(
    obj: Context,
    document: str,
    holder: str,
    issue: str,
    verdict: str,
    stance: str | None,
    note: str,
    reviewer: str | None,
    quote_text: str | None,
    when: str | None,
) -> None:
    """Record a review of DOCUMENT's position of HOLDER on ISSUE in data/reviews/."""
    reviewer = reviewer or os.environ.get("KB_REVIEWER")
    if not reviewer:
        raise UsageError("--reviewer is required (or set KB_REVIEWER)", item=document)
    try:
        day = date.fromisoformat(when) if when else datetime.now(UTC).date()
    except ValueError:
        raise UsageError(f"--date {when!r} is not YYYY-MM-DD", item=document) from None
    record = rv.new_review(
        obj.db(),
        document_id=document,
        holder=holder,
        issue=issue,
        verdict=verdict,
        stance=stance,
        note=note,
        reviewer=reviewer,
        when=day,
        quote_text=quote_text,
    )
    path = rv.write_review(settings.reviews_dir(), record)
    summary(
        f"kb review set: {document} / {record.holder} / {issue}: {record.verdict} "
        f"({record.machine_stance} → {record.stance}) → {path.name}"
    )


@review.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@db_option
@pass_ctx
def stats(obj: Context, as_json: bool) -> None:
    """Reviews counted by verdict, by resulting state, and by issue; stale ones."""
    resolutions = rv.resolve(obj.db(), rv.load_reviews(settings.reviews_dir()))
    by_issue: dict[str, Counter[str]] = {}
    for res in resolutions:
        by_issue.setdefault(res.review.issue, Counter())[res.state] += 1
    report: dict[str, Any] = {
        "reviewed": len(resolutions),
        "documents": len({r.review.document_id for r in resolutions}),
        "verdicts": dict(Counter(str(r.review.verdict) for r in resolutions)),
        "states": dict(Counter(r.state for r in resolutions)),
        "by_issue": {k: dict(v) for k, v in sorted(by_issue.items())},
        "stale": sum(1 for r in resolutions if r.stale),
    }
    if as_json:
        click.echo(json.dumps(report, indent=1, sort_keys=True))
    else:
        click.echo(
            f"{report['reviewed']} positions reviewed in {report['documents']} documents; "
            f"{report['stale']} stale"
        )
        click.echo(
            "verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(report["verdicts"].items()))
        )
        click.echo("states: " + ", ".join(f"{k} {v}" for k, v in sorted(report["states"].items())))
        for issue, counts in report["by_issue"].items():
            click.echo(f"  {issue}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    summary(f"kb review stats: {report['reviewed']} reviews, {report['stale']} stale")
