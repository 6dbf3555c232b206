"""What every ``kb`` command shares: the command group, its context (database and
archive), and the options that mean the same on every command. The commands live in
``kb.cli.commands`` and the ``kb.cli_*`` modules beside it, which import this one (never each
other), so the command modules form no import cycle."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kb import settings
from kb.cli.console import setup_logging
from kb.cli.errors import KbGroup


class Context:
    def __init__(self, db: Path | None, archive: Path | None) -> None:
        self.db_path = db
        self.archive_path = archive

    def db(self, writer: str | None = None):
        """The database; a ``writer`` command holds the one-writer lock until it ends."""
        from kb.store import open_db
        from kb.store.lock import writer_lock

        path = self.db_path or settings.default_db_path()
        if writer:
            click.get_current_context().with_resource(writer_lock(path, writer))
        return open_db(path)

    def archive(self):
        from kb.net.archive import Archive

        return Archive(self.archive_path or settings.default_archive_dir())


def _context_option(flag: str, attr: str, path: click.Path, help: str) -> Callable[..., Any]:
    """An option that, when given, sets ``attr`` of the command's :class:`Context`."""

    def store(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
        if value is not None:
            setattr(ctx.ensure_object(Context), attr, value)

    return click.option(flag, type=path, expose_value=False, callback=store, help=help)


db_option = _context_option(
    "--db",
    "db_path",
    click.Path(path_type=Path, dir_okay=False),
    "SQLite database (default: $KB_DB, else kb.db).",
)
archive_option = _context_option(
    "--archive",
    "archive_path",
    click.Path(path_type=Path, file_okay=False),
    "Raw archive directory (default: $KB_ARCHIVE, else archive/).",
)


#: Shared options: the same flag means the same thing on every command.
watchlist_option = click.option(
    "--watchlist",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Watchlist TOML (default: $KB_WATCHLIST, else the built-in one).",
)
site_out_option = click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("site"),
    show_default=True,
    help="Where the built site goes.",
)
site_dir_option = click.option(
    "--site",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=Path("site"),
    show_default=True,
    help="A site built by kb build.",
)


@click.group(cls=KbGroup)
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="SQLite database (default: $KB_DB, else kb.db).",
)
@click.option(
    "--archive",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Raw archive directory (default: $KB_ARCHIVE, else archive/).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what is happening.")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, archive: Path | None, verbose: bool) -> None:
    """Policy and legislative tracking knowledge base for AI and copyright."""
    setup_logging(verbose)
    ctx.obj = Context(db, archive)


pass_ctx = click.make_pass_decorator(Context, ensure=True)
