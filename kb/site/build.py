"""``kb build``: render pages from the database, build them with MkDocs, write the search index.

The content layer (kb.render) writes plain Markdown; only :func:`run_mkdocs` knows
which static-site generator turns it into HTML, so moving to Material's successor
(which reads the same ``mkdocs.yml``) changes that one command.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kb.site.build_dockets import write_campaign_pages, write_docket_pages, write_matrices
from kb.site.build_redlines import write_redline_pages
from kb.children import die_with_parent
from kb.digest.feeds import copy_feeds, post_url_of
from kb.site.downloads import write_downloads
from kb.errors import KbError
from kb.legislation import slug
from kb.site.publish import confined, staging_dir, swap_in
from kb.redlines import pairs_for
from kb.render.accuracy import load_figures, render_accuracy
from kb.render.bills import render_bill, render_bill_index, render_family
from kb.render.filings import filing_label, render_filing
from kb.render.freshness import footer_html, freshness_html
from kb.render.markup import plain_title
from kb.render.positions import (
    render_downloads,
    render_home,
    render_issue,
    render_issue_index,
    render_organization,
    render_organization_index,
)
from kb.render.press import render_press
from kb.render.review import correction_href, render_review_summary
from kb.rounds import deadlines, round_of
from kb.site.scope import Scope, published
from kb.search.index import IndexReport, write_search_index
from kb.settings import PROJECT_ROOT, correction_url
from kb.site.questions import render_questions
from kb.store import site_query as q
from kb.store.freshness import last_loaded, source_freshness
from kb.store.query import export_bills, family_documents
from kb.watchlist import Watchlist, load_watchlist
from nlp.stance import ISSUES

Row = dict[str, Any]


class BuildError(KbError):
    """A build step (MkDocs) failed."""


@dataclass
class BuildReport:
    pages: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    site_bytes: int = 0
    files: int = 0
    search: IndexReport | None = None
    #: table → records held but not tracked, so not published
    untracked: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in self.timings.items())
        index = f"; search index: {self.search.summary()}" if self.search else ""
        left = ", ".join(f"{n} {t}" for t, n in self.untracked.items())
        untracked = f"; not tracked, not published: {left}" if left else ""
        return (
            f"{self.pages} pages rendered, {self.files} files, "
            f"{self.site_bytes / 1e6:.1f} MB site ({steps}){index}{untracked}"
        )


class Pages:
    """Collects rendered pages under the MkDocs source folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0

    def write(self, rel: str, text: str) -> None:
        path = confined(self.root, rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.count += 1


def _recent(db: Database, docs: dict[str, Row]) -> list[Row]:
    """The latest events for the home page, each linked to its filing or bill page if any."""
    return [
        {
            "date": str(e["upstream_date"])[:10],
            "summary": e["summary"],
            "record_id": e["record_id"],
            "href": (
                f"filings/{e['record_id']}/"
                if e["record_table"] == "documents" and e["record_id"] in docs
                else f"bills/{e['record_id']}/"
                if e["record_table"] == "bills"
                else None
            ),
        }
        for e in q.recent_events(db)
    ]


def render_site(
    db: Database,
    source: Path,
    digest_dir: Path | None = None,
    scope: Scope | None = None,
    watchlist: Watchlist | None = None,
) -> int:
    """Write every page of the site as Markdown under ``source`` (hand-written docs
    included); ``db`` holds only what is published (:func:`kb.site.scope.published`);
    ``watchlist`` gives the dockets' deadlines (each comment's round)."""
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(PROJECT_ROOT / "docs", source, ignore=shutil.ignore_patterns("generated"))
    pages = Pages(source)
    posts = sorted((digest_dir / "posts").glob("*-W*.md")) if digest_dir else []
    for post in posts:
        shutil.copy(post, source / "digest" / "posts" / post.name)
    docs = q.documents(db)
    assign_rounds(db, docs, watchlist)
    mentions = q.mentions(db)
    positions = q.positions_by_document(db)
    correction = correction_url()
    for rows in positions.values():
        for p in rows:
            p["correction_href"] = correction_href(correction, p)
    campaigns = q.campaigns(db)
    campaign_of = {m: c for c in campaigns for m in c["document_ids"]}
    orgs = q.organizations(db)
    org_names = {o["id"]: o["name"] for o in orgs}
    summary = render_issues(pages, docs, positions, campaigns, org_names, orgs)
    named = (
        {r[0] for r in db.execute("select distinct target from replies")}
        if db["replies"].exists()
        else set()
    )
    render_organizations(pages, docs, positions, orgs, mentions, named)
    families = render_bills(db, pages, docs, positions, scope.not_synced if scope else [])
    write_campaign_pages(db, pages.write, docs, positions, campaigns)
    render_filings(db, pages, docs, positions, campaign_of, org_names, mentions)
    write_docket_pages(db, pages.write, docs, positions, campaigns, org_names)
    write_matrices(db, pages.write)
    pages.count += render_questions(db, source, docs, positions)
    recent = _recent(db, docs)
    latest = [(post_url_of(p), f"Week {p.stem}") for p in reversed(posts[-5:])]
    fresh = freshness_html(source_freshness(db), last_loaded(db))
    pages.write("index.md", render_home(q.counts(db), recent, summary, families, latest, fresh))
    pages.write("downloads.md", render_downloads(write_downloads(db, source / "data")))
    reviews = [dict(r) for r in db.query("select * from reviews")] if db["reviews"].exists() else []
    pages.write(
        "about/accuracy.md", render_accuracy(load_figures()) + render_review_summary(reviews)
    )
    return pages.count


def assign_rounds(db: Database, docs: dict[str, Row], watchlist: Watchlist | None) -> None:
    """Each document's comment round (:mod:`kb.rounds`), from its docket's deadlines."""
    closes = {d.id: deadlines(d.rounds) for d in (watchlist.dockets if watchlist else ())}
    replies = q.reply_documents(db)
    for doc in docs.values():
        if doc["kind"] != "comment":
            doc["round"] = None
            continue
        doc["round"] = round_of(
            doc, closes.get(doc.get("docket_id") or "", []), says_reply=doc["id"] in replies
        )


def render_filings(
    db: Database,
    pages: Pages,
    docs: dict[str, Row],
    positions: dict[str, list[Row]],
    campaign_of: dict[str, Row],
    org_names: dict[str, str],
    ments: dict[str, list[Row]],
) -> None:
    atts, prov = q.attachments(db), q.provenance(db)
    for doc_id, text, doc_pages in q.texts(db):
        doc = docs[doc_id]
        if doc["kind"] == "press":
            pages.write(
                f"filings/{doc_id}.md",
                render_press(doc, text, positions.get(doc_id, []), prov.get(doc_id, []), org_names),
            )
            continue
        pages.write(
            f"filings/{doc_id}.md",
            render_filing(
                doc,
                text,
                doc_pages,
                positions.get(doc_id, []),
                atts.get(doc_id, []),
                prov.get(doc_id, []),
                ments.get(doc_id, []),
                campaign_of.get(doc_id),
                org_names,
            ),
        )


def holder_category(p: Row, doc: Row, orgs: dict[str, Row]) -> str:
    if p.get("holder_id") in orgs:
        return str(orgs[p["holder_id"]]["category"])
    return str(doc.get("category") or "individual")


def render_issues(
    pages: Pages,
    docs: dict[str, Row],
    positions: dict[str, list[Row]],
    campaigns: list[Row],
    org_names: dict[str, str],
    orgs: list[Row],
) -> dict[str, Counter[str]]:
    by_id = {o["id"]: o for o in orgs}
    members = {m for c in campaigns for m in c["document_ids"] if m != c["template_document_id"]}
    per_issue: dict[str, list[Row]] = defaultdict(list)
    for doc_id, rows in positions.items():
        if doc_id in members:  # a form letter speaks once, through its template
            continue
        for p in rows:
            per_issue[p["issue"]].append({**p, "category": holder_category(p, docs[doc_id], by_id)})
    summary: dict[str, Counter[str]] = {}
    for issue in ISSUES:
        split: Counter[str] = Counter()
        for c in campaigns:
            for p in positions.get(c["template_document_id"], []):
                if p["issue"] == issue:
                    split[p["stance"]] += 1
        rows = per_issue.get(issue, [])
        summary[issue] = Counter(p["stance"] for p in rows)
        pages.write(f"issues/{issue}.md", render_issue(issue, rows, dict(split)))
    pages.write("issues/index.md", render_issue_index(summary))
    return summary


def render_organizations(
    pages: Pages,
    docs: dict[str, Row],
    positions: dict[str, list[Row]],
    orgs: list[Row],
    mentioned: dict[str, list[Row]],
    named: Collection[str] = (),
) -> None:
    """A page for each organisation that filed, holds a position, or is named by a reply
    (its page says who rebuts or cites it, ``kb.site.questions``)."""
    filed = q.filings_by_org(docs)
    held = q.positions_by_holder(positions)
    index = []
    for org in orgs:
        if not filed.get(org["id"]) and not held.get(org["id"]) and org["id"] not in named:
            continue
        bills = sorted(
            {
                (m["target_id"], m["matched"])
                for f in filed.get(org["id"], [])
                for m in mentioned.get(f["id"], [])
                if m["target_type"] == "bill"
            }
        )
        org = {**org, "title": plain_title(org["name"]) or org["id"]}
        pages.write(
            f"organizations/{org['id']}.md",
            render_organization(org, filed.get(org["id"], []), held.get(org["id"], []), bills),
        )
        index.append(
            {
                **org,
                "n_filings": len(filed.get(org["id"], [])),
                "n_positions": len(held.get(org["id"], [])),
            }
        )
    pages.write("organizations/index.md", render_organization_index(index))


def render_bills(
    db: Database,
    pages: Pages,
    docs: dict[str, Row],
    positions: dict[str, list[Row]],
    not_synced: Sequence[tuple[str, str, str]] = (),
) -> list[Row]:
    bills = list(export_bills(db))
    by_family: dict[str, list[Row]] = defaultdict(list)
    for b in bills:
        if b.get("family"):
            by_family[b["family"]].append(b)

    def voice(filings: list[Row]) -> list[Row]:
        return [
            p
            for f in filings
            for p in positions.get(f["id"], [])
            if p["issue"] == "voice_likeness_right"
        ]

    def labelled(filings: list[Row]) -> list[Row]:
        return [{**f, "label": filing_label(docs[f["id"]])} for f in filings if f["id"] in docs]

    pairs, diffs = write_redline_pages(db, pages.write)
    for bill in bills:
        filings = labelled(q.bill_filings(db, bill["id"]))
        family = by_family.get(bill.get("family") or "", [])
        redlines = (pairs_for(pairs, bill["id"]), diffs)
        pages.write(
            f"bills/{bill['id']}.md", render_bill(bill, redlines, filings, voice(filings), family)
        )
    families = []
    for fam in q.families(db):
        members = by_family.get(fam["id"], [])
        filings = labelled(family_documents(db, fam["id"]))
        waiting = [i for kind, i, name in not_synced if kind == "bill" and slug(name) == fam["id"]]
        pages.write(
            f"bills/family-{fam['id']}.md",
            render_family(fam, members, filings, voice(filings), waiting, (pairs, diffs)),
        )
        latest = max(
            ((b.get("latest_action") or {}).get("date") or "" for b in members), default=""
        )
        families.append({"id": fam["id"], "name": fam["name"], "n": len(members), "latest": latest})
    families.sort(key=lambda f: (-f["n"], f["name"]))
    pages.write("bills/index.md", render_bill_index(families, bills, (pairs, diffs)))
    return families


def run_mkdocs(source: Path, out: Path, work: Path, footer: str = "") -> None:
    """``mkdocs build --strict`` of ``source`` into ``out``, with the project's mkdocs.yml;
    ``footer`` (escaped HTML) is the line the theme shows in every page's footer."""
    config = work / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {PROJECT_ROOT / 'mkdocs.yml'}\ndocs_dir: {source}\nsite_dir: {out}\n"
        f"copyright: {json.dumps(footer, ensure_ascii=False)}\n",
        encoding="utf-8",
    )
    run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config)],
        "mkdocs",
    )


