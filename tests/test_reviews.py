"""Human reviews of positions (``kb review``, ``data/reviews/*.toml``): the TOML round
trip, validation, reviews applied wherever the site reads positions, stale reviews,
reviews as training labels; on the corpus's French press article, tagged for real."""

from __future__ import annotations

import json
import shutil
import tomllib
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.importer import import_paths
from kb.site.scope import published
from kb.store import open_db
from kb.store import reviews as rv
from kb.store import site_query as q
from kb.store.positions import export_positions
from kb.watchlist import load_watchlist
from nlp.tag import tag_documents

DOC = "press-mbw-2023-12-sony-music-kooker-ai-insight-forum-fr"
REVIEWER = "test-reader"
# The article reports Sony Music's principle word for word (codebook rule 1: the
# position of the party it reports): "2. Confirm that copying music to train AI models is
# not fair use."
SONY_FAIR_USE = "Confirmez que copier de la musique pour entraîner des modèles d’IA n’est pas un usage équitable."


@pytest.fixture(scope="module")
def press_db_path(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reviews") / "kb.db"
    db = open_db(path)
    report = import_paths(db, [corpus / "news"])
    assert not report.errors
    tag_documents(db, load_watchlist())
    db.conn.close()
    return path


@pytest.fixture
def press(press_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A private copy of the tagged press database and an empty reviews folder."""
    shutil.copy(press_db_path, tmp_path / "kb.db")
    folder = tmp_path / "reviews"
    monkeypatch.setenv("KB_REVIEWS", str(folder))
    return open_db(tmp_path / "kb.db"), tmp_path / "kb.db", folder


def kb(db_path: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db_path), *args])


def review_set(db_path: Path, *args: str):
    return kb(db_path, "review", "set", DOC, "--reviewer", REVIEWER, "--date", "2026-12-04", *args)


def machine(db, holder_id: str, issue: str) -> dict:
    rows = [
        dict(r)
        for r in db.query(
            "select * from positions where document_id = ? and holder_id = ? and issue = ?",
            [DOC, holder_id, issue],
        )
    ]
    assert len(rows) == 1, (holder_id, issue, rows)
    return rows[0]


def test_toml_round_trip_and_hand_edits(press):
    db, path, folder = press
    result = review_set(
        path, "--holder", "sony-music", "--issue", "training_fair_use", "--verdict", "verified",
        "--quote", SONY_FAIR_USE, "--note", "point 2 of the five principles",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    file = folder / f"{DOC}.toml"
    raw = tomllib.loads(file.read_text(encoding="utf-8"))
    assert raw["document_id"] == DOC
    (entry,) = raw["review"]
    assert entry["holder"] == "Sony Music Entertainment" and entry["holder_id"] == "sony-music"
    assert entry["date"] == date(2026, 12, 4) and entry["verdict"] == "verified"
    text = db.execute("select text from documents where id = ?", [DOC]).fetchone()[0]
    quote = entry["quote"]
    assert text[quote["start"] : quote["end"]] == quote["text"] == SONY_FAIR_USE
    (review,) = rv.load_reviews(folder)
    assert (
        review.stance
        == review.machine_stance
        == machine(db, "sony-music", "training_fair_use")["stance"]
    )
    # Written again, it is the same file; a hand edit is read back as written.
    rv.write_review(folder, review)
    assert tomllib.loads(file.read_text(encoding="utf-8")) == raw
    file.write_text(file.read_text(encoding="utf-8").replace("point 2", "principle 2"), "utf-8")
    assert rv.load_reviews(folder)[0].note == "principle 2 of the five principles"
    # A second review of the same position replaces the first, one entry per key.
    assert review_set(path, "--holder", "Sony Music Entertainment", "--issue",
                      "training_fair_use", "--verdict", "unclear").exit_code == 0  # fmt: skip
    assert [r.verdict for r in rv.load_reviews(folder)] == [rv.Verdict.UNCLEAR]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--holder", "sony-music", "--issue", "fair_use", "--verdict", "verified"), "unknown issue"),
        (("--holder", "sony-music", "--issue", "compensation", "--verdict", "ok"), "unknown verdict"),
        (("--holder", "sony-music", "--issue", "compensation", "--verdict", "disputed", "--stance", "against"), "unknown stance"),
        (("--holder", "Nobody Inc", "--issue", "compensation", "--verdict", "verified"), "unknown holder"),
        (("--holder", "anthropic", "--issue", "compensation", "--verdict", "verified"), "no machine position"),
        (("--holder", "sony-music", "--issue", "compensation", "--verdict", "disputed"), "needs --stance"),
        (("--holder", "sony-music", "--issue", "compensation", "--verdict", "verified", "--quote", "words nobody wrote"), "quote not found"),
    ],
)  # fmt: skip
def test_bad_review_is_a_usage_error_naming_the_item(press, args, message):
    _, path, folder = press
    result = review_set(path, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output and DOC in result.output
    assert "Traceback" not in result.output
    assert not folder.exists()  # nothing written


def test_unknown_document_and_missing_reviewer(press, monkeypatch):
    _, path, _ = press
    result = kb(path, "review", "set", "COLC-2023-0006-0000", "--holder", "x", "--issue",
                "compensation", "--verdict", "verified", "--reviewer", REVIEWER)  # fmt: skip
    assert result.exit_code == 2 and "COLC-2023-0006-0000: unknown document" in result.output
    monkeypatch.delenv("KB_REVIEWER", raising=False)
    result = kb(path, "review", "set", DOC, "--holder", "sony-music", "--issue", "compensation",
                "--verdict", "verified")  # fmt: skip
    assert result.exit_code == 2 and "--reviewer is required" in result.output


def test_a_broken_review_file_is_named_not_a_traceback(press):
    _, path, folder = press
    folder.mkdir()
    (folder / "broken.toml").write_text('document_id = "x"\n[[review]]\nholder = "y"\n')
    result = kb(path, "review", "stats")
    assert result.exit_code == 1
    assert "broken.toml review 1" in result.output and "Traceback" not in result.output


def test_reviews_are_applied_wherever_the_site_reads_positions(press):
    db, path, _ = press
    # Anthropic's fair-use position is reported by the article: disputed here to prove that
    # a disputed position disappears; UMG's is corrected to mixed; Sony's is verified.
    assert review_set(path, "--holder", "anthropic", "--issue", "training_fair_use",
                      "--verdict", "disputed", "--stance", "none").exit_code == 0  # fmt: skip
    assert review_set(path, "--holder", "universal-music-group", "--issue", "training_fair_use",
                      "--verdict", "disputed", "--stance", "mixed").exit_code == 0  # fmt: skip
    assert review_set(path, "--holder", "sony-music", "--issue", "training_fair_use",
                      "--verdict", "verified", "--quote", SONY_FAIR_USE).exit_code == 0  # fmt: skip
    umg_machine = machine(db, "universal-music-group", "training_fair_use")["stance"]
    assert umg_machine != "mixed"

    shown, _ = published(db, load_watchlist())
    by_holder = {(p["holder_id"], p["issue"]): p for p in export_positions(shown)}
    assert ("anthropic", "training_fair_use") not in by_holder
    umg = by_holder[("universal-music-group", "training_fair_use")]
    assert (umg["stance"], umg["review_state"], umg["reviewed_at"]) == (
        "mixed",
        "corrected",
        "2026-12-04",
    )
    sony = by_holder[("sony-music", "training_fair_use")]
    assert (sony["review_state"], sony["reviewed_at"]) == ("verified", "2026-12-04")
    assert by_holder[("sony-music", "compensation")]["review_state"] == "machine"
    # The pages' query, the search facets and the organisations published follow.
    pages = q.positions_by_document(shown)[DOC]
    assert not [p for p in pages if p["holder_id"] == "anthropic"]
    from kb.search.units import stance_bits

    assert stance_bits(pages) == stance_bits(
        [p for p in export_positions(shown) if p["document_id"] == DOC]
    )
    orgs = {r[0] for r in shown.execute("select id from organizations")}
    assert "anthropic" not in orgs and "universal-music-group" in orgs
    # The working database keeps the machine's positions as the tagger wrote them.
    assert machine(db, "anthropic", "training_fair_use")["review_state"] == "machine"
    assert machine(db, "universal-music-group", "training_fair_use")["stance"] == umg_machine
    # kb export positions: the researcher's view marks them; kb export reviews per CONTRACT.
    out = kb(path, "export", "positions")
    rows = {(r["holder_id"], r["issue"]): r for r in map(json.loads, out.stdout.splitlines())}
    assert rows[("anthropic", "training_fair_use")]["review_state"] == "disputed"
    assert rows[("universal-music-group", "training_fair_use")]["stance"] == "mixed"
    out = kb(path, "export", "reviews")
    reviews = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(reviews) == 3 and all(not r["stale"] for r in reviews)
    assert set(reviews[0]) >= {"document_id", "holder", "issue", "verdict", "stance",
                               "machine_stance", "quote", "note", "reviewer", "date", "stale"}  # fmt: skip
    stats = json.loads(kb(path, "review", "stats", "--json").stdout)
    assert stats["states"] == {"disputed": 1, "corrected": 1, "verified": 1}


def test_digest_reports_the_weeks_reviews(press):
    from kb.digest.collect import weeks_with_events
    from kb.digest.run import print_week
    from kb.digest.weeks import Week

    db, path, _ = press
    assert review_set(path, "--holder", "sony-music", "--issue", "training_fair_use",
                      "--verdict", "verified", "--quote", SONY_FAIR_USE).exit_code == 0  # fmt: skip
    shown, _ = published(db, load_watchlist())
    week = Week.parse("2026-W49")
    assert week in weeks_with_events(shown)
    text = print_week(shown, week)
    assert "## Positions reviewed" in text and "Sony Music Entertainment" in text
    assert "Confirmez que copier" in text
    assert "Positions reviewed" not in print_week(shown, Week.parse("2026-W48"))


def test_reviews_survive_a_re_tag_and_stale_ones_are_reported_not_dropped(press):
    db, path, folder = press
    assert review_set(path, "--holder", "universal-music-group", "--issue", "training_fair_use",
                      "--verdict", "disputed", "--stance", "mixed").exit_code == 0  # fmt: skip
    tag_documents(db, load_watchlist(), force=True)
    (res,) = rv.resolve(db, rv.load_reviews(folder))
    assert res.position is not None and not res.stale and res.state == "corrected"
    # A tagger that no longer finds the position: the review is stale, kept, and still wins.
    db.execute(
        "delete from positions where document_id = ? and holder_id = 'universal-music-group'", [DOC]
    )
    db.conn.commit()
    status = json.loads(kb(path, "status", "--json").stdout)
    (stale,) = status["reviews"]["stale"]
    assert stale["holder"] == "Universal Music Group"
    assert "no such position" in stale["reasons"][0]
    assert len(rv.load_reviews(folder)) == 1
    shown, _ = published(db, load_watchlist())
    (kept,) = [p for p in export_positions(shown) if p["holder_id"] == "universal-music-group"]
    assert (kept["stance"], kept["method"], kept["review_state"]) == (
        "mixed",
        "review",
        "corrected",
    )
    assert json.loads(kb(path, "export", "reviews").stdout)["stale"] is True


def test_a_quote_that_left_its_offsets_is_stale(press):
    db, path, folder = press
    assert review_set(path, "--holder", "sony-music", "--issue", "training_fair_use",
                      "--verdict", "verified", "--quote", SONY_FAIR_USE).exit_code == 0  # fmt: skip
    text = db.execute("select text from documents where id = ?", [DOC]).fetchone()[0]
    # A re-import that extracts the text differently (here: a prefix) moves every offset.
    db.execute("update documents set text = ? where id = ?", ["\n" + text, DOC])
    db.conn.commit()
    (res,) = rv.resolve(db, rv.load_reviews(folder))
    assert res.stale == ["quote no longer at its offsets in the document text"]


def test_reviews_become_labels_but_never_for_the_test_split(press):
    from nlp.labels import sha
    from nlp.review_labels import filers_of, review_agreement, review_labels, test_documents

    db, path, folder = press
    assert review_set(path, "--holder", "universal-music-group", "--issue", "training_fair_use",
                      "--verdict", "disputed", "--stance", "mixed").exit_code == 0  # fmt: skip
    assert review_set(path, "--holder", "sony-music", "--issue", "training_fair_use",
                      "--verdict", "verified", "--quote", SONY_FAIR_USE).exit_code == 0  # fmt: skip
    assert review_set(path, "--holder", "anthropic", "--issue", "training_fair_use",
                      "--verdict", "unclear").exit_code == 0  # fmt: skip
    held = rv.load_reviews(folder)
    filers = filers_of(db, [DOC])
    rec = review_labels(held, filers)[DOC]
    # The article's own view is not theirs: the parties it reports go to ``holders``.
    assert rec.positions == {}
    assert rec.holders == {
        "Universal Music Group": {"training_fair_use": "mixed"},
        "Sony Music Entertainment": {"training_fair_use": "opposes"},
    }
    assert [s.other for s in rec.spans] == ["reported", "reported"]
    text = db.execute("select text from documents where id = ?", [DOC]).fetchone()[0]
    assert all(sha(text[s.start : s.end]) == s.sha for s in rec.spans)
    # Had the article's publisher filed it, the review would label the document itself.
    own = review_labels(held, {DOC: {"Universal Music Group"}})[DOC]
    assert own.positions == {"training_fair_use": "mixed"}
    # The same reviews on a test-split document: no label, a measured agreement instead.
    test_id = sorted(test_documents())[0]
    moved = [replace(r, document_id=test_id) for r in held]
    assert test_id not in review_labels(moved, {test_id: {"Universal Music Group"}})
    agreement = review_agreement(db, held)
    assert agreement["train"] == {"agree": 1, "disagree": 1, "stale": 0}
    assert agreement["errors"][0]["reviewer"] == "mixed"
