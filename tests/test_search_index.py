"""The static search index: every term's postings checked against the real texts it came from."""

from __future__ import annotations

import gzip
import json
import shutil
from collections import defaultdict

import pytest

from kb.importer import import_paths
from kb.search.index import MAX_FORMS, build_index, fnv1a, order, passages
from kb.search.read import lookup
from kb.search.terms import groups, organisation_acronyms
from kb.search.units import units_from_db
from kb.search.words import words
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
    assert len(columns) == (len(facets) + 1) * len(units)  # the facets, then the tiers
    tiers = columns[len(facets) * len(units) :]
    assert list(tiers) == [u.tier for u in units]
    assert {tiers[i] for i, u in enumerate(units) if u.kind == "bill"} == {3}
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


def stems_in_a_row(text: str) -> list[str]:
    """An independent reading of a text for phrases: Porter stems of its words in order
    (letters and digits; single letters left out as the index leaves them out)."""
    import re

    import snowballstemmer

    stem = snowballstemmer.stemmer("porter").stemWord
    return [stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1 or w.isdigit()]


@pytest.mark.parametrize("phrase", ["fair use", "voice actors", "copyright office", "opt-out"])
def test_a_phrase_finds_what_sqlite_fts5_finds(indexed, phrase):
    """The index's phrases against SQLite's own FTS5 (porter tokenizer, as the database's
    documents_fts and Datasette use it) over the same units' texts and headings."""
    import sqlite3

    from kb.search.query import Index

    _, units, out, _ = indexed
    index = Index(out)
    got = set(index.search(f'"{phrase}"'))
    apart = set(index.search(phrase.replace("-", " ")))
    fts = sqlite3.connect(":memory:")
    fts.execute("create virtual table u using fts5(text, head, tokenize='porter')")
    fts.executemany(
        "insert into u (rowid, text, head) values (?, ?, ?)",
        [(n, u.text, f"{u.heading} {u.extra}") for n, u in enumerate(units)],
    )
    together = {r[0] for r in fts.execute("select rowid from u where u match ?", [f'"{phrase}"'])}
    assert got == together and got, phrase
    assert got < apart  # the words apart are found more often than together


def test_vocabulary_files_list_each_word_by_its_units(indexed):
    _, units, out, _ = indexed
    by_unit: dict[str, int] = defaultdict(int)
    for u in units:
        for w in set(words(f"{u.text} {u.heading} {u.extra}")):
            by_unit[w] += 1
    vocab = json.loads((out / "v" / f"{b'co'.hex()}.json").read_text())
    assert vocab and all(w.startswith("co") for w, _ in vocab)
    assert [n for _, n in vocab] == sorted((n for _, n in vocab), reverse=True)
    assert all(by_unit[w] == n >= 2 for w, n in vocab)
    assert {w for w, n in by_unit.items() if w.startswith("co") and n >= 2} == {w for w, _ in vocab}


@pytest.mark.parametrize("prefix", ["licens", "copyr", "transpar"])
def test_a_prefix_finds_every_unit_holding_a_word_it_begins(indexed, prefix):
    """ "licens" (a word the index lacks) and "licens*" find the units holding any form of
    the commonest words that begin with it, read from the units' own texts."""
    from kb.search.query import PREFIX_WORDS, Index

    _, units, out, _ = indexed
    index = Index(out)
    by_unit: dict[str, set[int]] = defaultdict(set)
    for n, u in enumerate(units):
        for w in words(f"{u.text} {u.heading} {u.extra}"):
            by_unit[w].add(n)
    group = groups(by_unit, organisation_acronyms())
    begun = sorted(
        (w for w in by_unit if w.startswith(prefix) and len(by_unit[w]) >= 2),
        key=lambda w: -len(by_unit[w]),
    )
    assert begun and index.prefix_words(prefix) == begun[:PREFIX_WORDS]
    wanted = {group[w] for w in index.prefix_words(prefix)}
    expected = {n for w, held in by_unit.items() if group[w] in wanted for n in held}
    assert set(index.search(f"{prefix}*")) == expected
    if index.word(prefix) is None:
        assert index.search(prefix) == index.search(f"{prefix}*")
    # The words' own searches are parts of it.
    assert set().union(*(index.search(w) for w in index.prefix_words(prefix))) == expected


@pytest.fixture(scope="module")
def small_site(indexed, tmp_path_factory):
    from kb.site.build import build_site

    db = indexed[0]
    tmp = tmp_path_factory.mktemp("site")
    build_site(db, tmp / "site", tmp / "work")
    return tmp / "site"


