"""One week's events, read from the store into plain data for rendering."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from kb.digest.weeks import Week
from kb.store.freshness import SourceFreshness, last_loaded, source_freshness
from kb.store.versions import load_pairs

Row = dict[str, Any]


@dataclass
class WeekData:
    week: Week
    #: new filings by organisations (notable first), one row per document
    org_filings: list[Row] = field(default_factory=list)
    #: campaigns among the week's filings: campaign row + how many of its letters were posted
    campaigns: list[Row] = field(default_factory=list)
    individual_filings: int = 0
    individual_sample: list[Row] = field(default_factory=list)
    #: (issue, stance) → count over the week's filings, form letters counted once
    positions: Counter[tuple[str, str]] = field(default_factory=Counter)
    stance_shifts: list[Row] = field(default_factory=list)
    introductions: list[Row] = field(default_factory=list)
    actions: dict[str, list[Row]] = field(default_factory=dict)
    cosponsors_added: dict[str, list[Row]] = field(default_factory=dict)
    cosponsors_withdrawn: dict[str, list[Row]] = field(default_factory=dict)
    text_versions: list[Row] = field(default_factory=list)
    notices: list[Row] = field(default_factory=list)
    pages_changed: list[Row] = field(default_factory=list)
    #: documents recorded this week that carry no upstream date (a bulk import of history)
    backfill: int = 0
    bills: dict[str, Row] = field(default_factory=dict)
    #: positions a person verified or corrected this week (``kb review``)
    reviews: list[Row] = field(default_factory=list)
    #: the documents recorded this week without an upstream date, sorted like the dated ones
    undated: WeekData | None = None
    #: documents other than comments (bill texts, press, pages): id, kind, title, url
    other_documents: list[Row] = field(default_factory=list)
    #: set while the week is still running: the moment the digest was written
    as_of: datetime | None = None
    #: how fresh the data was when the digest was written, per source, and the last load
    freshness: list[SourceFreshness] = field(default_factory=list)
    loaded: str | None = None
    #: (bill, version code) → slug of the redline page that ends at that version
    redlines: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def campaign_letters(self) -> int:
        return sum(c["posted_this_week"] for c in self.campaigns)

    @property
    def filings(self) -> int:
        return len(self.org_filings) + self.individual_filings + self.campaign_letters

    @property
    def empty(self) -> bool:
        return not (
            self.filings or self.introductions or self.actions or self.cosponsors_added
            or self.cosponsors_withdrawn or self.text_versions or self.notices
            or self.pages_changed or self.backfill or self.stance_shifts or self.reviews
        )  # fmt: skip


def _events(db: Database, week: Week, where: str) -> list[Row]:
    return [
        dict(r)
        for r in db.query(
            "select * from events where upstream_date >= ? and upstream_date < ? and "
            f"{where} order by upstream_date, record_id, id",
            [week.monday.isoformat(), week.next_monday.isoformat()],
        )
    ]


def collect_week(db: Database, week: Week) -> WeekData:
    data = WeekData(week, freshness=source_freshness(db), loaded=last_loaded(db))
    collect_filings(db, week, data)
    collect_bills(db, week, data)
    data.reviews = collect_reviews(db, week)
    data.notices = [
        {**d, "event": e}
        for e in _events(db, week, "record_table = 'documents' and event = 'created'")
        for d in db.query(
            "select id, kind, title, url, docket_id, source from documents where id = ?",
            [e["record_id"]],
        )
        if d["source"] == "federalregister.gov" or d["kind"] in ("notice", "rule")
    ]
    data.pages_changed = [
        e
        for e in _events(db, week, "record_table = 'documents' and event = 'changed'")
        if db.execute("select kind from documents where id = ?", [e["record_id"]]).fetchone()
        in (("page",), ("report",))
    ]
    data.undated = collect_undated(db, week)
    data.backfill = data.undated.backfill if data.undated else 0
    return data


def collect_undated(db: Database, week: Week) -> WeekData | None:
    """The documents first recorded this week that carry no upstream date (a bulk import of
    history): listed in the week that imported them, never silently left out."""
    ids = [
        r[0]
        for r in db.execute(
            "select record_id from events where record_table = 'documents' and event = 'created' "
            "and (upstream_date is null or upstream_date = '') and recorded_at >= ? "
            "and recorded_at < ? order by record_id",
            [week.monday.isoformat(), week.next_monday.isoformat()],
        )
    ]
    if not ids:
        return None
    undated = WeekData(week, backfill=len(ids))
    sort_filings(db, ids, undated)
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        undated.other_documents += [
            dict(r)
            for r in db.query(
                "select id, kind, title, url from documents where kind != 'comment' and "
                f"id in ({','.join('?' * len(part))}) order by kind, id",
                part,
            )
        ]
    return undated


def collect_filings(db: Database, week: Week, data: WeekData) -> None:
    ids = [
        e["record_id"]
        for e in _events(db, week, "record_table = 'documents' and event = 'created'")
    ]
    sort_filings(db, ids, data)
    data.stance_shifts = stance_shifts(db, data.org_filings)


def sort_filings(db: Database, ids: list[str], data: WeekData) -> None:
    """The comments among ``ids`` with their positions, sorted into organisations, campaigns
    (form letters counted once) and individuals."""
    docs = []
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        docs += [
            dict(r)
            for r in db.query(
                "select id, kind, title, submitter, org_name, org_ids, org_category, posted_at, url, "
                f"campaign_id, holders from documents where kind = 'comment' and id in ({','.join('?' * len(part))}) order by id",
                part,
            )
        ]
    positions: dict[str, list[Row]] = defaultdict(list)
    for d in docs:
        for p in db.query(
            "select issue, stance, holder, quotes from positions where document_id = ?", [d["id"]]
        ):
            positions[d["id"]].append({**p, "quotes": json.loads(p["quotes"] or "[]")})
    by_campaign: dict[str, list[Row]] = defaultdict(list)
    for d in docs:
        d["positions"] = positions.get(d["id"], [])
        if d["campaign_id"]:
            by_campaign[d["campaign_id"]].append(d)
        elif d["org_ids"]:
            data.org_filings.append(d)
        else:
            data.individual_filings += 1
            if len(data.individual_sample) < 5 and d["positions"]:
                data.individual_sample.append(d)
    for cid, members in sorted(by_campaign.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        row = dict(next(iter(db.query("select * from campaigns where id = ?", [cid]))))
        template = positions.get(row["template_document_id"]) or members[0]["positions"]
        data.campaigns.append(
            {
                **row,
                "posted_this_week": len(members),
                "positions": template,
                "member_ids": [m["id"] for m in members],
            }
        )
    counted = [d for d in docs if not d["campaign_id"]] + [
        {"positions": c["positions"]} for c in data.campaigns
    ]
    for d in counted:
        for p in d["positions"]:
            data.positions[(p["issue"], p["stance"])] += 1
    data.org_filings.sort(
        key=lambda d: (d["org_category"] == "individual", d["org_name"] or "", d["id"])
    )


def stance_shifts(db: Database, filings: list[Row]) -> list[Row]:
    """An organisation's positions in this week's filings against its earlier ones."""
    out = []
    for d in filings:
        for oid in json.loads(d["org_ids"] or "[]"):
            earlier: dict[str, str] = {}
            for r in db.query(
                "select p.issue, p.stance from positions p join documents e on e.id = p.document_id "
                "where p.holder_id = ? and e.posted_at < ? order by e.posted_at",
                [oid, d["posted_at"]],
            ):
                earlier[r["issue"]] = r["stance"]
            if not earlier:
                continue
            for p in d["positions"]:
                before = earlier.get(p["issue"])
                if before != p["stance"]:
                    out.append(
                        {
                            "org_id": oid,
                            "org": d["org_name"],
                            "document_id": d["id"],
                            "issue": p["issue"],
                            "before": before or "silent",
                            "after": p["stance"],
                        }
                    )
    return out


def collect_reviews(db: Database, week: Week) -> list[Row]:
    """Positions verified or corrected this week: the ``reviews`` table of the published
    copy (:func:`kb.store.reviews.apply_reviews`), on documents it publishes."""
    if not db["reviews"].exists():
        return []
    return [
        {**dict(r), "quote": json.loads(r["quote"] or "null")}
        for r in db.query(
            "select r.*, d.org_name from reviews r join documents d on d.id = r.document_id "
            "where r.state in ('verified', 'corrected') and r.date >= ? and r.date < ? "
            "order by r.date, r.document_id, r.issue, r.holder",
            [week.monday.isoformat(), week.next_monday.isoformat()],
        )
    ]


def collect_bills(db: Database, week: Week, data: WeekData) -> None:
    events = _events(db, week, "record_table = 'bills'")
    for e in events:
        e["details"] = json.loads(e["details"] or "null")
        bill = e["record_id"]
        if bill not in data.bills:
            row = db.execute(
                "select short_title, title, url, sponsor, cosponsors, family from bills where id = ?",
                [bill],
            ).fetchone()
            data.bills[bill] = {
                "id": bill,
                "short_title": row[0] if row else None,
                "title": row[1] if row else None,
                "url": row[2] if row else None,
                "sponsor": json.loads(row[3]) if row and row[3] else None,
                "cosponsors": json.loads(row[4]) if row and row[4] else [],
                "family": row[5] if row else None,
            }
        kind = e["event"]
        if kind == "bill_introduced":
            data.introductions.append(e)
        elif kind == "bill_action":
            data.actions.setdefault(bill, []).append(e)
        elif kind == "cosponsor_added":
            data.cosponsors_added.setdefault(bill, []).append(e)
        elif kind == "cosponsor_withdrawn":
            data.cosponsors_withdrawn.setdefault(bill, []).append(e)
        elif kind == "text_version":
            data.text_versions.append(e)
    if data.text_versions:
        data.redlines = {
            (p.after.bill, p.after.code): p.slug for p in load_pairs(db) if p.kind == "version"
        }


def weeks_with_events(db: Database) -> list[Week]:
    """Every week the data covers: weeks with a dated event, weeks a backfill was recorded,
    and weeks a person verified or corrected a position."""
    days = {
        r[0]
        for r in db.execute(
            "select distinct substr(upstream_date, 1, 10) from events where upstream_date is not null and upstream_date != ''"
        )
    }
    days |= {
        r[0]
        for r in db.execute(
            "select distinct substr(recorded_at, 1, 10) from events where record_table = 'documents' "
            "and (upstream_date is null or upstream_date = '')"
        )
    }
    if db["reviews"].exists():
        days |= {
            r[0]
            for r in db.execute(
                "select distinct date from reviews where state in ('verified', 'corrected')"
            )
        }
    return sorted({Week.of(date.fromisoformat(d)) for d in days if d})
