"""The stance model, its labels and its evaluation, on the real corpus and labels."""

from __future__ import annotations

import gzip
import json
import math
import re
from itertools import islice

import numpy as np
import pytest
from sqlite_utils import Database

from kb.render.markup import display_quote
from nlp import forkmap
from nlp.evaluate import score_block
from nlp.labels import convert_line, primary_records, read_set, sha, verify
from nlp.model import doc_features, doc_features_many, quotable
from nlp.patterns import for_lowered, literal_first, required_words, trie_pattern
from nlp.sentence_features import ngram_rows
from nlp.sentences import block_spans, masked, pipeline, sentence_spans, split_sentences
from nlp.stance import lexicon, scanned
from nlp.tag_positions import row_sentences
from nlp.train import _vectorizer, fit
from nlp.training_units import label_sentences, sentence_targets, units


@pytest.fixture(scope="module")
def labelled(imported_db_path):
    db = Database(imported_db_path)
    return db, units(db, row_sentences)


def test_every_labelled_span_is_the_text_it_was_given_on(imported_db):
    """The labels store offsets and a hash, never text: the hash proves the offsets
    still frame the characters the labeller read."""
    records = primary_records()
    assert len(records) >= 1600 + 17 + 35
    texts = {r[0]: r[1] or "" for r in imported_db.execute("select id, text from documents")}
    for rec in [*records.values(), *read_set("second-pass")]:
        if rec.source == "earlier" and rec.id not in texts:
            continue  # the earlier set's press article is not a regulations.gov document
        verify(rec, texts[rec.id])


def test_sentence_numbers_become_spans_of_those_sentences(imported_db):
    doc_id = "COLC-2023-0006-9027"
    row = imported_db["documents"].get(doc_id)
    pages = json.loads(row["pages"])
    sentences = split_sentences(row["text"], "en", pages)
    raw = {"id": doc_id, "document": "VL-", "sentences": {"5": "VL-"}, "other": {"6": "Q"}}
    stored = convert_line(raw, row["text"], "en", pages)
    (start, end, digest, codes), (_, _, _, other) = stored["spans"]
    assert (start, end) == (sentences[5].start, sentences[5].end)
    assert digest == sha(row["text"][start:end]) and codes == "VL-" and other == "Q"


def test_unmarked_sentences_of_an_argued_issue_are_not_negatives(labelled):
    """Comments mark only the clearest evidence: their other sentences teach nothing
    about the issues the comment argues; exhaustively labelled filings teach "none"."""
    _, all_units = labelled
    comment = next(u for u in all_units if u.source == "comments" and len(u.positions) >= 2)
    targets = sentence_targets(comment)
    argued = next(iter(comment.positions))
    marked = [i for i, lab in enumerate(comment.sentence_labels) if argued in lab]
    assert marked and all(targets[i][argued] == comment.sentence_labels[i][argued] for i in marked)
    assert all(
        targets[i][argued] is None
        for i, lab in enumerate(comment.sentence_labels)
        if not lab and i not in marked
    )
    filing = next(u for u in all_units if u.source == "filings" and u.doc.formal)
    assert all(v is not None for t in sentence_targets(filing) for v in t.values())
    # Someone else's words are labelled as such in the major filings and teach "none".
    other = [i for i, lab in enumerate(filing.sentence_labels) if "other" in lab]
    assert other and all(set(sentence_targets(filing)[i].values()) == {"none"} for i in other)


def test_training_is_deterministic_and_never_sees_the_test_split(labelled):
    _, all_units = labelled
    train = [u for u in all_units if u.split == "train"][:160]
    assert not [u for u in train if u.split == "test"]
    dev = [u for u in all_units if u.split == "dev"][:40]
    first, second = fit(train), fit(train)
    a = first.predict([u.doc for u in dev])
    b = second.predict([u.doc for u in dev])
    for x, y in zip(a, b, strict=True):
        for issue in x.issues:
            assert np.array_equal(x.issues[issue][0], y.issues[issue][0])


