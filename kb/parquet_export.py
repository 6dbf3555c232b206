"""Exports as Parquet datasets, partitioned by docket, for DuckDB, Spark or pandas.

``kb export KIND --format parquet --out DIR`` writes ``DIR/KIND/`` as a Hive-partitioned
dataset: one folder per docket (``docket_id=COLC-2023-0006/``; records without a docket
under ``docket_id=__HIVE_DEFAULT_PARTITION__``, as Hive and Spark write a null), each
holding Parquet files. The records are those of the JSON-lines export of the same kind,
with the same fields; lists and objects (quotes, pages, details) are kept as JSON text
so every file of a dataset has one schema whatever its records hold; positions gain the
``docket_id`` of their document. Organisations
belong to no single docket and are written as one file, ``DIR/organizations.parquet``.

pyarrow is an optional extra (``pip install -e '.[parquet]'``); without it the command
says so and exits with a usage error.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kb.errors import UsageError

#: The kinds with a Parquet form, and whether they are partitioned by docket.
PARQUET_KINDS = {"documents": True, "positions": True, "events": True, "organizations": False}
PARTITION = "docket_id"
BATCH = 20_000  # records per written batch: memory stays bounded on any docket


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.dataset
    except ImportError as exc:
        raise UsageError(
            "Parquet needs pyarrow: pip install -e '.[parquet]'", item="--format parquet"
        ) from exc
    return pyarrow


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    return {
        k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
        for k, v in record.items()
    }


def _batches(records: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(_flat(record))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


#: Fields that are numbers; every other field is text (lists and objects as JSON text).
NUMBERS = {("positions", "confidence"): "float64", ("events", "id"): "int64"}


def _schema(pa: Any, kind: str, fields: list[str]) -> Any:
    return pa.schema(
        [
            pa.field(
                name, getattr(pa, NUMBERS[kind, name])() if (kind, name) in NUMBERS else pa.string()
            )
            for name in fields
        ]
    )


def _text(value: Any) -> str | None:
    return value if value is None or isinstance(value, str) else str(value)


def write_parquet(kind: str, records: Iterable[dict[str, Any]], out: Path) -> int:
    """Write ``records`` of ``kind`` under ``out``; returns how many were written."""
    if kind not in PARQUET_KINDS:
        raise UsageError(
            f"no Parquet form of {kind!r} (one of: {', '.join(PARQUET_KINDS)})", item=kind
        )
    pa = _pyarrow()
    import pyarrow.dataset as ds

    partitioned = PARQUET_KINDS[kind]
    target = out / kind if partitioned else out / f"{kind}.parquet"
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    out.mkdir(parents=True, exist_ok=True)
    schema, tables, n = None, [], 0
    for k, batch in enumerate(_batches(records)):
        if schema is None:
            schema = _schema(pa, kind, list(batch[0]))
        columns = {
            f.name: [
                r.get(f.name) if (kind, f.name) in NUMBERS else _text(r.get(f.name)) for r in batch
            ]
            for f in schema
        }
        table = pa.table(columns, schema=schema)
        n += len(batch)
        if partitioned:
            ds.write_dataset(
                table,
                target,
                format="parquet",
                partitioning=ds.partitioning(pa.schema([schema.field(PARTITION)]), flavor="hive"),
                basename_template=f"part-{k}-{{i}}.parquet",
                existing_data_behavior="overwrite_or_ignore",
            )
        else:
            tables.append(table)
    if not partitioned and tables:
        import pyarrow.parquet as pq

        pq.write_table(pa.concat_tables(tables), target)
    return n
