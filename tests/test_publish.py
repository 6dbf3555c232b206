"""``kb build`` killed with SIGKILL: the live site stays the previous complete one, and no
child process (``mkdocs build``) outlives the kill."""

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

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261204


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


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in cmdline and int(proc.name) != os.getpid():
                found.append(int(proc.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


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


@pytest.mark.slow
def test_a_killed_build_leaves_the_previous_site_served(tmp_path, small_db, capsys):
    site = tmp_path / "site"
    started = time.monotonic()
    first = _build(small_db, site, tmp_path)
    _, err = first.communicate(timeout=900)
    assert first.returncode == 0, err
    duration = time.monotonic() - started
    before = _site_hash(site)
    rng = random.Random(SEED)
    kills = 0
    for _ in range(5):
        run = _build(small_db, site, tmp_path)
        try:
            run.wait(timeout=rng.uniform(0.5, duration))
        except subprocess.TimeoutExpired:
            run.send_signal(signal.SIGKILL)
            run.wait()
            kills += 1
            assert _site_hash(site) == before  # never a half-written site
        before = _site_hash(site)
    # Killed while mkdocs runs: the child dies with its parent.
    run = _build(small_db, site, tmp_path)
    config = str(tmp_path / "build" / "mkdocs.yml")
    deadline = time.monotonic() + 600
    while not _processes_mentioning(config) and run.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    children = _processes_mentioning(config)
    mkdocs_seen = bool(children)
    run.send_signal(signal.SIGKILL)
    run.wait()
    # The kernel's SIGKILL to the child is asynchronous and a loaded machine may take a
    # moment to tear down its memory; an orphan would instead go on building for as long
    # as a whole mkdocs run takes, far longer than this wait.
    gone_by = time.monotonic() + min(5.0, duration / 4)
    while [pid for pid in children if _running(pid)] and time.monotonic() < gone_by:
        time.sleep(0.05)
    assert [pid for pid in children if _running(pid)] == []
    assert _site_hash(site) == before
    # The next build completes, swaps in, and leaves no staging folder behind.
    last = _build(small_db, site, tmp_path)
    _, err = last.communicate(timeout=900)
    assert last.returncode == 0, err
    assert (site / "index.html").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []
    with capsys.disabled():
        print(
            f"\nkill -9 of kb build: {kills} random kills + 1 during mkdocs "
            f"(child seen: {mkdocs_seen}); the live site was the previous complete one each time"
        )
    assert mkdocs_seen
