"""The small things of issue 15: ``kb serve``'s 404 page, download sizes in KB, the hit
count of ``kb search``, ``kb import -v`` naming what it skipped or left unchanged, and
scripts/test.sh waiting for the dpkg lock."""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli
from kb.render.markup import file_size
from kb.render.positions import render_downloads
from kb.site.serve import start_server

ROOT = Path(__file__).resolve().parent.parent


def test_serve_answers_a_missing_page_with_the_sites_404_page(tmp_path):
    (tmp_path / "index.html").write_text("<p>home</p>")
    (tmp_path / "404.html").write_text("<p>Our own page: not found</p>")
    server = start_server(tmp_path)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for path in ("/no/such/page/", "/missing.html", "/empty-folder/"):
            (tmp_path / "empty-folder").mkdir(exist_ok=True)
            try:
                urllib.request.urlopen(base + path, timeout=5)
                raise AssertionError(f"{path} answered 200")
            except urllib.error.HTTPError as err:
                assert err.code == 404, path
                assert err.read().decode() == "<p>Our own page: not found</p>", path
        with urllib.request.urlopen(base + "/", timeout=5) as ok:
            assert ok.status == 200 and b"home" in ok.read()
    finally:
        server.shutdown()


def test_serve_without_a_404_page_still_says_404(tmp_path):
    server = start_server(tmp_path)
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/x", timeout=5)
        raise AssertionError("answered 200")
    except urllib.error.HTTPError as err:
        assert err.code == 404
    finally:
        server.shutdown()


def test_sizes_below_one_megabyte_are_in_kilobytes():
    assert file_size(300) == "0.3 KB"
    assert file_size(48_213) == "48.2 KB"
    assert file_size(999_999) == "1000 KB"
    assert file_size(2_500_000) == "2.5 MB"
    page = render_downloads([("matrix.csv", "who supports what (CSV)", 4_321)])
    assert "4.3 KB" in page and "0.0 MB" not in page


def test_search_reports_every_hit_not_its_limit(tmp_path, colc):
    db = str(tmp_path / "k.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "import", str(colc / "documents")]).exit_code == 0
    from kb.store import open_db
    from kb.store.query import count_hits

    total = count_hits(open_db(Path(db)), "copyright")
    assert total > 3
    result = runner.invoke(cli, ["--db", db, "search", "copyright", "--limit", "3"])
    assert result.exit_code == 0
    summary = result.output.strip().splitlines()[-1]
    assert f"{total:,} hits" in summary and "3 shown" in summary, summary


def test_import_verbose_names_every_skipped_and_unchanged_file(tmp_path, colc):
    folder = tmp_path / "in"
    (folder / "documents").mkdir(parents=True)
    for n in (5, 6):
        shutil.copy(colc / "documents" / f"COLC-2023-0006-{n:04d}.json", folder / "documents")
    (folder / "README.md").write_text("notes")
    (folder / "notes.xyz").write_text("not a format")
    shutil.copy(
        colc / "notices" / "COLC-2023-0006-0001.pdf", folder / "COLC-2023-0006-0001_content.pdf"
    )
    shutil.copy(colc / "documents" / "COLC-2023-0006-0001.json", folder / "documents")
    db = str(tmp_path / "k.db")
    runner = CliRunner()
    first = runner.invoke(cli, ["--db", db, "import", "-v", str(folder)])
    assert first.exit_code == 0, first.output
    assert "skipped: " + str(folder / "README.md") + " (documentation)" in first.output
    assert (
        "skipped: " + str(folder / "notes.xyz") + " (not a format kb import reads)" in first.output
    )
    assert "unchanged:" not in first.output
    again = runner.invoke(cli, ["--db", db, "import", "-v", str(folder)])
    assert again.exit_code == 0, again.output
    unchanged = [line for line in again.output.splitlines() if line.startswith("unchanged: ")]
    summary = again.output.strip().splitlines()[-1]
    n_docs = int(re.search(r"(\d+) unchanged,", summary).group(1))  # type: ignore[union-attr]
    n_files = int(re.search(r"\((\d+) unchanged\)", summary).group(1))  # type: ignore[union-attr]
    assert n_docs == 3 and n_files == 1
    assert len(unchanged) == n_docs + n_files
    for n in (1, 5, 6):
        doc = f"COLC-2023-0006-{n:04d}"
        assert any(doc in line and "same or richer" in line for line in unchanged), doc
    assert any("_content.pdf (the same file was already extracted)" in line for line in unchanged)
    quiet = runner.invoke(cli, ["--db", db, "import", str(folder)])
    assert "unchanged: " not in quiet.output and "skipped: " not in quiet.output


def test_test_script_waits_for_the_dpkg_lock():
    script = (ROOT / "scripts" / "test.sh").read_text()
    calls = [line for line in script.splitlines() if re.search(r"\bapt-get\b", line)]
    calls = [line for line in calls if not line.lstrip().startswith(("#", "echo"))]
    assert len(calls) == 2  # update, install
    for line in calls:
        assert "-o DPkg::Lock::Timeout=600" in line, line


def test_a_confidence_reads_the_same_as_the_threshold_it_is_measured_against():
    """A position's confidence is cut, not rounded, to two places, so that 0.877 never
    reads "0.88 (medium)" beside "from 0.88 up are marked high"."""
    from kb.render.markup import confidence_label

    assert confidence_label(0.877, 0.88) == "0.87 (medium)"
    assert confidence_label(0.88, 0.88) == "0.88 (high)"
    assert confidence_label(0.29, 0.88) == "0.29 (medium)"  # 28.999… in floating point
    assert confidence_label(1.0, 0.88) == "1.00 (high)"
    assert confidence_label(0.5, None) == "0.50 (medium)"


def test_categories_guessed_for_organisations_the_gazetteer_does_not_know():
    """Names of filers in the docket the gazetteer does not list (a reader's audit found
    AI-safety groups filed as AI developers, a broadcaster as a technology platform,
    Wikimedia as a news publisher)."""
    from nlp.organizations import guess_category

    assert guess_category("AI Safety Camp") == "civil_society"
    assert guess_category("UC Berkeley AI Policy Hub") == "civil_society"
    assert guess_category("Wikimedia Foundation") == "civil_society"
    assert guess_category("National Public Radio, Inc.") == "news_publisher"
    assert guess_category("The Associated Press") == "news_publisher"
    assert guess_category("Independent Music Publishers International IMPF") == "music_publisher"
    assert guess_category("Amika Press LLC") == "book_publisher_authors"
    assert guess_category("Stability AI Ltd") == "ai_developer"
    assert guess_category("Jane Doe") == "other"