@pytest.mark.slow
def test_phrase_prefix_variant_and_typo_queries_in_chromium(small_site):
    """The search page answers as the index's own rule does (``kb.search.query``), offers
    completions while typing and a correction for a misspelt word."""
    from kb.search.query import Index
    from tests.test_site import finished, search, site_in_chromium

    index = Index(small_site / "search" / "idx")
    urls = index.urls()
    errors: list[str] = []
    with site_in_chromium(small_site) as (browser, base):
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        # Phrase: fewer results than the words apart, the same ones as the index's rule.
        apart = search(page, base, "fair use")
        together = search(page, base, '"fair use"')
        ranked = index.search('"fair use"')
        assert together == len(ranked) and 0 < together < apart == len(index.search("fair use"))
        shown = page.eval_on_selector_all(
            ".kb-result-link", "els => els.map(a => a.getAttribute('href'))"
        )
        assert shown == [f"../{urls[n]}" for n in ranked[: len(shown)]]
        for snippet in page.locator(".kb-result-snippet").all_inner_texts():
            if snippet:
                want = stems_in_a_row("fair use")
                assert any(p == want for p in pairs(stems_in_a_row(snippet))), snippet
        # Variants: the British spelling finds what the American one finds.
        assert search(page, base, "licence") == search(page, base, "license") > 0
        # Prefix: typing part of a word offers the commonest words it begins.
        page.goto(f"{base}/search/", wait_until="networkidle")
        page.locator("#kb-search input[name=q]").press_sequentially("licens")
        page.wait_for_selector("#kb-suggest:not([hidden]) .kb-suggestion")
        offered = page.locator(".kb-suggestion").all_inner_texts()
        vocab = json.loads((small_site / "search/idx/v" / f"{b'li'.hex()}.json").read_text())
        assert offered == [w for w, _ in vocab if w.startswith("licens") and w != "licens"][:8]
        assert {"license", "licenses"} <= set(offered)
        # Prefix: the partial word finds the words it begins, and says which.
        assert finished(page) == len(index.search("licens")) >= len(index.search("license")) > 0
        status = page.inner_text("#kb-status")
        assert "Words beginning “licens”: license" in status, status
        page.click(".kb-suggestion >> text=licenses")
        assert finished(page) == len(index.search("licenses"))
        assert page.input_value("#kb-search input[name=q]") == "licenses"
        # Typo: no result, and a "did you mean" from the index's vocabulary.
        assert search(page, base, "copyrigth") == 0
        page.wait_for_selector("#kb-didyoumean:not([hidden])")
        assert page.get_attribute("#kb-didyoumean", "data-query") == "copyright"
        page.click(".kb-didyoumean-link")
        assert finished(page) == len(index.search("copyright")) > 0
    assert errors == []


def pairs(seq: list[str]) -> list[list[str]]:
    return [seq[i : i + 2] for i in range(len(seq) - 1)]


def test_query_parts_split_phrases_and_hyphenated_words():
    from kb.search.query import query_parts

    assert query_parts('"Fair use" licensing opt-out e-mail "NO FAKES') == [
        ["fair", "use"],
        ["licensing"],
        ["opt", "out"],
        ["email"],
        ["no", "fakes"],
    ]
    assert query_parts('" " a') == []


def test_filer_facet_tells_people_organisations_and_anonymous_apart(indexed):
    db, units, out, _ = indexed
    manifest = json.loads((out / "manifest.json").read_text())
    columns = gzip.decompress((out / "facets.bin").read_bytes())
    k = next(i for i, f in enumerate(manifest["facets"]) if f["name"] == "Filer")
    values = manifest["facets"][k]["values"]
    assert set(values) <= {"person", "organisation", "anonymous"} and len(values) >= 2
    filed = {r["id"]: r for r in db.query("select id, kind, filer_type, org_ids from documents")}
    for n, u in enumerate(units):
        code = columns[k * len(units) + n]
        shown = values[code - 1] if code else ""
        row = filed.get(u.key)
        if row is None or row["kind"] != "comment":
            assert shown == "", u.key
        elif row["org_ids"] and row["org_ids"] != "[]":
            assert shown == "organisation", u.key
        else:
            want = {"organization": "organisation"}.get(row["filer_type"], row["filer_type"])
            assert shown == (want or ""), u.key