def test_the_fit_is_the_same_on_one_core_as_on_several(labelled, monkeypatch):
    """The first-stage fits run in forked workers; run in this process instead they
    give the same model, to the last bit (BLAS on one thread either way)."""
    _, all_units = labelled
    train = [u for u in all_units if u.split == "train"][:160]
    dev = [u for u in all_units if u.split == "dev"][:40]
    several = fit(train)
    monkeypatch.setattr(forkmap, "workers_here", lambda: 1)
    one = fit(train)
    a = several.predict([u.doc for u in dev])
    b = one.predict([u.doc for u in dev])
    for x, y in zip(a, b, strict=True):
        for issue in x.issues:
            assert np.array_equal(x.issues[issue][0], y.issues[issue][0])
            assert np.array_equal(x.issues[issue][1], y.issues[issue][1])


def test_fork_map_keeps_the_order_and_runs_closures():
    texts = ["a b", "c", "d e f"] * 7
    offset = 10
    assert forkmap.fork_map(lambda t: len(t.split()) + offset, texts, workers=2) == [
        len(t.split()) + offset for t in texts
    ]
    assert forkmap.fork_map(len, texts, workers=2, per_task=1) == [len(t) for t in texts]


def test_rewritten_lexicon_expressions_find_what_the_lexicon_says(colc):
    """``literal_first`` rewrites ``(?:\\bpay`` for speed: on real comments every
    trigger and cue expression finds exactly the spans it found before."""
    with gzip.open(colc / "comment-text.jsonl.gz", "rt") as fh:
        texts = [(json.loads(line).get("comment") or "").lower() for line in islice(fh, 1000)]
    lex = lexicon()
    patterns = [*lex.triggers.values(), *lex.any_cue.values()]
    rewritten = 0
    for pattern in patterns:
        fast = for_lowered(pattern.pattern)
        rewritten += fast.pattern != pattern.pattern
        for text in texts:
            assert [m.span() for m in fast.finditer(text)] == [
                m.span() for m in pattern.finditer(text)
            ], pattern.pattern[:80]
    assert rewritten >= 3
    assert literal_first(r"(?:\ba+b)|(?:\bpay\b)") == r"(?:\ba+b)|(?:p(?<=\bp)ay\b)"


def test_label_sentences_take_the_spans_that_cover_them(labelled):
    _, all_units = labelled
    unit = next(u for u in all_units if u.id == "COLC-2023-0006-9027")
    labels = label_sentences(unit.record, unit.doc.sentences)
    assert sum(1 for lab in labels if "voice_likeness_right" in lab) >= 1
    assert unit.positions["voice_likeness_right"] == "opposes"


def test_quotes_read_well():
    text = (
        "The Office should not sup-\nport new restrictions on style,\nvoice, or likeness "
        "appro-\npriation."
    )
    assert display_quote(text) == (
        "The Office should not support new restrictions on style, voice, or likeness appropriation."
    )
    # A hyphen after a capital is the word's own; the Federal Register's doubled single
    # quotes are shown as double quotes (the Notice's "‘‘unlearn’’", "AI-\ngenerated").
    assert display_quote("to label AI-\ngenerated output or ‘‘unlearn’’ it") == (
        "to label AI-generated output or “unlearn” it"
    )
    long = "Training on our work without consent is theft of our livelihoods. " * 12
    shown = display_quote(long, 120)
    assert shown.endswith(" …") and len(shown) <= 122
    assert long.startswith(shown[:-2])  # cut at a word boundary, nothing rewritten
    assert not quotable("II. TRAINING DATA TRANSPARENCY")
    assert not quotable("See Authors Guild v. Google, Inc., 804 F.3d 202 (2d Cir. 2015).")
    assert not quotable("Should the law require AI developers to disclose training data?")
    assert quotable("We urge Congress to require developers to disclose their training data.")


