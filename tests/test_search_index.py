"""The static search index: every term's postings checked against the real texts it came from."""

from __future__ import annotations

import gzip
import json
import shutil
from collections import defaultdict

import pytest

from kb.importer import import_paths
from kb.search_index import (
    MAX_FORMS,
    build_index,
    fnv1a,
    lookup,
    order,
    passages,
    words,
)
from kb.search_terms import groups, organisation_acronyms
from kb.search_units import units_from_db
from kb.store import open_db
from nlp.tag import tag_documents


def test_words_fold_and_split_like_the_browser():
    assert list(words("Opt-out, CAFÉ société à 5 U.S. x")) == [
        "opt",
        "out",
        "optout",
        "cafe",
        "societe",
        "5",
    ]


def test_fnv1a_matches_the_published_values():
    assert fnv1a("") == 0x811C9DC5
    assert fnv1a("a") == 0xE40C292C
    assert fnv1a("foobar") == 0xBF9CF968


def test_passages_cover_the_text_at_whitespace():
    text = " ".join(f"word{n}" for n in range(400))
    pieces = passages(text, size=100)
    assert " ".join(pieces) == text
    assert all(len(p) <= 130 for p in pieces) and len(pieces) > 20
    assert passages("   ") == []


@pytest.fixture(scope="module")
def indexed(colc, corpus, tmp_path_factory):
    """Forty-one real comments, the Notice of Inquiry's PDF and the recorded bills (with their
    texts), tagged and indexed."""
    tmp = tmp_path_factory.mktemp("index")
    docs = tmp / "documents"
    docs.mkdir()
    for n in range(1, 42):
        shutil.copy(colc / "documents" / f"COLC-2023-0006-{n:04d}.json", docs)
    db = open_db(tmp / "kb.db")
    report = import_paths(
        db,
        [
            docs,
            colc / "notices" / "COLC-2023-0006-0001.pdf",
            corpus / "congress.gov-api-v3",
            corpus / "govinfo",
        ],
    )
    assert not report.errors
    tag_documents(db, None)
    units = order(units_from_db(db))
    out = tmp / "idx"
    return db, units, out, build_index(units, out)


def test_every_term_lists_exactly_the_units_holding_a_form_of_it(indexed):
    _, units, out, report = indexed
    assert {u.kind for u in units} >= {"comment", "notice", "bill"}
    vocabulary = {
        w
        for u in units
        for piece in (*passages(u.text), f"{u.heading} {u.extra}")
        for w in words(piece)
    }
    group = groups(vocabulary, organisation_acronyms())
    holders: dict[str, set[int]] = defaultdict(set)  # stem → units
    first: dict[tuple[str, int], int] = {}  # (stem, unit) → first passage in the text
    for n, u in enumerate(units):
        for p, piece in enumerate(passages(u.text)):
            for w in words(piece):
                holders[group[w]].add(n)
                first.setdefault((group[w], n), p)
        for w in words(f"{u.heading} {u.extra}"):
            holders[group[w]].add(n)
    assert report.terms == len(vocabulary) > 1000
    siblings: dict[str, set[str]] = defaultdict(set)
    for w in vocabulary:
        siblings[group[w]].add(w)
    assert max(map(len, siblings.values())) <= MAX_FORMS  # no list was cut here
    for term in vocabulary:
        found = lookup(out, term)
        assert found is not None, term
        stem, forms, rows = found
        assert stem == group[term]
        assert {term, *forms} == siblings[stem] and len(forms) == len(set(forms)), term
        assert [n for n, _, _ in rows] == sorted(holders[stem]), term
        for n, impact, p in rows:
            assert 1 <= impact <= 255
            assert p == first.get((stem, n), 0), (term, units[n].key)
    assert lookup(out, "zzzqqq") is None


def test_ranking_prefers_the_exact_form_and_the_heading(indexed):
    _, units, out, _ = indexed
    fakes, fake = lookup(out, "fakes"), lookup(out, "fake")
    assert fakes and fake and [r[0] for r in fakes.postings] == [r[0] for r in fake.postings]
    assert "fake" in fakes.forms and "fakes" in fake.forms
    for (n, as_fakes, _), (_, as_fake, _) in zip(fakes.postings, fake.postings, strict=True):
        forms = set(words(f"{units[n].heading} {units[n].extra} {units[n].text}"))
        if "fakes" in forms and "fake" not in forms:
            assert as_fakes > as_fake, units[n].key
        if "fake" in forms and "fakes" not in forms:
            assert as_fake > as_fakes, units[n].key
    ranked = [units[n] for n, _, _ in sorted(fakes.postings, key=lambda r: -r[1])]
    bills = [u for u in units if u.kind == "bill" and "NO FAKES" in u.heading]
    assert len(bills) >= 4 and all(b in ranked[: len(bills) + 2] for b in bills)


def test_result_metadata_passages_and_facets(indexed):
    db, units, out, _ = indexed
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["units"] == len(units)
    dates = [u.date for u in units[: manifest["dated"]]]
    assert all(dates) and dates == sorted(dates)
    assert not any(u.date for u in units[manifest["dated"] :])
    block = manifest["doc_block"]
    n = next(i for i, u in enumerate(units) if u.key == "COLC-2023-0006-0001")
    url, heading, date, docket, n_passages = json.loads(
        (out / "d" / f"{n // block}.json").read_text()
    )[n % block]
    assert url == "filings/COLC-2023-0006-0001/" and "COLC-2023-0006-0001" in heading
    assert docket == "COLC-2023-0006" and date == units[n].date
    texts = [
        p
        for g in range(0, n_passages, manifest["group"])
        for p in json.loads((out / "x" / f"{n}-{g // manifest['group']}.json").read_text())
    ]
    assert texts == passages(units[n].text) and n_passages > 50
    # The facet columns carry each unit's stances as the tagger stored them.
    columns = gzip.decompress((out / "facets.bin").read_bytes())
    facets = manifest["facets"]
    assert len(columns) == len(facets) * len(units)
    bits = {"supports": 1, "opposes": 2, "mixed": 4}
    number = {u.key: i for i, u in enumerate(units)}
    rows = list(db.query("select document_id, issue, stance from positions"))
    assert rows
    for row in rows:
        k = next(i for i, f in enumerate(facets) if f.get("issue") == row["issue"])
        assert columns[k * len(units) + number[row["document_id"]]] & bits[row["stance"]]
    kind = next(i for i, f in enumerate(facets) if f["name"] == "Kind")
    assert facets[kind]["values"][columns[kind * len(units) + n] - 1] == "notice"


def test_groups_fold_variants_and_keep_protected_words_apart():
    vocab = [
        "licence",
        "license",
        "licensing",
        "labelling",
        "labeling",
        "organisation",
        "organization",
        "promise",
        "colour",
        "color",
        "four",
        "for",
        "filled",
        "filed",
        "likeness",
        "like",
        "eff",
        "effing",
        "copyright",
        "copyrightability",
        "centre",
        "center",
    ]
    g = groups(vocab, ["EFF"])
    assert g["licence"] == g["license"] == g["licensing"]
    assert g["labelling"] == g["labeling"]
    assert g["organisation"] == g["organization"]
    assert g["colour"] == g["color"] and g["centre"] == g["center"]
    assert g["four"] != g["for"] and g["filled"] != g["filed"]  # only real variants
    assert g["promise"] == "promis"  # "promize" is not in the vocabulary
    assert g["likeness"] != g["like"] and g["copyrightability"] != g["copyright"]
    assert g["eff"] != g["effing"]
