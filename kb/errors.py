"""The one exceptions module of the knowledge base.

Every error a user can meet names the item it is about (a source, a record key,
a file) so that a batch can report it and go on.
"""

from __future__ import annotations


class KbError(Exception):
    """Base class of every error the knowledge base raises on purpose."""

    def __init__(self, message: str, *, item: str | None = None) -> None:
        super().__init__(message)
        self.item = item

    def __str__(self) -> str:
        base = super().__str__()
        return f"{self.item}: {base}" if self.item else base


class UsageError(KbError):
    """The command was called wrongly (exit status 2)."""


class ParseError(KbError):
    """Upstream bytes could not be turned into a valid record.

    ``source`` names the upstream, ``item`` the record key or file, and
    ``archive_path`` the archived body the parse read, when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        item: str | None = None,
        source: str | None = None,
        archive_path: str | None = None,
    ) -> None:
        super().__init__(message, item=item)
        self.source = source
        self.archive_path = archive_path


class ExtractionError(KbError):
    """Text could not be extracted from an attachment (corrupt, encrypted, empty)."""


class FetchError(KbError):
    """A request failed after the fetcher's retries (or failed permanently)."""

    def __init__(self, message: str, *, item: str | None = None, status: int | None = None) -> None:
        super().__init__(message, item=item)
        self.status = status


class ScrapeError(KbError):
    """A scrape came back empty or inconsistent where data was expected."""


class StoreUnusable(KbError):
    """The database or the disk cannot be written (full, read-only, corrupt, locked).

    The one failure that stops a batch: every later item would fail the same way.
    ``kb`` exits with status 3 for it.
    """


class WriterBusy(KbError):
    """Another ``kb`` run is writing the same database (``kb`` exits with status 4)."""


def one_line(exc: BaseException, limit: int = 300) -> str:
    """A one-line reason for an unexpected exception: its type and first line, bounded."""
    if isinstance(exc, KbError):
        text = Exception.__str__(exc)
    elif isinstance(exc, RecursionError):
        text = "nested too deeply"
    else:
        text = f"{type(exc).__name__}: {exc}"
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
    return first if len(first) <= limit else first[: limit - 1] + "…"
