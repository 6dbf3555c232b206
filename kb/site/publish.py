"""Publishing a built site all at once.

``kb build`` writes the new site into a folder beside the live one
(``.<name>.building-<pid>``) and, only when every step has succeeded, exchanges
the two in one ``renameat2(RENAME_EXCHANGE)`` call: a reader (or a static host)
sees the previous complete site or the new complete one, never a half-written
one. A build killed before the exchange leaves the live site untouched, and its
staging folder is removed by the next build.

Every page path built from data stays inside the site (:func:`confined`).

The child processes it starts die with it (:mod:`kb.children`).
"""

from __future__ import annotations

import ctypes
import os
import shutil
from pathlib import Path

from kb.children import libc
from kb.errors import KbError

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def staging_dir(final: Path) -> Path:
    """An empty folder beside ``final`` to build into; stale ones of killed builds removed."""
    prefix = f".{final.name}.building-"
    final.parent.mkdir(parents=True, exist_ok=True)
    for old in final.parent.glob(prefix + "*"):
        pid = old.name.removeprefix(prefix)
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    staging = final.parent / f"{prefix}{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid != os.getpid()


def swap_in(staging: Path, final: Path) -> tuple[int, int]:
    """Make ``staging`` the live ``final`` in one step; (files, bytes) of the new site."""
    files = [p for p in staging.rglob("*") if p.is_file()]
    measured = (len(files), sum(p.stat().st_size for p in files))
    if not final.exists():
        staging.rename(final)
        return measured
    if libc.renameat2(_AT_FDCWD, bytes(staging), _AT_FDCWD, bytes(final), _RENAME_EXCHANGE):
        error = ctypes.get_errno()
        raise OSError(error, f"cannot swap in the new site: {os.strerror(error)}", str(final))
    shutil.rmtree(staging)  # now the previous site
    return measured


def confined(root: Path, rel: str) -> Path:
    """``root / rel``, refused when ``rel`` would lead outside ``root`` (``..``, absolute, NUL)."""
    parts = rel.replace("\\", "/").split("/")
    if "\0" in rel or rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise KbError("unsafe path: it would lead outside the site", item=repr(rel)[:120])
    path = root / rel
    if not path.resolve().is_relative_to(root.resolve()):
        raise KbError("unsafe path: it would lead outside the site", item=repr(rel)[:120])
    return path
