"""Sync end to end against recorded regulations.gov played back on loopback."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from kb.net.archive import Archive
from kb.net.sync import run_sync
from kb.store import open_db


def watchlist(tmp_path: Path, colc: Path, extra: bool = True) -> Path:
    ids = sorted(p.name for p in (colc / "attachments").iterdir()) if extra else []
    path = tmp_path / "watchlist.toml"
    path.write_text(
        '[[dockets]]\nid = "COLC-2023-0006"\n'
        f"documents = [{', '.join(repr(i).replace(chr(39), chr(34)) for i in ids)}]\n"
    )
    return path


def content(db) -> dict[str, list[tuple]]:
    """Database content without our own bookkeeping timestamps."""
    return {
        "documents": db.execute(
            "select id, kind, title, submitter, posted_at, modified_at, withdrawn, body, text, "
            "pages, text_sha, richness from documents order by id"
        ).fetchall(),
        "attachments": db.execute(
            "select id, status, sha256, text, pages, text_start, error from attachments order by id"
        ).fetchall(),
        "events": db.execute(
            "select event, record_id, upstream_date from events order by record_id, event"
        ).fetchall(),
        "dockets": db.execute("select id, title from dockets").fetchall(),
    }


def test_full_sync_then_nothing_changed(tmp_path, colc, regs_upstream, regs_env):
    db = open_db(tmp_path / "kb.db")
    archive = Archive(tmp_path / "archive")
    _lines, failed = run_sync(db, archive, watchlist_path=watchlist(tmp_path, colc))
    recorded = regs_upstream.recorded
    n_comments = sum(
        1
        for b in recorded.details.values()
        if b["data"]["attributes"]["documentType"] == "Public Submission"
    )
    n_watched = len(list((colc / "attachments").iterdir()))
    details = regs_upstream.paths(r"^/v4/(comments|documents)/")
    counts = Counter(details)
    assert max(counts.values()) == 1, "a detail was requested twice"
    assert len(counts) == n_comments + 2 + n_watched  # comments, notices, watched ids
    downloads = regs_upstream.paths(r"^/COLC-")
    assert len(downloads) == len(set(downloads))
    # one download per attachment listed: recorded files (52 dirs, 2 notices) + 9 unrecorded
    att_rows = db.execute("select count(*) from attachments where url is not null").fetchone()[0]
    assert len(downloads) == att_rows
    statuses = dict(db.execute("select status, count(*) from attachments group by 1").fetchall())
    assert statuses["ok"] == 17 + 35 + 2
    # Attachments that nobody recorded answer 404: reported, not retried.
    failures = db.execute("select item, error from failures where stage = 'fetch'").fetchall()
    assert len(failures) == statuses.get("failed", 0) == 8  # 0253 is a PNG only: no text format
    assert all("404" in e for _, e in failures)
    assert failed == 1
    lists = regs_upstream.paths(r"^/v4/(comments|documents)$")
    assert len(lists) == 2 + 1  # 497 comments on 2 pages of 250, 1 page of notices
    assert (
        db.execute("select count(*) from documents where docket_id = 'COLC-2023-0006'").fetchone()[
            0
        ]
        == 499 + n_watched - 0
    )
    # The API key never reaches the archive or the database.
    key = regs_env["REGULATIONS_GOV_API_KEY"]
    for path in (tmp_path / "archive").rglob("*"):
        if path.is_file() and path.suffix != ".gz":
            assert key not in path.read_text(errors="replace")
    assert key not in Path(tmp_path / "kb.db").read_bytes().decode("latin-1")
    assert recorded.api_key_seen == {key}
    # A second sync with nothing changed makes list requests only.
    before = len(regs_upstream.log)
    snapshot = content(db)
    run_sync(db, archive, watchlist_path=watchlist(tmp_path, colc))
    second = [p for p, _ in regs_upstream.log[before:]]
    assert second and all(re.fullmatch(r"/v4/(comments|documents)", p) for p in second)
    assert content(db) == snapshot


def test_search_cap_reseeds_and_handles_shared_timestamps(
    tmp_path, colc, regs_upstream, regs_env, monkeypatch
):
    # A cap of 5 results with pages of 5: about a hundred re-seeds, and windows where
    # every record shares one timestamp (up to 7 comments were modified in one second).
    regs_upstream.recorded.max_results = 5
    monkeypatch.setenv("KB_REGULATIONS_GOV_PAGE_SIZE", "5")
    monkeypatch.setenv("KB_REGULATIONS_GOV_MAX_RESULTS", "5")
    db = open_db(tmp_path / "kb.db")
    _lines, _failed = run_sync(
        db, Archive(tmp_path / "archive"), watchlist_path=watchlist(tmp_path, colc, extra=False)
    )
    n = db.execute("select count(*) from documents where kind = 'comment'").fetchone()[0]
    assert n == 497
    exact = [q for p, q in regs_upstream.log if "%5Ble%5D" in q]
    assert exact, "shared-timestamp windows were listed second by second"
    assert any("sort=-documentId" in q for q in exact), "7 records in one second need both orders"
    assert not db.execute("select * from failures where stage in ('sync', 'parse')").fetchall()
    assert Counter(regs_upstream.paths(r"^/v4/comments/")).most_common(1)[0][1] == 1


def test_eastern_time_filter_on_incremental_sync(tmp_path, colc, regs_upstream, regs_env):
    db = open_db(tmp_path / "kb.db")
    archive = Archive(tmp_path / "archive")
    run_sync(db, archive, watchlist_path=watchlist(tmp_path, colc, extra=False))
    mark = db["sync_state"].get("regulations.gov:COLC-2023-0006")["watermark"]
    assert mark == max(
        b["data"]["attributes"]["modifyDate"] for b in regs_upstream.recorded.details.values()
    )
    before = len(regs_upstream.log)
    run_sync(db, archive, watchlist_path=watchlist(tmp_path, colc, extra=False))
    queries = [q for _, q in regs_upstream.log[before:]]
    # 2024-01-13T02:01:15Z is 2024-01-12 21:01:15 in New York (EST, UTC-5).
    from scrapers.regulations_gov.fetch import eastern_filter_time

    expected = eastern_filter_time(mark).replace(" ", "+").replace(":", "%3A")
    assert all(expected in q for q in queries), queries


@pytest.mark.parametrize("kind", ["429", "500", "503", "truncate", "reset", "slow"])
def test_sync_survives_misbehaving_upstream(
    tmp_path, colc, regs_upstream, regs_env, monkeypatch, kind
):
    monkeypatch.setenv("KB_HTTP_TIMEOUT", "0.5")
    regs_upstream.fault(kind, r"/v4/comments/COLC-2023-0006-0010", times=2, delay=1.5)
    regs_upstream.fault(kind, r"/v4/comments\?", times=1, delay=1.5)
    regs_upstream.fault(kind, r"/COLC-2023-0006-0001/content.pdf", times=1, delay=1.5)
    db = open_db(tmp_path / "kb.db")
    run_sync(
        db, Archive(tmp_path / "archive"), watchlist_path=watchlist(tmp_path, colc, extra=False)
    )
    assert db.execute("select count(*) from documents where kind = 'comment'").fetchone()[0] == 497
    assert db["documents"].get("COLC-2023-0006-0010")["richness"] == 3
    assert db["attachments"].get("COLC-2023-0006-0001/0.pdf")["status"] == "ok"
    assert not db.execute("select * from failures where item like '%0010%'").fetchall()


def test_persistent_failure_is_reported_and_batch_goes_on(tmp_path, colc, regs_upstream, regs_env):
    regs_upstream.fault("503", r"/v4/comments/COLC-2023-0006-0042", times=100)
    db = open_db(tmp_path / "kb.db")
    _lines, failed = run_sync(
        db, Archive(tmp_path / "archive"), watchlist_path=watchlist(tmp_path, colc, extra=False)
    )
    assert failed == 1
    row = db.execute(
        "select error, permanent from failures where item = 'COLC-2023-0006-0042'"
    ).fetchone()
    assert "503" in row[0] and row[1] == 0
    assert db.execute("select count(*) from documents where richness = 3").fetchone()[0] == 498
    # The watermark did not move past the failed record: the next sync picks it up.
    assert db["sync_state"].get("regulations.gov:COLC-2023-0006")["watermark"] is None
    regs_upstream.faults.clear()
    run_sync(
        db, Archive(tmp_path / "archive"), watchlist_path=watchlist(tmp_path, colc, extra=False)
    )
    assert db["documents"].get("COLC-2023-0006-0042")["richness"] == 3
    assert not db.execute("select * from failures where item = 'COLC-2023-0006-0042'").fetchall()


def _run_kb_sync(
    tmp_path: Path, wl: Path, env: dict[str, str], kill_at: int | None, upstream
) -> int:
    """Run ``kb sync`` in a subprocess; with ``kill_at``, SIGKILL it when its
    ``kill_at``-th request arrives (that request is never answered)."""
    cmd = [
        sys.executable,
        "-m",
        "kb",
        "--db",
        str(tmp_path / "kb.db"),
        "--archive",
        str(tmp_path / "archive"),
        "sync",
        "--watchlist",
        str(wl),
    ]
    proc = subprocess.Popen(
        cmd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    seen = 0

    def hook(path: str) -> bool:
        nonlocal seen
        seen += 1
        if kill_at is not None and seen >= kill_at:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            return True
        return False

    upstream.on_request = hook
    try:
        return proc.wait(timeout=300)
    finally:
        upstream.on_request = None


@pytest.mark.slow
@pytest.mark.parametrize("kill_points", [(3,), (150, 200), (560,)])
def test_kill_and_resume_ends_identical(tmp_path, colc, regs_upstream, regs_env, kill_points):
    """Killed with -9 at several points and resumed: the same database as an
    uninterrupted sync, and no object (detail or file) was served twice."""
    wl = watchlist(tmp_path, colc)
    clean = tmp_path / "clean"
    clean.mkdir()
    assert _run_kb_sync(clean, wl, regs_env, None, regs_upstream) == 1  # 404s for unrecorded files
    regs_upstream.answered.clear()
    killed = tmp_path / "killed"
    killed.mkdir()
    for point in kill_points:
        assert _run_kb_sync(killed, wl, regs_env, point, regs_upstream) == -signal.SIGKILL
    _run_kb_sync(killed, wl, regs_env, None, regs_upstream)
    objects = Counter(
        p for p in regs_upstream.answered if not re.fullmatch(r"/v4/(comments|documents)", p)
    )
    twice = [p for p, n in objects.items() if n > 1]
    assert not twice, f"served again after the kill: {twice[:5]}"
    assert content(open_db(killed / "kb.db")) == content(open_db(clean / "kb.db"))
