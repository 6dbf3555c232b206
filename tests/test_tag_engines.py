"""``kb tag`` gives the same database whichever engine runs its per-document work: this
process alone, or a Dask cluster of two worker processes (on a seeded random subset of
the recorded comments)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kb.bench.scale import write_subset
from kb.bench.table_hash import table_hashes
from kb.importer import import_paths
from kb.store import open_db
from nlp.tag import tag_documents

ROOT = Path(__file__).resolve().parent.parent
#: When the run went, not what it stored.
WHEN = frozenset({"last_started", "last_finished"})


def _tagged(base: Path, name: str, **engine: object) -> Path:
    work = base.parent / name
    work.mkdir()
    shutil.copy(base, work / "kb.db")
    shutil.copytree(base.parent / ".kb-cache", work / ".kb-cache")
    db = open_db(work / "kb.db")
    report = tag_documents(db, None, **engine)  # type: ignore[arg-type]
    db.close()
    assert report.tagged == report.considered > 0
    return work / "kb.db"


@pytest.mark.slow
def test_dask_cluster_stores_what_one_process_stores(colc: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    drawn = write_subset(colc, 200, tmp_path / "in")
    base = tmp_path / "base" / "kb.db"
    base.parent.mkdir()
    db = open_db(base)
    import_paths(db, [tmp_path / "in"])
    # The model the runs share, fitted once (from the labelled comments the subset holds).
    tag_documents(db, None, engine="inline")
    db.execute("update documents set tagged_sha = null, tagger_version = null")
    db.conn.commit()
    db.close()
    (base.parent / ".kb-cache").mkdir(exist_ok=True)
    inline = _tagged(base, "inline", engine="inline")
    dask = _tagged(base, "dask", engine="dask", workers=2)
    one, two = table_hashes(inline, WHEN), table_hashes(dask, WHEN)
    assert one == two, [t for t in one if one[t] != two.get(t)]
    conn = open_db(dask)
    tagged = conn.execute("select count(*) from documents where tagger_version is not null")
    assert tagged.fetchone()[0] >= drawn
    assert conn.execute("select count(*) from positions").fetchone()[0] > 0


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path, colc: Path) -> None:
    pytest.importorskip("distributed")
    db = tmp_path / "kb.db"
    run = [sys.executable, "-m", "kb", "--db", str(db)]
    write_subset(colc, 20, tmp_path / "in")
    subprocess.run(
        [*run, "import", str(tmp_path / "in")],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    done = subprocess.run(
        [*run, "tag", "--scheduler", "tcp://127.0.0.1:9"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "cannot reach the Dask scheduler" in done.stderr
    assert "Traceback" not in done.stderr
