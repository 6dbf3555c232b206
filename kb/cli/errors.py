"""How ``kb`` ends: known errors become a clear message and the contract's exit status.

=====  ==========================================================================
0      everything succeeded
1      some items failed (the rest were processed; ``kb status`` lists them)
2      usage error
3      the database or the disk is unusable (full, read-only, corrupt): the batch
       stopped at the item named; what was loaded before it is kept, and the next
       run repairs the rest
4      another ``kb`` writer holds the database (``another kb import is running
       since …``): nothing was written
=====  ==========================================================================
"""

from __future__ import annotations

import sqlite3
import sys
from typing import Any

import click

from kb.cli.console import summary
from kb.errors import KbError, StoreUnusable, UsageError, WriterBusy
from kb.store.unusable import store_unusable

EXIT_OK = 0
EXIT_ITEMS_FAILED = 1
EXIT_USAGE = 2
EXIT_STORE_UNUSABLE = 3
EXIT_BUSY = 4


class KbGroup(click.Group):
    """Turns known errors into a clear message and the contract's exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        except WriterBusy as exc:
            click.echo(f"error: {exc}", err=True)
            summary("kb: refused, another writer is running")
            sys.exit(EXIT_BUSY)
        except (StoreUnusable, sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
            click.echo(f"error: {exc}", err=True)
            summary("kb: stopped, the database or the disk is unusable")
            sys.exit(EXIT_STORE_UNUSABLE)
        except (KbError, OSError) as exc:
            click.echo(f"error: {exc}", err=True)
            if store_unusable(exc):  # a full, read-only or failing disk
                summary("kb: stopped, the database or the disk is unusable")
                sys.exit(EXIT_STORE_UNUSABLE)
            summary("kb: failed")
            sys.exit(EXIT_ITEMS_FAILED)


def echo_import_items(report: Any, verbose: bool) -> None:
    """What ``kb import`` tells about single items: each error (the first 50), and with
    ``verbose`` every file skipped and every record or file left unchanged, with why."""
    if verbose:
        for label, rows in (("skipped", report.skipped), ("unchanged", report.unchanged)):
            for item, reason in rows:
                click.echo(f"{label}: {item} ({reason})", err=True)
    for error in report.errors[:50]:
        click.echo(f"error: {error}", err=True)
    if len(report.errors) > 50:
        click.echo(f"… and {len(report.errors) - 50} more errors (kb status lists them)", err=True)
