"""A database that holds only part of the labelled documents fits no stance model: the
tagger says why and falls back to the lexicon rules, instead of trusting (and caching
under the labels' key) a model fitted from the few labelled documents it happens to hold."""

from __future__ import annotations

from pathlib import Path

from kb.bench.scale import write_subset
from kb.importer import import_paths
from kb.store import open_db
from nlp.tag import stance_model
from nlp.training_units import MIN_PRESENT


def test_a_partial_import_fits_no_model_and_says_why(tmp_path: Path, colc: Path) -> None:
    # 600 comments drawn at random hold about 100 of the ~2,200 labelled documents.
    write_subset(colc, 600, tmp_path / "in")
    db = open_db(tmp_path / "kb.db")
    import_paths(db, [tmp_path / "in"])

    model, reason = stance_model(db)

    assert model is None
    assert "positions from the lexicon rules" in reason
    assert f"{MIN_PRESENT:.0%} are needed" in reason
    assert not list((tmp_path / ".kb-cache").glob("stance-model-*"))
