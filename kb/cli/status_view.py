"""``kb status`` as tables on the terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _print_sync_state(out: Console, rows: list[dict[str, Any]]) -> None:
    """The sync state of each source as a table, or a line saying sync never ran."""
    if rows:
        sync = Table(title="Sync state")
        for col in ("source", "watermark", "last started", "last finished", "status"):
            sync.add_column(col)
        for row in rows:
            sync.add_row(
                row["key"],
                row.get("watermark") or "-",
                row.get("last_started") or "-",
                row.get("last_finished") or "-",
                row.get("last_status") or "-",
            )
        out.print(sync)
    else:
        out.print("Sync: never run (data came from kb import)")


def render_status(report: dict[str, Any]) -> None:
    out = Console()
    docs = Table(title="Documents per docket and kind")
    for col in ("docket", "kind", "documents", "withdrawn"):
        docs.add_column(col)
    for row in report["documents"]:
        docs.add_row(row["docket_id"], row["kind"], str(row["n"]), str(row["withdrawn"] or 0))
    out.print(docs)
    atts = Table(title="Attachments")
    for col in ("docket", "format", "status", "files"):
        atts.add_column(col)
    for row in report["attachments"]:
        atts.add_row(str(row["docket_id"]), row["format"], row["status"], str(row["n"]))
    out.print(atts)
    out.print(f"Extraction failures: {len(report['extraction_failures'])}")
    for row in report["extraction_failures"]:
        out.print(f"  {row['id']}: {row['error']}", markup=False)
    out.print(f"Failures recorded: {len(report['failures'])}")
    for row in report["failures"][:100]:
        kind = "permanent" if row["permanent"] else "will retry"
        out.print(f"  [{row['stage']}] {row['item']}: {row['error']} ({kind})", markup=False)
    _print_sync_state(out, report["sync"])
    out.print(
        f"Events: {report['events']}; last recorded {report['last_recorded'] or '-'}; "
        f"newest upstream date {report['newest_upstream_date'] or '-'}"
    )
    untracked = report.get("untracked") or {}
    if untracked:
        counts = ", ".join(f"{len(ids)} {table}" for table, ids in untracked.items())
        out.print(f"Not tracked by the watchlist (held, never published): {counts}")
        for table, ids in untracked.items():
            shown = ", ".join(ids[:12]) + (f" and {len(ids) - 12} more" if len(ids) > 12 else "")
            out.print(f"  {table}: {shown}", markup=False)
    for item in report.get("not_synced") or []:
        out.print(f"Watched, not yet synced: {item['kind']} {item['id']} ({item['name']})")
    reviews = report.get("reviews")
    if reviews:
        out.print(
            f"Reviews: {reviews['total']} held in {reviews['folder']}, "
            f"{len(reviews['stale'])} stale (position or quote gone; kept, not dropped)"
        )
        for row in reviews["stale"]:
            out.print(
                f"  stale: {row['document_id']} / {row['holder']} / {row['issue']} "
                f"({row['verdict']}): {'; '.join(row['reasons'])}",
                markup=False,
            )
