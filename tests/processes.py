"""Looking at processes through ``/proc``: is one still running, whose child is it."""

from __future__ import annotations

import os
import time
from pathlib import Path


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children_of(parent: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(proc.name))
    return found


def processes_mentioning(text: str) -> list[int]:
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


def survivors(pids: list[int], grace: float = 5.0) -> list[int]:
    """Which of ``pids`` still run after ``grace`` seconds.

    The kernel's SIGKILL to a child is asynchronous and a loaded machine may take a
    moment to tear down its memory; an orphan would instead go on for as long as its
    whole task takes, far longer than this wait.
    """
    deadline = time.monotonic() + grace
    while [p for p in pids if running(p)] and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p for p in pids if running(p)]
