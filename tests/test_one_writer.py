"""One writer at a time: a second ``kb import`` waits or refuses, never writes alongside."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kb.bench.table_hash import table_hashes
from kb.store import open_db

ROOT = Path(__file__).resolve().parent.parent


def _kb(db: Path, *args: str, wait: float = 0) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "KB_NO_PROGRESS": "1",
        "KB_LOCK_WAIT": str(wait),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "kb", "--db", str(db), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_second_writer_is_refused_while_the_first_runs(tmp_path, colc):
    db = tmp_path / "kb.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from kb.store.lock import writer_lock\n"
            "with writer_lock(Path(sys.argv[1]), 'import'):\n"
            "    print('held', flush=True); time.sleep(60)",
            str(db),
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        second = _kb(db, "import", str(colc / "documents"))
        _, err = second.communicate(timeout=60)
        assert second.returncode == 4, err
        assert "another kb import is running since 20" in err and f"(pid {holder.pid})" in err
        assert "Traceback" not in err
        assert not db.exists() or open_db(db)["documents"].count == 0
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # The kernel dropped the killed holder's lock: the next run goes ahead.
    third = _kb(db, "import", str(colc / "documents"))
    _, err = third.communicate(timeout=120)
    assert third.returncode == 0, err
    assert open_db(db)["documents"].count > 0


@pytest.mark.slow
def test_two_imports_at_once_end_as_one(tmp_path, corpus):
    """Started together: one waits for the other; the result is one import's, no duplicates."""
    src = str(corpus / "regulations.gov")
    single = tmp_path / "single.db"
    one = _kb(single, "import", src)
    _, err = one.communicate(timeout=300)
    assert one.returncode == 0, err
    created = re.search(r"\d+ documents created", err)
    assert created and created.group() != "0 documents created"
    both = tmp_path / "both.db"
    runs = [_kb(both, "import", src, wait=300) for _ in range(2)]
    outcomes = [(run.wait(timeout=600), run.stderr.read()) for run in runs]  # type: ignore[union-attr]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    # One created them all; the one that waited found every document unchanged.
    assert sorted(created.group() in err for _, err in outcomes) == [False, True]
    assert table_hashes(single) == table_hashes(both)
    refused = tmp_path / "refused.db"
    runs = [_kb(refused, "import", src) for _ in range(2)]
    codes = sorted(run.wait(timeout=600) for run in runs)
    assert codes == [0, 4]
    assert table_hashes(single) == table_hashes(refused)
