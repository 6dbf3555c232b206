"""``kb import`` killed with SIGKILL at seeded random points, then resumed, ends as one uninterrupted run.

Compared table by table with a content hash (timestamps and row numbering excluded).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kb.bench.table_hash import table_hashes
from kb.settings import corpus_paths

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261204
KILLS = 20


def _import(db: Path, corpus: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kb", "--db", str(db), "import", *map(str, corpus_paths(corpus))],
        env={**os.environ, "PYTHONPATH": str(ROOT), "KB_NO_PROGRESS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_and_resume(db: Path, corpus: Path, at: float) -> bool:
    """Kill an import ``at`` seconds in (unless it ended first), then resume it; was it killed?"""
    run = _import(db, corpus)
    try:
        run.wait(timeout=at)
        killed = False
    except subprocess.TimeoutExpired:
        run.send_signal(signal.SIGKILL)
        run.wait()
        killed = True
    resume = _import(db, corpus)
    _, err = resume.communicate(timeout=900)
    assert resume.returncode == 0, err
    return killed


@pytest.mark.slow
def test_killed_imports_resume_to_the_uninterrupted_result(tmp_path, corpus, capsys):
    clean = tmp_path / "clean.db"
    started = time.monotonic()
    run = _import(clean, corpus)
    assert run.wait(timeout=900) == 0, run.stderr.read()  # type: ignore[union-attr]
    duration = time.monotonic() - started
    expected = table_hashes(clean)
    rng = random.Random(SEED)
    # Within the run: two imports at a time are each slower than the one timed alone.
    points = [rng.uniform(0.3, 0.9 * duration) for _ in range(KILLS)]
    with ThreadPoolExecutor(2) as lanes:
        outcomes = list(
            lanes.map(
                lambda n: _kill_and_resume(tmp_path / f"killed-{n}.db", corpus, points[n]),
                range(KILLS),
            )
        )
    killed = sum(outcomes)
    differing = []
    for n, at in enumerate(points):
        got = table_hashes(tmp_path / f"killed-{n}.db")
        if got != expected:
            differing.append(
                (round(at, 1), sorted(k for k in expected if expected[k] != got.get(k)))
            )
    with capsys.disabled():
        print(
            f"\nkill -9 of kb import ({killed} of {KILLS} killed before the end, seed {SEED}, "
            f"at 0.3-{0.9 * duration:.1f} s of a {duration:.1f} s run): "
            f"{KILLS - len(differing)}/{KILLS} resumed identical to an uninterrupted run"
        )
    assert killed >= KILLS - 2
    assert differing == []
