"""Per-item isolation for ``kb import``: one bad item never stops the batch.

Any exception raised while one item (a file, a line, a record) is parsed,
extracted or loaded is recorded in ``failures`` with the item, the stage and a
one-line reason, and the batch goes on. The only exception is a database or
disk that cannot be written: every later item would fail the same way, so it
stops the batch as :class:`~kb.errors.StoreUnusable` (exit status 3).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kb.errors import KbError, ParseError, StoreUnusable, one_line
from kb.store.unusable import as_unusable, store_unusable

if TYPE_CHECKING:
    from kb.importer import Importer


@contextmanager
def isolated(importer: Importer, path: Path, item: str, stage: str) -> Iterator[None]:
    """Run one item's work; record any failure of it and let the batch go on."""
    try:
        yield
    except StoreUnusable:
        raise
    except KbError as exc:
        if not exc.item:
            exc.item = item
        importer.fail(exc, path, stage)
    except Exception as exc:  # every item failure is recorded, never passed over
        if store_unusable(exc):
            raise as_unusable(exc, item) from exc
        importer.fail(ParseError(one_line(exc), item=item), path, stage)
