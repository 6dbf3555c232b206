"""The ``kb`` command: one subcommand per stage of the pipeline."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from kb import settings
from kb.cli.console import progress_bar, summary
from kb.cli.errors import EXIT_ITEMS_FAILED, EXIT_OK, echo_import_items
from kb.errors import UsageError
from kb.records_io import write_records

EXPORT_KINDS = (
    "documents",
    "bills",
    "links",
    "positions",
    "organizations",
    "campaigns",
    "reviews",
    "questions",
    "answers",
    "replies",
    "events",
)
SYNC_SOURCES = (
    "regulations.gov",
    "govinfo",
    "congress.gov",
    "federalregister.gov",
    "copyright.gov",
    "press",
)


from kb.cli.base import (  # noqa: E402  (re-exported: ``from kb.cli import cli``)
    Context,
    archive_option,
    cli,
    db_option,
    pass_ctx,
    watchlist_option,
)


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Stop at the first bad item.")
@click.option(
    "-v", "--verbose", is_flag=True, help="Name every skipped and unchanged file, with the reason."
)
@db_option
@pass_ctx
def import_cmd(obj: Context, paths: tuple[Path, ...], strict: bool, verbose: bool) -> None:
    """Load recorded upstream files or folders from disk (idempotent)."""
    from kb.importer import Importer, expand_paths

    db = obj.db(writer="import")
    total = sum(1 for _ in expand_paths(paths))
    with progress_bar("import", total) as bar:
        task = bar.task_ids[0]
        importer = Importer(db, progress=lambda n: bar.advance(task, n))
        importer.strict = strict
        report = importer.run(paths)
    echo_import_items(report, verbose)
    summary(f"kb import: {report.summary()}")
    sys.exit(EXIT_ITEMS_FAILED if report.errors or report.attachments_failed else EXIT_OK)


@cli.command()
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Choice(SYNC_SOURCES),
    help="Only these sources.",
)
@watchlist_option
@click.option("--retry-failed", is_flag=True, help="Retry downloads that failed permanently.")
@db_option
@archive_option
@pass_ctx
def sync(
    obj: Context, sources: tuple[str, ...], watchlist: Path | None, retry_failed: bool
) -> None:
    """Fetch what the watchlist names from the live upstreams, archive it, load it."""
    from kb.net.sync import run_sync

    reports, failed = run_sync(
        obj.db(writer="sync"),
        obj.archive(),
        watchlist_path=watchlist,
        sources=sources,
        retry_failed=retry_failed,
    )
    for line in reports:
        click.echo(line, err=True)
    synced = sum(not line.startswith("  ") for line in reports)  # one line per source
    summary(f"kb sync: {synced} sources synced, {failed} with errors")
    sys.exit(1 if failed else 0)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@watchlist_option
@db_option
@pass_ctx
def status(obj: Context, as_json: bool, watchlist: Path | None) -> None:
    """Counts, failures with reasons, watermarks and freshness; records held that the
    watchlist does not track (never published) and watched items not yet synced."""
    from kb.site.scope import tracked
    from kb.store.query import status_report
    from kb.store.reviews import load_reviews, stale_reviews
    from kb.watchlist import load_watchlist

    db = obj.db()
    report = status_report(db)
    held = load_reviews(settings.reviews_dir())
    report["reviews"] = {
        "folder": str(settings.reviews_dir()),
        "total": len(held),
        "stale": stale_reviews(db, held),
    }
    scope = tracked(db, load_watchlist(watchlist))
    report["untracked"] = {t: sorted(ids) for t, ids in scope.untracked.items() if ids}
    report["not_synced"] = [{"kind": k, "id": i, "name": n} for k, i, n in scope.not_synced]
    if as_json:
        click.echo(json.dumps(report, indent=2, sort_keys=True))
    else:
        from kb.cli.status_view import render_status

        render_status(report)
    n_docs = sum(r["n"] for r in report["documents"])
    summary(
        f"kb status: {n_docs} documents ({len(scope.documents)} tracked), "
        f"{len(report['extraction_failures'])} extraction failures, "
        f"{len(report['failures'])} failures recorded, "
        f"{len(report['reviews']['stale'])} of {len(held)} reviews stale"
    )


@cli.command("export")
@click.argument("kind", type=click.Choice(EXPORT_KINDS))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    default="jsonl",
    show_default=True,
    help="parquet: a dataset partitioned by docket, written under --out.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Parquet: the folder the dataset goes in (documents, positions, events, organizations).",
)
@click.option("--with-text", is_flag=True, help="Documents: include text and page ranges.")
@db_option
@pass_ctx
def export(obj: Context, kind: str, fmt: str, with_text: bool, out: Path | None) -> None:
    """Write records to stdout as JSON lines or CSV, or a Parquet dataset (see CONTRACT.md)."""
    from kb.store import answers, positions, query

    db = obj.db()
    exporters: dict[str, Callable[[Any], Iterable[dict[str, Any]]]] = {
        "bills": query.export_bills,
        "links": query.export_links,
        "positions": positions.export_positions,
        "organizations": positions.export_organizations,
        "campaigns": positions.export_campaigns,
        "questions": answers.export_questions,
        "answers": answers.export_answers,
        "replies": answers.export_replies,
        "events": query.export_events,
    }
    if kind == "documents":
        records: Iterable[dict[str, Any]] = query.export_documents(db, with_text=with_text)
    elif kind in ("positions", "reviews"):
        from kb.store import reviews as rv

        held = rv.load_reviews(settings.reviews_dir())
        if kind == "reviews":
            records = rv.export_reviews(db, held)
        else:
            records = rv.reviewed_positions(db, positions.export_positions(db), held)
    else:
        records = exporters[kind](db)
    if fmt == "parquet":
        from kb.parquet_export import write_parquet

        if out is None:
            raise UsageError("--format parquet writes a folder: give it with --out", item=kind)
        if kind == "positions":
            records = query.with_docket(db, records)
        n = write_parquet(kind, records, out)
        summary(f"kb export {kind}: {n} records in {out}")
        return
    n = write_records(records, fmt, sys.stdout)
    summary(f"kb export {kind}: {n} records")


@cli.command()
@click.option("--force", is_flag=True, help="Tag every document again.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Run the per-document work on a local Dask cluster of this many worker processes "
    "(needs the dask extra); default: a process pool, one worker per core up to 4.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Run the per-document work on the Dask cluster at ADDRESS (e.g. tcp://host:8786).",
)
@watchlist_option
@db_option
@pass_ctx
def tag(
    obj: Context, force: bool, workers: int | None, scheduler: str | None, watchlist: Path | None
) -> None:
    """Run the NLP over every document whose text or tagger version changed."""
    from kb.watchlist import load_watchlist
    from nlp.tag import tag_documents

    report = tag_documents(
        obj.db(writer="tag"),
        load_watchlist(watchlist),
        force=force,
        workers=workers,
        engine="dask" if workers or scheduler else "fork",
        scheduler=scheduler,
    )
    summary(f"kb tag: {report.summary()}")


@cli.command("eval")
@click.option(
    "--write/--no-write",
    default=True,
    help="Also write the figures to data/accuracy.json (the site's Accuracy page).",
)
@click.option(
    "--curve",
    is_flag=True,
    help="Only the learning curve: the model refit on 25/50/75/100 % of the training split.",
)
@click.option(
    "--cv",
    "crossval",
    is_flag=True,
    help="Only cross-validation outside the test split (5 folds), to compare model variants.",
)
@db_option
@pass_ctx
def eval_cmd(obj: Context, write: bool, curve: bool, crossval: bool) -> None:
    """Accuracy of the positions on the frozen test split of data/labels/ (95 % intervals)."""
    from nlp.eval_run import report, run
    from nlp.evaluate import write_accuracy

    db = obj.db()
    if curve:
        from nlp import learning_curve

        click.echo(learning_curve.report(learning_curve.run(db)))
        return
    if crossval:
        from nlp import crossval as cv

        click.echo(cv.report(cv.run(db)))
        return
    figures = run(db)
    click.echo(report(figures))
    if write:
        write_accuracy(figures)
    # Reviews: a separate section, measured on the positions as tagged (figures unchanged).
    from kb.store.reviews import load_reviews
    from nlp.review_labels import agreement_report, review_agreement

    agreement = review_agreement(db, load_reviews(settings.reviews_dir()))
    click.echo(agreement_report(agreement))
    summary(
        f"kb eval: done; {agreement['train']['agree'] + agreement['test']['agree']} of "
        f"{sum(agreement[b]['agree'] + agreement[b]['disagree'] for b in ('train', 'test'))} "
        "reviewed positions agree with the tagger"
    )


def main() -> None:
    cli(prog_name="kb")


# The publishing commands (build, serve, digest, update), kb redline, kb review,
# kb search and kb bench live beside this module.
from kb.cli import bench, publish, redline, review, search  # noqa: E402, F401
