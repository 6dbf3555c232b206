"""``kb redline``: the redlines between a bill's text versions, and across its family."""

from __future__ import annotations

import html as htmllib
import re
import sys

import click

from kb.cli.base import Context, cli, db_option, pass_ctx
from kb.cli.console import summary
from kb.errors import UsageError


def as_text(fragment: str) -> str:
    """A redline's HTML as wdiff-style text: ``[-deleted-]`` and ``{+inserted+}``."""
    text = re.sub(r"<del>(.*?)</del>", r"[-\1-]", fragment, flags=re.S)
    text = re.sub(r"<ins>(.*?)</ins>", r"{+\1+}", text, flags=re.S)
    return htmllib.unescape(text)


@cli.command()
@click.argument("bill")
@click.option("--html", "as_html", is_flag=True, help="Print HTML (<del>/<ins>) instead of text.")
@click.option("--summary", "summary_only", is_flag=True, help="Print what changed, not the texts.")
@db_option
@pass_ctx
def redline(obj: Context, bill: str, as_html: bool, summary_only: bool) -> None:
    """Section-by-section, word-level redlines of BILL (e.g. 119-s-4591) or of a bill
    family (e.g. no-fakes-act): every pair of consecutive text versions the bill and family
    pages list (a reintroduction follows the earlier bill's last version), and each
    committee amendment inside a version. A pair whose text is not stored is reported
    with where to get it (exit status 1); the others are still printed."""
    from kb.redlines import pairs_for, section_redline
    from kb.store.versions import load_pairs

    db = obj.db()
    pairs = load_pairs(db)
    members = {r[0] for r in db.execute("select id from bills where family = ?", [bill])}
    chosen = [p for p in pairs if {p.before.bill, p.after.bill} & members] or pairs_for(pairs, bill)
    if not chosen:
        raise UsageError(
            "no two text versions are listed for this bill or family (kb export bills shows "
            "each bill's text_versions)",
            item=bill,
        )
    missing = 0
    for pair in chosen:
        if pair.missing:
            missing += 1
            for v in pair.missing:
                click.echo(
                    f"error: {pair.slug}: the text of {v.label} ({v.name or v.code}, "
                    f"{v.date or 'date unknown'}) is not stored; kb sync --source govinfo "
                    f"fetches it from {v.url or 'GovInfo'}",
                    err=True,
                )
            continue
        diff = section_redline(pair.before.text or "", pair.after.text or "")
        click.echo(f"## {pair.title}: {diff.summary()}")
        for change in diff.changes:
            assert change.diff is not None
            click.echo(
                f"### {change.label} ({change.status}, +{change.diff.inserted} / "
                f"-{change.diff.deleted} words)"
            )
            if not summary_only and change.status != "unchanged":
                click.echo(change.diff.html if as_html else as_text(change.diff.html))
    summary(
        f"kb redline: {len(chosen) - missing} of {len(chosen)} redlines for {bill}"
        + (f"; {missing} wait for a text not stored" if missing else "")
    )
    sys.exit(1 if missing else 0)