def run(cmd: list[str], name: str) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=die_with_parent())
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-20:])
        raise BuildError(f"{name} failed (exit {result.returncode}):\n{tail}")


def build_site(
    db: Database,
    out: Path,
    work: Path | None = None,
    digest_dir: Path | None = None,
    watchlist: Watchlist | None = None,
) -> BuildReport:
    """Build the site of what ``watchlist`` (default: the configured one) tracks."""
    watchlist = watchlist or load_watchlist()
    db, scope = published(db, watchlist)
    footer = footer_html(source_freshness(db), last_loaded(db))
    final = out.resolve()
    out = staging_dir(final)  # built beside the live site, swapped in when complete
    work = (work or Path("build")).resolve()  # beside the output, like site/
    work.mkdir(parents=True, exist_ok=True)
    report = BuildReport(untracked=scope.untracked_counts())
    source = work / "site-src"
    steps = [
        (
            "render",
            lambda: setattr(report, "pages", render_site(db, source, digest_dir, scope, watchlist)),
        ),
        ("mkdocs", lambda: run_mkdocs(source, out, work, footer)),
        ("search index", lambda: setattr(report, "search", write_search_index(db, out))),
        ("feeds", lambda: copy_feeds(digest_dir, out)),
    ]
    for name, step in steps:
        start = time.perf_counter()
        step()
        report.timings[name] = time.perf_counter() - start
    report.files, report.site_bytes = swap_in(out, final)
    return report
