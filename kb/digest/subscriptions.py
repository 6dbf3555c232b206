"""Atom feeds a policy team can follow: one per bill family (what moved for NO FAKES), per
organisation (what Sony or OpenAI filed, or was reported to hold) and per codebook issue
(every new position on fair use). Written with the digest, into ``feeds/`` beside the
site-wide feed; each holds the newest ``LIMIT`` entries, each entry an HTML fragment that
links to its page, dated by upstream (or, for records without one, by when they were
recorded), never later than the moment written."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from markupsafe import Markup
from sqlite_utils import Database

from kb.digest.feeds import EPOCH, FeedMeta, new_feed, save_atom
from kb.digest.outputs import site_url
from kb.render.issues import ISSUE_TEXT, issue_name
from kb.render.subscribe import feed_path

#: Entries per feed: a feed reader wants what is new, the pages hold the rest.
LIMIT = 50


@dataclass(frozen=True)
class Item:
    """One entry: a stable id, a title, the page it links to (relative to the site root),
    its date, whether that date is the upstream one, and an HTML fragment."""

    key: str
    title: str
    page: str
    when: datetime
    dated: bool
    body: Markup


def parse_when(text: str | None) -> datetime | None:
    if not text:
        return None
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def document_items(db: Database, where: str, args: list[object]) -> list[Item]:
    """Documents chosen by ``where`` (over ``documents d``), newest first, with positions."""
    rows = db.query(
        "select d.id, d.kind, d.title, d.org_name, d.posted_at, d.url, "
        "(select min(e.recorded_at) from events e where e.record_table = 'documents' "
        "and e.record_id = d.id) as recorded_at from documents d "
        f"where {where} order by coalesce(d.posted_at, recorded_at) desc, d.id limit {LIMIT}",
        args,
    )
    items = []
    for r in rows:
        when = parse_when(r["posted_at"])
        stances = [
            f"{issue_name(p['issue'])}: {p['stance']} ({p['holder']})"
            for p in db.query(
                "select issue, stance, holder from positions where document_id = ? "
                "order by issue, holder",
                [r["id"]],
            )
        ]
        body = Markup("<p>{} {}</p>").format(r["kind"], r["title"] or r["id"])
        if stances:
            body += Markup("<ul>{}</ul>").format(
                Markup("").join(Markup("<li>{}</li>").format(s) for s in stances)
            )
        if not when:
            body += Markup("<p>Date filed unknown; recorded {}.</p>").format(
                (r["recorded_at"] or "")[:10]
            )
        items.append(
            Item(
                f"filing/{r['id']}",
                f"{r['org_name'] or r['kind']}: {r['title'] or r['id']}",
                f"filings/{r['id']}/",
                when or parse_when(r["recorded_at"]) or EPOCH,
                when is not None,
                body,
            )
        )
    return items


def family_items(db: Database, family: str, bill_ids: list[str]) -> list[Item]:
    """Bill events of the family (introductions, actions, cosponsors, texts) and the
    documents that mention it."""
    marks = ",".join("?" * len(bill_ids)) or "''"
    items = [
        Item(
            f"event/{e['id']}",
            e["summary"],
            f"bills/{e['record_id']}/",
            when,
            True,
            Markup("<p>{}</p>").format(e["summary"]),
        )
        for e in db.query(
            "select id, record_id, summary, upstream_date from events where record_table = 'bills' "
            f"and record_id in ({marks}) and upstream_date > '' "
            f"order by upstream_date desc, id desc limit {LIMIT}",
            bill_ids,
        )
        if (when := parse_when(e["upstream_date"]))
    ]
    items += document_items(
        db,
        "d.id in (select document_id from links where (target_type = 'family' and target_id = ?) "
        f"or (target_type = 'bill' and target_id in ({marks})))",
        [family, *bill_ids],
    )
    return items


def issue_items(db: Database, issue: str) -> list[Item]:
    """Documents that take a position on ``issue`` (a campaign speaks once, by its template)."""
    return document_items(
        db,
        "d.id in (select document_id from positions where issue = ?) and (d.campaign_id is null "
        "or d.id in (select template_document_id from campaigns))",
        [issue],
    )


def organization_items(db: Database, org: str) -> list[Item]:
    """Documents the organisation filed (alone or jointly) or that report a position of it."""
    return document_items(
        db,
        "(d.id in (select document_id from positions where holder_id = ?) or exists "
        "(select 1 from json_each(coalesce(d.org_ids, '[]')) where json_each.value = ?))",
        [org, org],
    )


def write_feed(meta: FeedMeta, items: Iterable[Item], out: Path, now: datetime) -> Path:
    base = site_url().rstrip("/")
    fg = new_feed(meta)
    chosen = sorted(items, key=lambda i: (min(i.when, now), i.key), reverse=True)[:LIMIT]
    stamp = EPOCH
    for item in reversed(chosen):
        when = min(item.when, now)
        stamp = max(stamp, when)
        entry = fg.add_entry(order="prepend")
        entry.id(f"{base}/{meta.path}#{item.key}")
        entry.title(item.title)
        entry.link(href=f"{base}/{item.page}", rel="alternate", type="text/html")
        entry.updated(when)
        if item.dated:
            entry.published(when)
        entry.content(str(item.body), type="html")
    fg.updated(stamp)
    return save_atom(fg, meta, out)


def write_subscriptions(db: Database, out: Path, now: datetime) -> list[Path]:
    """Every family's, organisation's and issue's feed; returns the files written."""
    written = []
    for fam in db.query("select id, name, bill_ids from families order by id"):
        meta = FeedMeta(
            feed_path("family", fam["id"]),
            f"{fam['name'] or fam['id']}: what moved",
            "Bill actions, cosponsors, new texts and filings that mention the bill.",
            f"bills/family-{fam['id']}/",
        )
        items = family_items(db, fam["id"], json.loads(fam["bill_ids"] or "[]"))
        written.append(write_feed(meta, items, out, now))
    for org in db.query("select id, name from organizations order by id"):
        meta = FeedMeta(
            feed_path("organization", org["id"]),
            f"{org['name']}: filings and positions",
            f"What {org['name']} filed, or was reported to hold, on AI and copyright.",
            f"organizations/{org['id']}/",
        )
        items = organization_items(db, org["id"])
        if items:  # an organisation with neither filing nor position has no page either
            written.append(write_feed(meta, items, out, now))
    for issue, (name, proposition) in ISSUE_TEXT.items():
        meta = FeedMeta(
            feed_path("issue", issue),
            f"{name}: new positions",
            f"Every new position on the proposition: {proposition}",
            f"issues/{issue}/",
        )
        written.append(write_feed(meta, issue_items(db, issue), out, now))
    return written
