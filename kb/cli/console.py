"""Terminal output: progress on stderr, logging with secrets redacted."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kb.net.secrets import redact_text

stderr = Console(stderr=True)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage())
        record.args = None
        return True


def setup_logging(verbose: bool = False) -> None:
    handler = RichHandler(console=stderr, show_path=False, show_time=False)
    handler.addFilter(RedactingFilter())
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, handlers=[handler], force=True
    )


@contextmanager
def progress_bar(label: str, total: int | None) -> Iterator[Progress]:
    """A progress bar on stderr (hidden when stderr is not a terminal)."""
    disable = not sys.stderr.isatty() or bool(os.environ.get("KB_NO_PROGRESS"))
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        disable=disable,
        transient=True,
    ) as progress:
        progress.add_task(label, total=total)
        yield progress


def summary(line: str) -> None:
    """The one-line summary every command ends with, on stderr."""
    print(line, file=sys.stderr, flush=True)
