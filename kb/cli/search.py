"""``kb search``: full-text search of the database from the terminal."""

from __future__ import annotations

import json

import click

from kb.cli.base import Context, cli, db_option, pass_ctx
from kb.cli.console import summary


@cli.command("search")
@click.argument("query")
@click.option("--limit", default=20, show_default=True, help="How many hits.")
@click.option("--json", "as_json", is_flag=True, help="Print hits as JSON lines.")
@db_option
@pass_ctx
def search_cmd(obj: Context, query: str, limit: int, as_json: bool) -> None:
    """Full-text search of the database (attachments included), best hits first."""
    from kb.store.query import count_hits, search

    db = obj.db()
    hits = search(db, query, limit)
    found = count_hits(db, query)
    for hit in hits:
        if as_json:
            click.echo(json.dumps(hit, ensure_ascii=False))
        else:
            click.echo(f"{hit['id']}  {hit['title'] or ''}  ({hit['submitter'] or 'unknown'})")
            click.echo("    " + " ".join((hit["snippet"] or "").split()))
    summary(f"kb search: {found:,} hits for {query!r}, {len(hits)} shown (--limit {limit})")
