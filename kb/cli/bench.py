"""``kb bench``: benchmarks that print numbers (wall time, peak memory, bytes)."""

from __future__ import annotations

from pathlib import Path

import click

from kb import settings
from kb.cli.base import Context, cli, db_option, pass_ctx, site_dir_option
from kb.cli.console import summary
from kb.errors import KbError, UsageError


@cli.group()
def bench() -> None:
    """Benchmarks that print wall time, peak memory and throughput."""


@bench.command("import")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def bench_import(paths: tuple[Path, ...]) -> None:
    """Import PATHS (default: the recorded regulations.gov corpus) into a fresh database."""
    from kb.bench.stages import bench_import as run

    result = run(list(paths) or [settings.corpus_dir() / "regulations.gov"])
    click.echo(result)
    summary("kb bench import: done")


@bench.command("tag")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--runs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Time kb tag this many times, each on a fresh copy of the import; print the median.",
)
def bench_tag(paths: tuple[Path, ...], runs: int) -> None:
    """Import PATHS (default: the whole recorded corpus) into a fresh database, then time kb tag."""
    from kb.bench.stages import bench_tag as run

    result = run(list(paths) or settings.corpus_paths(), runs)
    click.echo(result)
    summary("kb bench tag: done")


@bench.command("build")
@db_option
@pass_ctx
def bench_build(obj: Context) -> None:
    """Build the site of the database (render, mkdocs, search index) into a scratch folder."""
    from kb.bench.stages import bench_build as run

    click.echo(run(obj.db(), settings.default_digest_dir()))
    summary("kb bench build: done")


#: The docket folder whose comments ``kb bench engines`` and ``kb bench scale`` draw.
docket_option = click.option(
    "--docket",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="A docket folder of the corpus (default: COLC-2023-0006 in $KB_CORPUS).",
)


def _docket_and_model(obj: Context, docket: Path | None) -> tuple[Path, Path | None]:
    """The docket folder to draw from, and the stance model cached beside the database."""
    from kb.bench.scale import model_cache

    folder = docket or settings.corpus_dir() / "regulations.gov" / "COLC-2023-0006"
    return folder, model_cache(obj.db_path or settings.default_db_path())


@bench.command("engines")
@docket_option
@click.option(
    "--documents",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="How many comments to draw (seeded).",
)
@db_option
@pass_ctx
def bench_engines(obj: Context, docket: Path | None, documents: int) -> None:
    """kb tag by each engine (inline, fork pool, Dask; 1 and 2 workers): time, same result."""
    from kb.bench.engines import measure, report

    folder, model = _docket_and_model(obj, docket)
    drawn, runs = measure(folder, documents, model)
    click.echo(report(drawn, runs))
    differ = [f"{r.engine}/{r.workers}" for r in runs if not r.identical]
    if differ:
        raise KbError("stored something else than the inline run", item=", ".join(differ))
    summary("kb bench engines: every engine stored the same database")


@bench.command("scale")
@docket_option
@click.option(
    "--sizes",
    default="1000,2500,5000,100000",
    show_default=True,
    help="Comma-separated numbers of comments to draw (more than the docket holds: all).",
)
@db_option
@pass_ctx
def bench_scale(obj: Context, docket: Path | None, sizes: str) -> None:
    """Time and peak memory of import, tag and build on random subsets, with the slope."""
    from kb.bench.scale import measure, report

    try:
        counts = [int(x) for x in sizes.split(",") if x.strip()]
    except ValueError as exc:
        raise UsageError("sizes are whole numbers, comma-separated", item=sizes) from exc
    folder, model = _docket_and_model(obj, docket)
    click.echo(
        f"stance model: {model} (fitting not measured)"
        if model
        else "stance model: none cached beside the database (run kb tag on the corpus first); "
        "each subset fits its own or falls back to the lexicon"
    )
    click.echo(report(measure(folder, counts, model)))
    summary("kb bench scale: done")


@bench.command("search")
@site_dir_option
@click.argument("queries", nargs=-1)
def bench_search(site: Path, queries: tuple[str, ...]) -> None:
    """Bytes transferred in headless Chromium and milliseconds before the first results of
    QUERIES (by default a fixed list with phrase, prefix, variant and typo queries), then
    where the 17 major filings rank for the names of their labelled issues."""
    from kb.bench.stages import bench_search as run

    report, failed = run(site, list(queries) or None)
    click.echo(report)
    if failed:
        raise KbError(f"{failed} queries failed")
    summary("kb bench search: done")
