"""``kb tag`` killed with SIGKILL at seeded random points, then resumed, ends as one
uninterrupted run; no pool worker outlives the kill.

A real subset of the corpus (the first 150 recorded COLC-2023-0006 documents, stored 25
to a transaction) keeps each run to a few seconds. Most of a run is loading (the spaCy
pipeline, the stance model), so a kill point is a seeded random number of stored
batches (none, some, all: then the end-of-run steps run) plus a seeded random moment,
which falls where the database is written whatever the machine's load. A killed run
leaves its pool workers' pids behind; each must be gone within seconds (they are armed
with ``PR_SET_PDEATHSIG``), where an orphan would go on for the rest of its task.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kb.bench.table_hash import table_hashes
from kb.importer import import_paths
from kb.store import open_db
from tests.processes import children_of, survivors

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261205
KILLS = 20
DOCUMENTS = 150
BATCH = 25
#: When the run went, not what it stored.
WHEN = frozenset({"last_started", "last_finished"})


def _tag(db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kb", "--db", str(db), "tag"],
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "KB_NO_PROGRESS": "1",
            "KB_TAG_BATCH": str(BATCH),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _tagged(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute(
                "select count(*) from documents where tagger_version is not null"
            ).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def _clean_run(base: Path, db: Path) -> tuple[float, float]:
    """An uninterrupted run: when its first batch was stored, and when it ended."""
    shutil.copy(base, db)
    started = time.monotonic()
    run = _tag(db)
    first = None
    while run.poll() is None:
        if first is None and _tagged(db):
            first = time.monotonic() - started
        time.sleep(0.05)
    assert run.returncode == 0, run.stderr.read()  # type: ignore[union-attr]
    duration = time.monotonic() - started
    return first or duration, duration


@pytest.fixture
def base(tmp_path, colc) -> Path:
    folder = tmp_path / "in" / "documents"
    folder.mkdir(parents=True)
    for path in sorted((colc / "documents").glob("*.json"))[:DOCUMENTS]:
        shutil.copy(path, folder)
    db = open_db(tmp_path / "base.db")
    import_paths(db, [tmp_path / "in"])
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return tmp_path / "base.db"


@dataclass
class Cycle:
    """One kill and its resume: where the kill fell, and how the resume ended."""

    point: str
    killed: bool = False
    workers: list[int] = field(default_factory=list)
    orphans: list[int] = field(default_factory=list)
    differing: list[str] = field(default_factory=list)


def _kill_and_resume(db: Path, threshold: int, delay: float, expected: dict[str, str]) -> Cycle:
    """Kill a run ``delay`` seconds after ``threshold`` documents were stored, then resume."""
    cycle = Cycle(f"{threshold} stored + {delay:.2f} s")
    run = _tag(db)
    while run.poll() is None and _tagged(db) < threshold:
        time.sleep(0.02)
    try:
        run.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        cycle.workers = children_of(run.pid)
        run.send_signal(signal.SIGKILL)
        run.wait()
        cycle.killed = True
        cycle.orphans = survivors(cycle.workers)
    resume = _tag(db)
    _, err = resume.communicate(timeout=600)
    assert resume.returncode == 0, err
    got = table_hashes(db, ignore=WHEN)
    cycle.differing = sorted(k for k in expected if expected[k] != got.get(k))
    return cycle


@pytest.mark.slow
def test_killed_tag_runs_resume_to_the_uninterrupted_result(tmp_path, base, capsys):
    # The first run fits the stance model and caches it beside the databases; the second,
    # like every later one, loads it, and gives the timings the kill points are drawn from.
    _clean_run(base, tmp_path / "first.db")
    first, duration = _clean_run(base, tmp_path / "clean.db")
    expected = table_hashes(tmp_path / "clean.db", ignore=WHEN)
    assert table_hashes(tmp_path / "first.db", ignore=WHEN) == expected
    rng = random.Random(SEED)
    # A kill point: once a number of documents is stored (0: from the start, while the run
    # loads; all of them: during the end-of-run steps), and a random moment after that.
    points = []
    for _ in range(KILLS):
        threshold = rng.choice(range(0, DOCUMENTS + 1, BATCH))
        delay = rng.uniform(max(first - 1.0, 0.0), first) if threshold == 0 else rng.random() / 2
        points.append((threshold, delay))
    for n in range(KILLS):
        shutil.copy(base, tmp_path / f"killed-{n}.db")
    # Two kills at a time: the points are counted in stored documents, not seconds.
    with ThreadPoolExecutor(2) as lanes:
        cycles = list(
            lanes.map(
                lambda n: _kill_and_resume(tmp_path / f"killed-{n}.db", *points[n], expected),
                range(KILLS),
            )
        )
    killed = [c for c in cycles if c.killed]
    orphans = [pid for c in cycles for pid in c.orphans]
    identical = sum(not c.differing for c in cycles)
    with capsys.disabled():
        print(
            f"\nkill -9 of kb tag ({len(killed)} of {KILLS} killed before the end, seed {SEED}; "
            f"an uninterrupted run stores its first batch at {first:.1f} s of {duration:.1f} s): "
            f"{identical}/{KILLS} resumed identical to an uninterrupted run; "
            f"{sum(len(c.workers) for c in killed)} pool workers alive at the kills, "
            f"{len(orphans)} outlived them"
        )
    assert len(killed) >= KILLS * 3 // 4
    assert orphans == []
    assert [(c.point, c.differing) for c in cycles if c.differing] == []


@pytest.fixture
def small(tmp_path, colc):
    """The first 40 recorded documents, imported (one campaign among them)."""
    folder = tmp_path / "in-small" / "documents"
    folder.mkdir(parents=True)
    for path in sorted((colc / "documents").glob("*.json"))[:40]:
        shutil.copy(path, folder)
    db = open_db(tmp_path / "small.db")
    import_paths(db, [tmp_path / "in-small"])
    return db


def test_a_batch_is_stored_whole_or_not_at_all(small, monkeypatch):
    """A run that dies while storing a batch's mentions leaves none of the batch tagged
    (the kill points above rarely fall in so short a window)."""
    import nlp.tag

    def die(*args, **kwargs):
        raise KeyboardInterrupt  # as good as a kill for what was committed

    monkeypatch.setattr(nlp.tag, "replace_links_bulk", die)
    with pytest.raises(KeyboardInterrupt):
        nlp.tag.tag_documents(small, None)
    stored = small.execute("select count(*) from documents where tagger_version is not null")
    assert stored.fetchone()[0] == 0
    assert small.execute("select count(*) from positions").fetchone()[0] == 0


def test_end_of_run_steps_are_redone_after_a_kill(small, tmp_path, monkeypatch):
    """Killed after its last batch and before the campaigns, organisations and replies were
    stored: the next run, with no document left to tag, stores them, and the database is
    the one an uninterrupted run leaves."""
    import nlp.tag

    small.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(tmp_path / "small.db", tmp_path / "clean.db")
    nlp.tag.tag_documents(open_db(tmp_path / "clean.db"), None)

    def die(*args, **kwargs):
        raise KeyboardInterrupt  # as good as a kill for what was committed

    monkeypatch.setattr(nlp.tag, "refresh_campaigns", die)
    with pytest.raises(KeyboardInterrupt):
        nlp.tag.tag_documents(small, None)
    monkeypatch.undo()
    assert small.execute("select count(*) from organizations").fetchone()[0] == 0
    assert nlp.tag.tag_documents(small, None).considered == 0
    assert small.execute("select count(*) from organizations").fetchone()[0] > 0
    assert small.table("sync_state").get(nlp.tag.TAG_STATE)["last_status"] == "ok"
    small.conn.close()
    expected = table_hashes(tmp_path / "clean.db", ignore=WHEN)
    got = table_hashes(tmp_path / "small.db", ignore=WHEN)
    assert [t for t in expected if expected[t] != got.get(t)] == []
