"""Read watched feeds; fetch and store each new relevant article."""

from __future__ import annotations

import re

from sqlite_utils import Database

from kb.errors import FetchError, KbError, ParseError
from kb.net.fetcher import Fetcher
from kb.net.syncreport import SourceReport
from kb.store.load import Provenance, upsert_documents
from kb.watchlist import WatchedFeed
from scrapers.feeds import SOURCE
from scrapers.feeds.parse import article_text, parse_feed, press_document, slug


def relevant(text: str, keywords: tuple[str, ...]) -> bool:
    if not keywords:
        return True
    return any(
        re.search(rf"\b{re.escape(k)}\b", text, re.I if k != k.upper() else 0) for k in keywords
    )


def sync_feeds(
    db: Database, fetcher: Fetcher, feeds: tuple[WatchedFeed, ...], rewrite=lambda url: url
) -> SourceReport:
    report = SourceReport(SOURCE)
    for feed in feeds:
        try:
            result = fetcher.get(rewrite(feed.url), source=SOURCE)
            entries = parse_feed(result.body, item=feed.url)
        except (FetchError, ParseError) as exc:
            report.fail(db, "sync", KbError(str(exc), item=feed.url))
            continue
        report.counts["feeds read"] += 1
        for entry in entries:
            if not entry.link or not relevant(
                f"{entry.title or ''} {entry.summary or ''}", feed.keywords
            ):
                continue
            doc_id = "press-" + slug(entry.link.rstrip("/").rsplit("/", 1)[-1] or entry.id)
            if db.execute("select 1 from documents where id = ?", [doc_id]).fetchone():
                report.counts["articles known"] += 1
                continue
            try:
                page = fetcher.get(rewrite(entry.link), source=SOURCE)
                title, text = article_text(page.body)
                record = press_document(
                    text=text,
                    title=entry.title or title,
                    doc_id=doc_id,
                    url=entry.link,
                    posted_at=entry.published,
                    organization=feed.name,
                )
            except (FetchError, ParseError) as exc:
                report.fail(db, "sync", KbError(str(exc), item=entry.link))
                continue
            a = page.archived
            assert a is not None
            upsert_documents(
                db, [record], Provenance(SOURCE, a.url, a.sha256, a.path, a.fetched_at, a.status)
            )
            report.counts["articles new"] += 1
    return report
