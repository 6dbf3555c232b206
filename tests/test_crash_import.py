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
from pathlib import Path

import pytest

from kb.settings import corpus_paths
from tests.table_hash import table_hashes

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


@pytest.mark.slow
def test_killed_imports_resume_to_the_uninterrupted_result(tmp_path, corpus, capsys):
    clean = tmp_path / "clean.db"
    started = time.monotonic()
    run = _import(clean, corpus)
    assert run.wait(timeout=600) == 0, run.stderr.read()  # type: ignore[union-attr]
    duration = time.monotonic() - started
    expected = table_hashes(clean)
    rng = random.Random(SEED)
    identical, killed = 0, 0
    differing: list[tuple[float, list[str]]] = []
    for n in range(KILLS):
        db = tmp_path / f"killed-{n}.db"
        at = rng.uniform(0.3, duration)
        run = _import(db, corpus)
        try:
            run.wait(timeout=at)
        except subprocess.TimeoutExpired:
            run.send_signal(signal.SIGKILL)
            run.wait()
            killed += 1
        resume = _import(db, corpus)
        _, err = resume.communicate(timeout=600)
        assert resume.returncode == 0, err
        got = table_hashes(db)
        if got == expected:
            identical += 1
        else:
            differing.append((at, sorted(k for k in expected if expected[k] != got.get(k))))
    with capsys.disabled():
        print(
            f"\nkill -9 of kb import ({killed} of {KILLS} killed before the end, seed {SEED}): "
            f"{identical}/{KILLS} resumed identical to an uninterrupted run"
        )
    assert killed >= KILLS // 2
    assert differing == []
