"""``kb build`` killed with SIGKILL: the live site is always a complete one (the previous
or the new), a re-run gives the site an uninterrupted build gives, byte for byte, and
no child process (``mkdocs build``) outlives the kill."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb.importer import import_paths
from kb.store import open_db
from tests.processes import children_of, processes_mentioning, survivors

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261204
KILLS = 20


def _site_hash(site: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(site)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _build(db: Path, site: Path, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kb", "--db", str(db), "build", "--out", str(site)],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), "KB_NO_PROGRESS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def small_db(tmp_path, colc) -> Path:
    folder = tmp_path / "in" / "documents"
    folder.mkdir(parents=True)
    for path in sorted((colc / "documents").glob("COLC-2023-0006-00[0-2]*.json")):
        shutil.copy(path, folder)
    db = open_db(tmp_path / "kb.db")
    import_paths(db, [tmp_path / "in"])
    db.conn.close()
    return tmp_path / "kb.db"


@pytest.fixture
def larger_db(tmp_path, colc) -> Path:
    """The small database's documents and twenty more: a site that differs."""
    folder = tmp_path / "in-larger" / "documents"
    folder.mkdir(parents=True)
    for path in sorted((colc / "documents").glob("COLC-2023-0006-00[0-4]*.json")):
        shutil.copy(path, folder)
    db = open_db(tmp_path / "larger.db")
    import_paths(db, [tmp_path / "in-larger"])
    db.conn.close()
    return tmp_path / "larger.db"


def _complete_build(db: Path, site: Path, cwd: Path) -> float:
    started = time.monotonic()
    run = _build(db, site, cwd)
    _, err = run.communicate(timeout=900)
    assert run.returncode == 0, err
    return time.monotonic() - started


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in children_of(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


@pytest.mark.slow
def test_killed_builds_publish_whole_sites_and_resume_identical(
    tmp_path, small_db, larger_db, capsys
):
    """20 seeded kills, each building the other database than the live site's: after each
    kill the live site is the previous complete one or the new complete one, no child
    outlives the kill, and the re-run gives the site an uninterrupted build gives."""
    dbs = (small_db, larger_db)
    durations = [_complete_build(db, tmp_path / f"ref-{n}", tmp_path) for n, db in enumerate(dbs)]
    reference = [_site_hash(tmp_path / f"ref-{n}") for n in range(2)]
    assert reference[0] != reference[1]
    site = tmp_path / "site"
    _complete_build(small_db, site, tmp_path)
    rng = random.Random(SEED)
    kills, children, orphans, whole, swapped, identical = 0, 0, [], 0, 0, 0
    for n in range(KILLS):
        new = (n + 1) % 2
        run = _build(dbs[new], site, tmp_path)
        try:
            run.wait(timeout=rng.uniform(0.2, durations[new]))
        except subprocess.TimeoutExpired:
            below = _descendants(run.pid)
            run.send_signal(signal.SIGKILL)
            run.wait()
            kills, children = kills + 1, children + len(below)
            orphans += survivors(below)
        live = _site_hash(site)
        whole += live in (reference[1 - new], reference[new])
        swapped += live == reference[new]
        _complete_build(dbs[new], site, tmp_path)
        identical += _site_hash(site) == reference[new]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []
    with capsys.disabled():
        print(
            f"\nkill -9 of kb build ({kills} of {KILLS} killed before the end, seed {SEED}): "
            f"the live site was a whole one {whole}/{KILLS} times ({swapped} the new one); the re-run was identical "
            f"to an uninterrupted build {identical}/{KILLS} times; {children} child processes "
            f"at the kills, {len(orphans)} outlived them"
        )
    assert kills >= KILLS * 3 // 4
    assert (whole, identical, orphans) == (KILLS, KILLS, [])


@pytest.mark.slow
def test_a_build_killed_during_mkdocs_takes_mkdocs_with_it(tmp_path, small_db, capsys):
    site = tmp_path / "site"
    duration = _complete_build(small_db, site, tmp_path)
    before = _site_hash(site)
    run = _build(small_db, site, tmp_path)
    config = str(tmp_path / "build" / "mkdocs.yml")
    deadline = time.monotonic() + 600
    while not processes_mentioning(config) and run.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    children = processes_mentioning(config)
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert children, "the build ended before mkdocs was seen"
    assert survivors(children, min(5.0, duration / 4)) == []
    assert _site_hash(site) == before
    # The next build completes, swaps in, and leaves no staging folder behind.
    _complete_build(small_db, site, tmp_path)
    assert (site / "index.html").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []
