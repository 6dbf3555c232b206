"""What one source's sync did, for ``kb sync``'s summary and exit status."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlite_utils import Database

from kb.errors import KbError
from kb.store.load import record_failure


@dataclass
class SourceReport:
    source: str
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[KbError] = field(default_factory=list)

    def fail(self, db: Database, stage: str, error: KbError, *, permanent: bool = False) -> None:
        self.errors.append(error)
        record_failure(
            db, stage, self.source, str(error.item or self.source), str(error), permanent
        )

    def summary(self) -> str:
        parts = ", ".join(f"{v} {k}" for k, v in sorted(self.counts.items()))
        return f"{self.source}: {parts or 'nothing to do'}, {len(self.errors)} errors"