def test_scores_count_each_class_and_abstention_as_a_miss():
    gold = [
        {"training_fair_use": "opposes"},
        {"training_fair_use": "opposes", "consent_required": "supports"},
        {},
    ]
    predicted = [{"training_fair_use": "opposes"}, {"training_fair_use": "supports"}, {}]
    block = score_block(list(zip(gold, predicted, strict=True)))
    micro = block["micro"]
    assert (micro["precision"], micro["recall"]) == (0.5, 1 / 3)
    classes = {(c["issue"], c["stance"]): c for c in block["classes"]}
    assert classes[("training_fair_use", "opposes")]["recall"] == 0.5
    assert classes[("consent_required", "supports")]["support"] == 1


@pytest.mark.slow
def test_kb_eval_reproduces_the_published_figures(tagged_db_path):
    """The Accuracy page's figures (data/accuracy.json) are what kb eval measures now,
    on the whole corpus as the demo imports it (the model the site's positions come
    from): training is deterministic and the labels, split and code are committed."""
    from kb.paths import ACCURACY_FILE
    from nlp.eval_run import run

    measured = json.loads(json.dumps(run(Database(tagged_db_path))))
    published = json.loads(ACCURACY_FILE.read_text(encoding="utf-8"))
    for figures in (measured, published):
        figures["model"].pop("fit_seconds")
    assert measured == published


def test_sentences_split_at_footnote_markers_and_headings(imported_db):
    """OpenAI (8906) glues footnote numbers to sentence ends ("other sectors.5 These
    tools"); Meta's reply (10332) runs a section heading into its first sentence."""

    def sentences(doc_id: str) -> list[str]:
        row = imported_db["documents"].get(doc_id)
        text = row["text"]
        return [
            text[s.start : s.end] for s in split_sentences(text, "en", json.loads(row["pages"]))
        ]

    openai = sentences("COLC-2023-0006-8906")
    assert any(s.endswith("and other sectors.5") for s in openai)
    assert any(s.startswith("These tools can also") for s in openai)
    meta = sentences("COLC-2023-0006-10332")
    assert "A. Limiting the Scope of Training Data Will Diminish AI Development" in meta
    assert any(s.startswith("First, these arguments reflect a misunderstanding") for s in meta)


def _comment_texts(colc, n: int) -> list[str]:
    with gzip.open(colc / "comment-text.jsonl.gz", "rt") as fh:
        return [json.loads(line).get("comment") or "" for line in islice(fh, n)]


def test_cue_prefilter_never_drops_a_cue_that_matches(colc):
    """``required_words``: on real comments, every cue expression that matches a
    sentence has one of its needed words in it, so ``cues_in`` keeps it."""
    texts = [t.lower() for t in _comment_texts(colc, 1000)]
    lex = lexicon()
    checked = 0
    for issue, cues in lex.cues.items():
        for text in texts:
            kept = {id(c) for c in lex.cues_in(issue, text)}
            for cue in cues:
                if cue.lower.search(text):
                    checked += 1
                    assert id(cue) in kept, cue.lower.pattern[:80]
    assert checked > 500
    assert required_words(re.compile(r"(?:consent|permission)\W+first")) == (
        "consent",
        "permission",
    )
    assert required_words(re.compile(r"(?:steal|stole)s? (?:the )?works?")) == ("work",)
    assert required_words(re.compile(r"\bfair use\b", re.I)) is None


def test_one_scan_finds_every_trigger_a_scan_per_issue_finds(colc):
    """``Lexicon.triggered`` looks for triggers only where the trie of their opening
    letters matches: on real comments, the same (position, issue) list as scanning
    the text once per issue."""
    lex = lexicon()
    texts = _comment_texts(colc, 2000)
    found = 0
    for text in texts:
        lowered = text.lower()
        if len(lowered) == len(text):
            expected = scanned(lowered, lex.lower_triggers)
            assert lex.triggered(text) == expected, text[:80]
            found += len(expected)
    assert found > 5000
    assert trie_pattern({"consent", "copyright", "cop"}) == "co(?:nsent|p)"
    starts = re.compile(trie_pattern({"paid", "opt"}))
    assert [m.start() for m in starts.finditer("we opted to be paid")] == [3, 15]


