"""``kb tag``: languages and mentions on the real corpus."""

from __future__ import annotations

import pytest

from kb.importer import import_paths
from kb.watchlist import load_watchlist
from nlp.language import detect_language
from nlp.mentions import BillName, MentionFinder
from nlp.tag import tag_documents


@pytest.fixture(scope="module")
def tagged(corpus, tmp_path_factory):
    from kb.store import open_db

    db = open_db(tmp_path_factory.mktemp("tag") / "kb.db")
    import_paths(db, [corpus / "regulations.gov", corpus / "govinfo", corpus / "news"])
    report = tag_documents(db, load_watchlist())
    assert report.tagged == report.considered == db["documents"].count
    return db


def test_second_tag_run_does_nothing(tagged):
    assert tag_documents(tagged, load_watchlist()).considered == 0


def test_mentions_of_no_fakes_and_digital_replicas(tagged):
    docs = {
        r[0]
        for r in tagged.execute(
            "select distinct document_id from links where method = 'mentions' and document_id like "
            "'COLC-2023-0006-%' and (target_id = 'no-fakes-act' or target_id = 'digital_replica_right' "
            "or target_type = 'bill')"
        )
    }
    assert len(docs) >= 50
    assert "COLC-2023-0006-10313" in docs  # the A2IM/RIAA reply cites the NO FAKES Act draft
    row = tagged.execute(
        "select l.start, l.end, l.matched, d.text from links l join documents d on d.id = l.document_id "
        "where l.document_id = 'COLC-2023-0006-10313' and l.target_id = 'no-fakes-act'"
    ).fetchone()
    assert row[3][row[0] : row[1]] == row[2]


def test_french_press_mentions_no_fakes(tagged):
    targets = {
        r[0] for r in tagged.execute("select target_id from links where document_id like 'press-%'")
    }
    assert "no-fakes-act" in targets


def test_bill_numbers_in_english_and_french():
    finder = MentionFinder(
        [
            BillName(("119-s-4591",), "no-fakes-act", ("NO FAKES Act of 2026",)),
            BillName(("119-hr-2794",), "no-fakes-act", ()),
        ]
    )
    found = finder.find("We support S. 4591 and H.R.2794; le projet de loi NO FAKES est soutenu.")
    assert [(m.target_type, m.target_id, m.matched) for m in found] == [
        ("bill", "119-s-4591", "S. 4591"),
        ("bill", "119-hr-2794", "H.R.2794"),
        ("family", "no-fakes-act", "NO FAKES"),
    ]
    assert finder.find("no fakes here, just deepfakes") == []


def test_caseless_mentions_keep_the_texts_offsets():
    """The case-insensitive expressions run on the text lower-cased once, or on the text
    itself where lower-casing moves offsets ("İ" becomes two characters): either way
    each mention's offsets point at its words as written."""
    finder = MentionFinder([BillName(("119-s-4591",), "no-fakes-act", ("NO FAKES Act of 2026",))])
    for prefix in ("", "İstanbul: "):
        text = prefix + "The No Fakes Act of 2024 and a Right of Publicity (Docket No. 2023-6)."
        found = [(m.target_id, m.matched) for m in finder.find(text)]
        assert found == [
            ("no-fakes-act", "No Fakes Act of 2024"),
            ("digital_replica_right", "Right of Publicity"),
            ("COLC-2023-0006", "Docket No. 2023-6"),
        ]
        assert all(text[m.start : m.end] == m.matched for m in finder.find(text))


def test_language_of_short_and_long_texts():
    assert detect_language("I, as an artist, object to ai art.", "en") == "en"
    assert (
        detect_language("Je ne veux pas que l'intelligence artificielle vole mon art.", "en")
        == "fr"
    )


def test_plainly_english_samples_skip_the_detector(corpus, colc):
    """A long text's sample full of English's common words is English without the
    detector: so for real comments, never for the French press article, whose
    language the detector still finds."""
    import gzip
    import json
    from itertools import islice

    from nlp.language import SAMPLE_CHARS, _plainly_english, fast_detector

    with gzip.open(colc / "comment-text.jsonl.gz", "rt") as fh:
        texts = [json.loads(line).get("comment") or "" for line in islice(fh, 400)]
    samples = [t[:SAMPLE_CHARS] for t in texts if len(t) >= SAMPLE_CHARS]
    plain = [s for s in samples if _plainly_english(s)]
    assert len(plain) > 0.8 * len(samples)
    assert all(str(fast_detector().detect_language_of(s)) == "Language.ENGLISH" for s in plain)
    french = (corpus / "news" / "mbw-2023-12-sony-music-kooker-ai-insight-forum.fr.txt").read_text()
    assert not _plainly_english(french[:SAMPLE_CHARS])
    assert detect_language(french, "en") == "fr"
