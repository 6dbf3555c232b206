"""``kb bench engines``: ``kb tag`` run by each engine on the same documents, timed, and
whether every engine stored the same database.

A seeded random subset of a docket folder is imported into one database; the stance
model is fitted (or copied from the cache of ``--db``) once and is not timed. Each
engine then tags a copy of that database from scratch: this process alone (``inline``),
a forked pool, and a local Dask cluster, at 1 and 2 workers. The table hashes of the
copies (timestamps left out) are compared with the inline run's.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from kb.bench.scale import write_subset
from kb.bench.table_hash import table_hashes
from kb.importer import import_paths
from kb.store import open_db

#: (engine, workers) in the order they run; the first is the reference.
RUNS = (("inline", 1), ("fork", 1), ("fork", 2), ("dask", 1), ("dask", 2))
WHEN = frozenset({"last_started", "last_finished"})


@dataclass
class EngineRun:
    engine: str
    workers: int
    seconds: float
    identical: bool


def measure(docket: Path, documents: int, model: Path | None) -> tuple[int, list[EngineRun]]:
    from nlp.tag import tag_documents

    runs: list[EngineRun] = []
    with tempfile.TemporaryDirectory(prefix="kb-engines-") as tmp:
        base = Path(tmp) / "base"
        drawn = write_subset(docket, documents, base / "in")
        db = open_db(base / "kb.db")
        import_paths(db, [base / "in"])
        db.close()
        cache = base / ".kb-cache"
        cache.mkdir()
        if model is not None:
            shutil.copy2(model, cache / model.name)
        reference: dict[str, str] | None = None
        for engine, workers in RUNS:
            work = Path(tmp) / f"{engine}-{workers}"
            work.mkdir()
            shutil.copy(base / "kb.db", work / "kb.db")
            if not any(cache.iterdir()):  # fit the model once, untimed
                fit = open_db(work / "kb.db")
                tag_documents(fit, None, engine="inline")
                fit.close()
                shutil.copytree(work / ".kb-cache", cache, dirs_exist_ok=True)
                shutil.copy(base / "kb.db", work / "kb.db")
            shutil.copytree(cache, work / ".kb-cache", dirs_exist_ok=True)
            db = open_db(work / "kb.db")
            start = time.perf_counter()
            tag_documents(db, None, engine=engine, workers=workers)
            seconds = time.perf_counter() - start
            db.close()
            hashes = table_hashes(work / "kb.db", WHEN)
            reference = reference or hashes
            runs.append(EngineRun(engine, workers, seconds, hashes == reference))
            shutil.rmtree(work)
    return drawn, runs


def report(documents: int, runs: list[EngineRun]) -> str:
    lines = [f"kb tag on {documents:,} documents (model fitted beforehand, not timed)"]
    lines.append(f"{'engine':8} {'workers':>7} {'seconds':>9}  same database as inline")
    for r in runs:
        same = "yes" if r.identical else "NO"
        lines.append(f"{r.engine:8} {r.workers:>7} {r.seconds:>9.1f}  {same}")
    return "\n".join(lines)
