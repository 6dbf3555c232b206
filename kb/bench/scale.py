"""``kb bench scale``: how the cost of each stage grows with the number of documents.

Seeded random subsets of one regulations.gov docket folder (comment texts and titles,
the documents' JSON and attachments of the comments drawn, and the docket's notices)
are written to a scratch folder; each is imported, tagged and built into a fresh
database and site, every stage in a child process of its own (``python -m kb …``)
so that its wall time and its peak memory (the largest resident set of the stage,
from ``wait4``) are its own. The slope of log(time) against log(documents) says how a
stage grows: about 1 is linear, above 1 worse than linear.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kb.errors import KbError, UsageError
from kb.settings import PROJECT_ROOT

SEED = 20261205
STAGES = ("import", "tag", "build")
TEXTS = "comment-text.jsonl.gz"
TITLES = "comment-titles.jsonl.gz"


@dataclass
class Run:
    documents: int
    stage: str
    seconds: float
    peak_mb: float


def _ids(docket: Path) -> list[str]:
    with gzip.open(docket / TEXTS, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["id"] for line in fh if line.strip()]


def _filtered(source: Path, target: Path, keep: set[str]) -> None:
    with (
        gzip.open(source, "rt", encoding="utf-8") as fh,
        gzip.open(target, "wt", encoding="utf-8") as out,
    ):
        for line in fh:
            if line.strip() and json.loads(line)["id"] in keep:
                out.write(line)


def write_subset(docket: Path, n: int, out: Path) -> int:
    """The docket folder with ``n`` comments drawn at random (seeded) into ``out``."""
    ids = _ids(docket)
    keep = set(random.Random(SEED).sample(ids, min(n, len(ids))))
    target = out / docket.name
    target.mkdir(parents=True)
    _filtered(docket / TEXTS, target / TEXTS, keep)
    if (docket / TITLES).is_file():
        _filtered(docket / TITLES, target / TITLES, keep)
    # The Notices, with their documents' records (which their PDFs attach to).
    notices = set()
    if (docket / "notices").is_dir():
        shutil.copytree(docket / "notices", target / "notices")
        notices = {p.name.split(".")[0] for p in (docket / "notices").iterdir()}
    for folder in ("documents", "attachments"):
        if not (docket / folder).is_dir():
            continue
        (target / folder).mkdir()
        for path in (docket / folder).iterdir():
            if path.name.split(".")[0] in keep | notices:
                copy = shutil.copytree if path.is_dir() else shutil.copy2
                copy(path, target / folder / path.name)
    return len(keep)


def _stage(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Run ``python -m kb ARGS``; its wall time and peak resident set (MB) with its children's."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kb", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):  # 1: some items failed, the rest done
        tail = " / ".join(err.strip().splitlines()[-3:])
        raise KbError(f"kb {args[0]} exited {proc.returncode}: {tail}", item=" ".join(args))
    return seconds, usage.ru_maxrss / 1024


def model_cache(db_path: Path) -> Path | None:
    """The fitted stance model cached beside ``db_path`` by an earlier ``kb tag``, if any:
    a subset holds too few labelled documents to fit the production model, so each
    subset's tag stage starts from it (fitting is not part of what is measured)."""
    from nlp.train import labels_hash

    path = db_path.parent / ".kb-cache" / f"stance-model-{labels_hash()}.pickle"
    return path if path.is_file() else None


def measure(docket: Path, sizes: Sequence[int], model: Path | None) -> list[Run]:
    if not (docket / TEXTS).is_file():
        raise UsageError(f"not a docket folder of the corpus (no {TEXTS})", item=str(docket))
    runs = []
    with tempfile.TemporaryDirectory(prefix="kb-scale-") as tmp:
        for n in sizes:
            work = Path(tmp) / str(n)
            drawn = write_subset(docket, n, work / "in")
            if model is not None:
                (work / ".kb-cache").mkdir()
                shutil.copy2(model, work / ".kb-cache" / model.name)
            env = {
                **os.environ,
                "PYTHONPATH": str(PROJECT_ROOT),
                "KB_DB": str(work / "kb.db"),
                "KB_NO_PROGRESS": "1",
            }
            for stage, args in (
                ("import", ["import", str(work / "in")]),
                ("tag", ["tag"]),
                ("build", ["build", "--out", str(work / "site")]),
            ):
                seconds, peak = _stage(args, env, work)
                runs.append(Run(drawn, stage, seconds, peak))
            shutil.rmtree(work)
    return runs


def slope(points: Sequence[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(seconds) against log(documents)."""
    pts = [(math.log(n), math.log(s)) for n, s in points if n > 0 and s > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    var = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / var if var else None


def report(runs: Sequence[Run]) -> str:
    sizes = sorted({r.documents for r in runs})
    lines = [
        "stage    " + "".join(f"{n:>20,}" for n in sizes) + "   slope",
        "         " + "".join(f"{'s / peak MB':>20}" for _ in sizes),
    ]
    for stage in STAGES:
        cells = {r.documents: r for r in runs if r.stage == stage}
        k = slope([(n, cells[n].seconds) for n in sizes if n in cells])
        lines.append(
            f"{stage:8} "
            + "".join(
                f"{cells[n].seconds:>11.1f} / {cells[n].peak_mb:>5.0f}" if n in cells else " " * 20
                for n in sizes
            )
            + (f"   {k:5.2f}" if k is not None else "      -")
        )
    lines.append(
        "slope: of log(time) against log(documents); 1 is linear, above 1 worse than linear"
    )
    return "\n".join(lines)
