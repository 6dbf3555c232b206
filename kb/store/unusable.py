"""Whether an exception means the database or the disk, not the item, is the problem:
then a batch stops (exit status 3) instead of recording the item as failed and going on."""

from __future__ import annotations

import errno
import sqlite3

from kb.errors import StoreUnusable, one_line

#: OS errors that mean the disk, not the item, is the problem.
_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO})
#: SQLite messages that mean the database, not the item, is the problem.
_DB_MESSAGES = (
    "disk",
    "full",
    "locked",
    "readonly",
    "read-only",
    "i/o",
    "malformed",
    "not a database",
    "unable to open",
    "no such table",
    "no such column",
)


def store_unusable(exc: BaseException) -> bool:
    """True when ``exc`` says the database or the disk cannot be used any more."""
    if isinstance(exc, StoreUnusable):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        message = str(exc).lower()
        return any(word in message for word in _DB_MESSAGES)
    if type(exc) is sqlite3.DatabaseError:
        return True
    return isinstance(exc, OSError) and exc.errno in _DISK_ERRNOS


def as_unusable(exc: BaseException, item: str) -> StoreUnusable:
    if isinstance(exc, StoreUnusable):
        return exc
    return StoreUnusable(f"database or disk unusable: {one_line(exc)}", item=item)