def test_document_features_of_a_batch_are_each_documents_own():
    """``doc_features_many`` computes every document's features at once: the same
    numbers as the formula written out per document (best sentence, sum of the best
    three, share above 0.5), documents without sentences and ties included."""
    rng = np.random.default_rng(7)
    counts = [0, 1, 2, 3, 5, 0, 40, 1]
    probs = rng.dirichlet(np.ones(4), size=sum(counts))
    probs[3] = probs[4]  # a tie inside one document
    bounds = np.cumsum([0, *counts])
    texts = rng.dirichlet(np.ones(4), size=len(counts))
    formal = [bool(k % 2) for k in range(len(counts))]
    got = doc_features_many(probs, bounds, texts, formal)
    for i, n in enumerate(counts):
        own = probs[bounds[i] : bounds[i + 1]]
        expected: list[float] = []
        for k in range(1, 4):
            column = np.sort(own[:, k])[::-1] if n else np.zeros(1)
            share = float((own[:, k] > 0.5).sum()) / 3 if n else 0.0
            expected += [float(column[0]), float(column[:3].sum()), share]
        expected += [*map(float, texts[i][1:]), math.log1p(n) / 5, float(formal[i])]
        assert got[i].tolist() == expected
        assert doc_features(own, texts[i], formal[i]) == expected


def test_counted_ngrams_are_the_vectorizers_own(colc):
    """``ngram_rows`` counts the n-grams over all sentences at once: the same matrix as
    the fitted vectoriser's ``transform``, entry for entry."""
    texts = _comment_texts(colc, 1500)
    vectorizer = _vectorizer().fit(texts[:500])
    sentences = [s for t in texts[500:] for s in re.split(r"(?<=[.!?])\s+", t) if s]
    expected = vectorizer.transform(sentences).tocsr()
    got = ngram_rows(vectorizer, sentences)
    assert got.shape == expected.shape and expected.nnz > 10_000
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)


def test_block_spans_are_the_sentencizers(colc):
    """``block_spans`` reads all blocks' token arrays at once: on real comments, the
    sentences spaCy's own sentencizer makes of each block, block by block."""
    nlp = pipeline("en")
    sentencizer = nlp.add_pipe("sentencizer") if "sentencizer" not in nlp.pipe_names else None
    try:
        blocks = [b for t in _comment_texts(colc, 600) for b in t.split("\n\n")]
        blocks[5:5] = ["", "  "]  # blocks without a sentence keep their place
        docs = list(nlp.pipe(blocks))
    finally:
        if sentencizer is not None:
            nlp.remove_pipe("sentencizer")
    expected = [[(s.start_char, s.end_char) for s in doc.sents] for doc in docs]
    assert sum(map(len, expected)) > 3000 and expected[5] == []
    assert block_spans(docs) == expected
    assert [sentence_spans(d) for d in docs[:200]] == expected[:200]


def test_masked_words_leave_the_sentences_as_they_are(colc):
    """``masked`` writes plain words as ``x`` before the tokenizer: on real comments the
    sentence spans are those of the text itself."""
    nlp = pipeline("en")
    blocks = [b for t in _comment_texts(colc, 1000) for b in t.split("\n\n") if b.strip()]
    assert masked("The U.S. Copyright Office, 2023.") == "xxx U.S. xxxxxxxxx Office, 2023."
    # Other scripts, and a lone surrogate (JSON may escape one), as the expression did.
    assert masked("Die Straße \ud800 naïve, 日本 ok") == "xxx xxxxxx \ud800 naïve, xx xx"
    for block in blocks:
        assert sentence_spans(nlp(masked(block))) == sentence_spans(nlp(block)), block[:80]
