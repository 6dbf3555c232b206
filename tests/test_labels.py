"""The frozen label split: re-drawn from the corpus, it must not move."""

from __future__ import annotations

from pathlib import Path

from nlp.sampling import draw, ids_hash, load_split

# Committed before any model or lexicon change; a change here is a new split.
TEST_HASH = "9549cbddf60a336b58d8ad8ecc1ced514646bf1ca5d84b71bbf996bf8f1e26a7"


def test_split_is_frozen_and_redraws_identically(corpus: Path) -> None:
    split = load_split()
    assert ids_hash(split["test"]) == TEST_HASH
    assert draw(corpus) == split


def test_test_split_is_held_out() -> None:
    split = load_split()
    test = set(split["test"])
    assert len(test) == 500
    assert test <= set(split["comments"])
    assert not test & set(split["major"])
    from nlp.sampling import earlier_labelled

    assert not test & earlier_labelled()


def test_no_test_document_is_trained_or_tuned_on() -> None:
    from nlp.labels import primary_records, splits

    split = load_split()
    test = set(split["test"])
    assignment = splits()
    assert {i for i, s in assignment.items() if s == "test"} == test
    records = primary_records()
    # Every drawn comment is labelled; outside the test split nothing is "test".
    assert set(split["comments"]) <= set(records)
    for doc_id in records:
        assert (assignment.get(doc_id, "train") == "test") == (doc_id in test)


def test_extra_training_documents_stay_out_of_the_split() -> None:
    import json

    from nlp.sampling import EXTRA_FILE

    split = load_split()
    drawn = json.loads(EXTRA_FILE.read_text(encoding="utf-8"))
    extra, more, keyword = drawn["extra"], drawn["more"], drawn["keyword"]
    pro_ai = drawn["pro_ai"]
    assert len(extra) == len(set(extra)) == 600 and len(more) == len(set(more)) == 400
    assert len(keyword) == len(set(keyword)) == 800 and len(pro_ai) == len(set(pro_ai)) == 800
    assert not set(extra) & set(more) and not {*extra, *more} & set(keyword)
    assert not {*extra, *more, *keyword} & set(pro_ai)
    drawn_ids = {*extra, *more, *keyword, *pro_ai}
    assert not drawn_ids & {*split["comments"], *split["major"], *split["txt"]}
    lines = EXTRA_FILE.with_suffix(".jsonl").read_text(encoding="utf-8").splitlines()
    labelled = [json.loads(line)["id"] for line in lines]
    assert len(labelled) == len(set(labelled)) and set(labelled) == drawn_ids


def test_cross_validation_never_sees_the_test_split() -> None:
    """``kb eval --cv`` fits and scores every labelled document but the test split:
    the random draw's comments outside it are each scored once, by a model never
    fitted on them."""
    from nlp.crossval import OUTER, folds
    from nlp.labels import primary_records, splits
    from nlp.sentence_features import DocumentInput
    from nlp.training_units import Unit

    assignment = splits()
    labelled = [
        Unit(i, assignment.get(i, "train"), r.source, DocumentInput("", []), [], r.positions, r)
        for i, r in primary_records().items()
    ]
    test = set(load_split()["test"])
    cut = folds(labelled)
    assert len(cut) == OUTER
    scored = [u.id for _, s in cut for u in s]
    drawn = {u.id for u in labelled if u.source == "comments" and u.id not in test}
    assert len(scored) == len(set(scored)) and set(scored) == drawn and len(drawn) > 1000
    for fitted, held in cut:
        assert not test & {u.id for u in fitted} and not test & {u.id for u in held}
        assert not {u.id for u in fitted} & {u.id for u in held}
    assert len(cut[0][0]) + len(cut[0][1]) < len(labelled) - len(test)  # other sets fit only
