"""Benchmarks that print numbers (wall time, peak memory, throughput)."""

from __future__ import annotations

import resource
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path

from sqlite_utils import Database

from kb.errors import UsageError
from kb.importer import import_paths
from kb.store import open_db


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_import(paths: list[Path]) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        start = time.perf_counter()
        report = import_paths(db, paths)
        wall = time.perf_counter() - start
        words = sum(len((row[0] or "").split()) for row in db.execute("select text from documents"))
        docs = db.table("documents").count
    return (
        f"import: {wall:.1f} s wall, peak RSS {peak_rss_mb():.0f} MB, {docs} documents, "
        f"{words:,} words, {words / wall:,.0f} words/s; {report.summary()}"
    )


def children_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def bench_tag(paths: list[Path], runs: int = 1) -> str:
    """Import PATHS into a fresh database (not timed), fit the stance model (timed on
    its own: it is cached after the first run), then time ``kb tag`` over all of it,
    ``runs`` times, each on a fresh copy of the imported database: a shared VM's speed
    drifts by a tenth from one run to the next, so several runs give the median."""
    from statistics import median

    from nlp.tag import stance_model, tag_documents

    if runs < 1:
        raise UsageError("--runs must be at least 1")
    lines, speeds = [], []
    with tempfile.TemporaryDirectory() as tmp:
        imported = open_db(Path(tmp) / "imported.db")
        import_paths(imported, paths)
        start = time.perf_counter()
        model, _ = stance_model(imported)
        fit = time.perf_counter() - start
        for k in range(runs):
            target = Path(tmp) / f"run-{k}.db"
            with closing(sqlite3.connect(target)) as copy:
                imported.conn.backup(copy)
            db = open_db(target)
            start = time.perf_counter()
            report = tag_documents(db, None)
            wall = time.perf_counter() - start
            db.conn.close()
            target.unlink()
            speeds.append(report.words / wall)
            lines.append(f"{wall:.1f} s wall, {report.words / wall:,.0f} words/s")
    trained = f"stance model fit in {fit:.1f} s" if model else "no stance model"
    if runs == 1:
        speed = f"{lines[0]}, "
    else:
        speed = (
            f"median of {runs} runs {median(speeds):,.0f} words/s "
            f"(range {min(speeds):,.0f}–{max(speeds):,.0f}); "
        )
        lines = [f"run {k + 1}: {line}" for k, line in enumerate(lines)]
    summary = (
        f"tag: {speed}peak RSS {peak_rss_mb():.0f} MB "
        f"(largest worker {children_peak_rss_mb():.0f} MB); {trained}; {report.summary()}"
    )
    return "\n".join([*(lines if runs > 1 else []), summary])


def bench_build(db: Database, digest_dir: Path | None) -> str:
    """Wall time and peak memory of ``kb build`` (MkDocs runs as a child process)."""
    from kb.site.build import build_site

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        report = build_site(db, Path(tmp) / "site", Path(tmp) / "work", digest_dir)
        wall = time.perf_counter() - start
    return (
        f"build: {wall:.1f} s wall, peak RSS {peak_rss_mb():.0f} MB "
        f"(MkDocs {children_peak_rss_mb():.0f} MB); {report.summary()}"
    )


def ranking_measure(index_dir: Path) -> list[str]:
    """Where the 17 major filings rank (best match, and organisations first) for the names
    of the issues they are labelled with, and where the first organisation page and major
    filing come for "fair use"."""
    from statistics import median

    from kb.render.issues import issue_name
    from kb.search.query import Index
    from nlp.labels import primary_records
    from nlp.sampling import load_split

    index = Index(index_dir)
    unit = {url: n for n, url in enumerate(index.urls())}
    records = primary_records()
    majors = [m for m in load_split()["major"] if f"filings/{m}/" in unit]
    lines = []
    for sort, label in (("", "best match"), ("orgs", "organisations first")):
        ranked: dict[str, list[int]] = {}
        ranks: list[int | None] = []
        for doc in majors:
            for issue in records[doc].positions if doc in records else {}:
                query = issue_name(issue)
                if query not in ranked:
                    ranked[query] = index.search(query, sort)
                order = ranked[query]
                n = unit[f"filings/{doc}/"]
                ranks.append(order.index(n) + 1 if n in order else None)
        found = sorted(r for r in ranks if r is not None)
        lines.append(
            f"ranking ({label}): {len(majors)} major filings × their labelled issues = "
            f"{len(ranks)} (filing, issue-name query) pairs; median rank "
            f"{median(found) if found else '-'}, in the first 10: "
            f"{sum(r <= 10 for r in found)}, first 50: {sum(r <= 50 for r in found)}, "
            f"not matched: {len(ranks) - len(found)}"
        )
        order = index.search("fair use", sort)
        urls = index.urls()
        first_org = next(
            (i + 1 for i, n in enumerate(order) if urls[n].startswith("organizations/")), None
        )
        major_units = {unit[f"filings/{m}/"] for m in majors}
        first_major = next((i + 1 for i, n in enumerate(order) if n in major_units), None)
        lines.append(
            f"  'fair use' ({label}): {len(order)} results, first organisation page at rank "
            f"{first_org}, first major filing at rank {first_major}"
        )
    return lines


def bench_search(site: Path, queries: list[str] | None = None) -> tuple[str, int]:
    """Bytes transferred in headless Chromium and milliseconds from typing to the first
    results (with their passages) of each query, then the ranking measure; returns the
    report and the number of queries that failed (no answer, console errors)."""
    from kb.site.browser import QUERIES, SearchFailed, chromium, measure_search
    from kb.site.serve import start_server

    if not (site / "search" / "idx" / "manifest.json").is_file():
        raise UsageError("no search index here: run kb build first", item=str(site))
    server = start_server(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    lines, failed = [], 0
    try:
        with chromium() as browser:
            for query in queries or QUERIES:
                try:
                    cost = measure_search(browser, server, base, query)
                except SearchFailed as exc:
                    failed += 1
                    lines.append(f"{query!r:40} FAILED: {exc}")
                    continue
                failed += bool(cost.console_errors)
                lines.append(
                    f"{query!r:40} {cost.total / 1024:7.1f} KB in all "
                    f"({cost.page_bytes / 1024:.1f} KB search page and UI, "
                    f"{cost.query_bytes / 1024:.1f} KB for the query, {cost.requests} requests), "
                    f"{cost.results} of {cost.matches} results shown, {cost.ms:.0f} ms, "
                    f"{len(cost.console_errors)} console errors"
                )
    finally:
        server.shutdown()
    lines += ranking_measure(site / "search" / "idx")
    return "\n".join(lines), failed
