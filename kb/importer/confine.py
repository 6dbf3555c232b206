"""What ``kb import`` agrees to read: regular files of a known type, within bounds.

A symbolic link, a device, a FIFO or a socket is refused (a link could publish
any file the importing user can read); a file of no type ``kb import`` reads is
skipped before a byte of it is read; a file larger than
:class:`kb.settings.InputLimits`' ``file_size`` is refused with the setting
that raises the bound.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kb.errors import KbError
from kb.settings import InputLimits

#: Name endings of the files ``kb import`` reads (attachments are matched apart).
READABLE_ENDINGS = (
    ".json",
    ".jsonl",
    ".jsonl.gz",
    ".xml",
    ".htm",
    ".html",
    ".txt",
    ".md",
    ".pdf",
    ".docx",
)


NOT_UTF8_NAME = "file name is not UTF-8: refused (rename the file)"


def printable(path: Path) -> str:
    """The path as text that can be stored and shown (undecodable bytes as ``\\udcXX``)."""
    return str(path).encode("utf-8", "backslashreplace").decode("utf-8")


def readable_type(path: Path) -> bool:
    return path.name.lower().endswith(READABLE_ENDINGS)


def read_input(path: Path, item: str) -> bytes:
    """The bytes of a regular file, never through a link, within the size bound."""
    try:
        info = path.lstat()
    except OSError as exc:
        raise KbError(f"cannot read: {exc.strerror}", item=item) from None
    if stat.S_ISLNK(info.st_mode):
        raise KbError("a symbolic link: refused (import the file it points to)", item=item)
    if not stat.S_ISREG(info.st_mode):
        raise KbError("not a regular file: refused", item=item)
    limit = InputLimits().file_size
    if info.st_size > limit:
        raise KbError(
            f"{info.st_size // (1024 * 1024)} MB is more than the {limit // (1024 * 1024)} MB "
            "a file may have (raise $KB_MAX_FILE_MB to allow it)",
            item=item,
        )
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise KbError(f"cannot read: {exc.strerror}", item=item) from None
    with os.fdopen(fd, "rb") as handle:
        return handle.read(limit + 1)
