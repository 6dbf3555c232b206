"""The publishing commands of ``kb``: build the site, serve it, write digests, the weekly job."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb import settings
from kb.cli.base import (
    Context,
    archive_option,
    cli,
    db_option,
    pass_ctx,
    site_dir_option,
    site_out_option,
    watchlist_option,
)
from kb.cli.console import summary
from kb.errors import UsageError


@cli.command()
@site_out_option
@watchlist_option
@db_option
@pass_ctx
def build(obj: Context, out: Path, watchlist: Path | None) -> None:
    """Render the site of what the watchlist tracks and build it, search index and
    downloads included (records outside the watchlist are not published)."""
    from kb.site.build import build_site
    from kb.watchlist import load_watchlist

    report = build_site(
        obj.db(), out, digest_dir=settings.default_digest_dir(), watchlist=load_watchlist(watchlist)
    )
    summary(f"kb build: {report.summary()} → {out}")


@cli.command()
@click.option(
    "--week", "week_text", metavar="YYYY-Www", help="ISO week (default: the last complete week)."
)
@click.option("--all", "all_weeks", is_flag=True, help="Every week the data covers.")
@click.option(
    "--print", "to_stdout", is_flag=True, help="Write one week's digest as Markdown to stdout."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Digest folder (default: $KB_DIGEST_DIR, else digest/).",
)
@watchlist_option
@db_option
@pass_ctx
def digest(
    obj: Context,
    week_text: str | None,
    all_weeks: bool,
    to_stdout: bool,
    out: Path | None,
    watchlist: Path | None,
) -> None:
    """Write the weekly digest(s) of what the watchlist tracks: site post, Atom/RSS feed,
    e-mail (sent if KB_SMTP_HOST is set)."""
    from datetime import UTC, datetime

    from kb.digest.run import print_week, weeks_with_events, write_digests
    from kb.digest.weeks import Week
    from kb.site.scope import published
    from kb.watchlist import load_watchlist

    if all_weeks and (week_text or to_stdout):
        raise UsageError("--all writes every week; it takes neither --week nor --print")
    db, _ = published(obj.db(), load_watchlist(watchlist))
    now = datetime.now(UTC)
    week = Week.parse(week_text) if week_text else Week.last_complete(now)
    if not week.started(now):
        raise UsageError("this week has not begun: there is nothing to tell yet", item=str(week))
    if to_stdout:
        click.echo(print_week(db, week), nl=False)
        summary(f"kb digest: week {week} printed")
        return
    weeks = weeks_with_events(db) if all_weeks else [week]
    folder = out or settings.default_digest_dir()
    report = write_digests(db, weeks, folder, send=not all_weeks, now=now)
    summary(f"kb digest: {report.summary()}")


@cli.command()
@site_out_option
@watchlist_option
@db_option
@archive_option
@pass_ctx
def update(obj: Context, out: Path, watchlist: Path | None) -> None:
    """The scheduled job: sync every watchlist source, tag, write the digests, build the site."""
    from datetime import UTC, datetime

    from kb.digest.run import weeks_with_events, write_digests
    from kb.digest.weeks import Week
    from kb.net.sync import run_sync
    from kb.site.build import build_site
    from kb.site.scope import published
    from kb.watchlist import load_watchlist
    from nlp.tag import tag_documents

    db = obj.db(writer="update")
    lines, failed = run_sync(db, obj.archive(), watchlist_path=watchlist)
    for line in lines:
        click.echo(line, err=True)
    tracked = load_watchlist(watchlist)
    tagged = tag_documents(db, tracked)
    folder = settings.default_digest_dir()
    last = Week.last_complete(datetime.now(UTC))
    shown, _ = published(db, tracked)
    weeks = sorted(set(weeks_with_events(shown)) | {last})
    digests = write_digests(shown, weeks, folder)
    from kb.digest.outputs import send_email

    sent = send_email(folder / "email" / f"{last}.eml")
    built = build_site(db, out, digest_dir=folder, watchlist=tracked)
    summary(
        f"kb update: {sum(not line.startswith('  error:') for line in lines)} sources synced "
        f"({failed} with errors); tag: {tagged.summary()}; "
        f"digest: {digests.summary()}{', e-mail sent' if sent else ''}; build: {built.summary()}"
    )
    sys.exit(1 if failed else 0)


@cli.command()
@site_dir_option
@click.option("--port", default=8000, show_default=True)
def serve(site: Path, port: int) -> None:
    """Serve the built site on http://127.0.0.1:PORT (gzip, like a static host) until Ctrl-C."""
    import time

    from kb.site.serve import start_server

    server = start_server(site, port)
    click.echo(f"serving {site} on http://127.0.0.1:{server.server_address[1]}/", err=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()
    summary("kb serve: stopped")
