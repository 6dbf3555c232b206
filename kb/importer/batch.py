"""Loading a batch of parsed records, each record's rows all or nothing.

A batch is loaded in one transaction (document, text, attachment references,
events, provenance and the full-text index together). When one record in it
cannot be loaded, the transaction is rolled back and the batch is loaded again
record by record, so the bad record is recorded as a failure and the others
are kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kb.errors import KbError, one_line
from kb.records import DocumentRecord
from kb.store.load import LoadStats, Provenance, upsert_documents
from kb.store.unusable import as_unusable, store_unusable

if TYPE_CHECKING:
    from kb.importer import Importer


def load_isolated(
    importer: Importer, records: list[DocumentRecord], prov: dict[str, Provenance]
) -> LoadStats:
    """Load ``records``; each one already stored as it came is noted in the report with
    the file it came from (``kb import -v`` names them)."""
    stats = _load(importer, records, prov)
    for doc_id in stats.unchanged_ids:
        where = prov[doc_id].archive_path if doc_id in prov else doc_id
        importer.report.unchanged.append(
            (f"{where}: {doc_id}", "already stored with the same or richer fields")
        )
    return stats


def _load(
    importer: Importer, records: list[DocumentRecord], prov: dict[str, Provenance]
) -> LoadStats:
    try:
        return upsert_documents(importer.db, records, prov)
    except Exception as exc:  # retried record by record below
        if store_unusable(exc):
            raise as_unusable(exc, records[0].id) from exc
    stats = LoadStats()
    for record in records:
        try:
            stats.add(upsert_documents(importer.db, [record], prov))
        except Exception as exc:  # recorded as this record's failure
            if store_unusable(exc):
                raise as_unusable(exc, record.id) from exc
            where = prov.get(record.id)
            path = Path(where.archive_path) if where else Path(record.id)
            importer.fail(KbError(one_line(exc), item=record.id), path, "load")
    return stats
