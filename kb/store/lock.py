"""One writer at a time: a lock file beside the database.

``kb import``, ``kb sync``, ``kb tag`` and ``kb update`` hold an exclusive
``flock`` on ``<database>.lock`` while they run, and write into it which command
holds it and since when. A second writer waits up to ``$KB_LOCK_WAIT`` seconds
(default 0), then refuses with ``another kb import is running since … (pid …)``:
it never writes alongside. The kernel drops the lock when the holder exits,
however it exits (``kill -9`` included), so a stale lock file never blocks.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kb.errors import WriterBusy
from kb.records import now_iso


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def _wait_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get("KB_LOCK_WAIT") or 0))
    except ValueError:
        return 0.0


@contextmanager
def writer_lock(db_path: Path, command: str) -> Iterator[None]:
    """Hold the database's writer lock for the duration, or raise :class:`WriterBusy`."""
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed in finally below
    try:
        deadline = time.monotonic() + _wait_seconds()
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "kb command is running"
                    raise WriterBusy(
                        f"another {holder}; try again when it has finished "
                        "(or set $KB_LOCK_WAIT to wait for it)",
                        item=str(db_path),
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"kb {command} is running since {now_iso()} (pid {os.getpid()})\n")
        handle.flush()
        yield
        handle.seek(0)
        handle.truncate()
    finally:
        handle.close()
