"""``kb bench scale``: seeded subsets of the real docket, and the slope it reports."""

from __future__ import annotations

import gzip
import json

import pytest
from click.testing import CliRunner

from kb.bench.scale import slope, write_subset
from kb.cli import cli


def _ids(path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["id"] for line in fh if line.strip()]


def test_a_subset_holds_the_drawn_comments_and_only_their_files(colc, tmp_path):
    n = write_subset(colc, 400, tmp_path / "a")
    again = write_subset(colc, 400, tmp_path / "b")
    sub = tmp_path / "a" / colc.name
    drawn = _ids(sub / "comment-text.jsonl.gz")
    assert n == again == len(drawn) == len(set(drawn)) == 400
    assert drawn == _ids(tmp_path / "b" / colc.name / "comment-text.jsonl.gz")  # seeded
    assert set(_ids(sub / "comment-titles.jsonl.gz")) <= set(drawn)
    # Besides the drawn comments' files: the Notices' records, which their PDFs attach to.
    notices = {p.name.split(".")[0] for p in (colc / "notices").iterdir()}
    for folder in ("documents", "attachments"):
        names = {p.name.split(".")[0] for p in (sub / folder).iterdir()}
        assert names <= set(drawn) | notices
    assert notices <= {p.name.split(".")[0] for p in (sub / "documents").iterdir()}
    assert sorted(p.name for p in (sub / "notices").iterdir()) == sorted(
        p.name for p in (colc / "notices").iterdir()
    )
    whole = write_subset(colc, 10**6, tmp_path / "c")
    assert whole == len(_ids(colc / "comment-text.jsonl.gz"))


def test_slope_of_log_time_against_log_documents():
    assert slope([(1000, 2.0), (2000, 4.0), (4000, 8.0)]) == pytest.approx(1.0)
    assert slope([(1000, 1.0), (2000, 4.0)]) == pytest.approx(2.0)
    assert slope([(1000, 1.0)]) is None


@pytest.mark.slow
def test_bench_scale_runs_every_stage_on_real_subsets(colc, tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "--db",
            str(tmp_path / "kb.db"),
            "bench",
            "scale",
            "--docket",
            str(colc),
            "--sizes",
            "30,60",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    rows = {
        line.split()[0]: line
        for line in lines
        if line.split()[:1] in (["import"], ["tag"], ["build"])
    }
    assert set(rows) == {"import", "tag", "build"}
    assert "30" in lines[1] and "60" in lines[1]
    bad = CliRunner().invoke(cli, ["bench", "scale", "--docket", str(colc), "--sizes", "ten"])
    assert bad.exit_code == 2 and "whole numbers" in bad.output


def test_bench_tag_times_each_run_on_a_fresh_copy_and_prints_the_median(corpus):
    """Two runs over the recorded press article: each tags the one document (a run on a
    copy already tagged would tag none), and the median of the two is printed."""
    result = CliRunner().invoke(cli, ["bench", "tag", "--runs", "2", str(corpus / "news")])
    assert result.exit_code == 0, result.output
    assert result.output.count("1 of 1 documents tagged") == 1
    runs = [line for line in result.output.splitlines() if line.startswith("run ")]
    assert len(runs) == 2 and all("words/s" in line for line in runs)
    assert "median of 2 runs" in result.output
    bad = CliRunner().invoke(cli, ["bench", "tag", "--runs", "0", str(corpus / "news")])
    assert bad.exit_code == 2 and "--runs" in bad.output
