"""The reply graph on the real reply comments of the recorded corpus: the names the
filers filed under, the commenters a reply cites by them, and the relation model fitted
on the labelled replies of ``nlp.answers_eval.FIT``."""

from __future__ import annotations

import json

import pytest
from sqlite_utils import Database

from kb.legislation import slug
from nlp.replies import Reference, docket_names, near_names, references, short_forms
from nlp.reply_inputs import filer_names, own_parties, party_sides, relation_model
from nlp.sentences import split_sentences

AUTHORS_GUILD = "COLC-2023-0006-10320"  # the Authors Guild's reply (FIT)
UMG = "COLC-2023-0006-10331"  # Universal Music Group's reply (FIT)
JOINT = "COLC-2023-0006-10313"  # A2IM, the Recording Academy and the RIAA
SCHOLARS = "org-pamela-samuelson-christopher-sprigman-and-matthew-sag"


def test_short_forms_of_the_names_commenters_filed_under():
    people = short_forms("Pamela Samuelson, Christopher Sprigman, and Matthew Sag")
    assert {"Samuelson, Sprigman, and Sag", "Samuelson, Sprigman & Sag", "Samuelson"} <= people
    assert "LCA" in short_forms("Library Copyright Alliance")
    assert "Microsoft" in short_forms("Microsoft Corporation")
    assert "Authors Guild" in short_forms("The Authors Guild")
    # Not people, so no surnames; a person's firm gets no acronym.
    assert short_forms("Science Fiction and Fantasy Writers Association") >= {"SFFWA"}
    assert "Fiction" not in short_forms("Science Fiction and Fantasy Writers Association")
    assert short_forms("John Wiley & Sons, Inc.") == {
        "John Wiley & Sons",
        "John Wiley & Sons, Inc.",
    }
    # A form two filers share names neither.
    names = dict(
        docket_names([("Library Copyright Alliance", "a"), ("Legal Compliance Association", "b")])
    )
    assert "LCA" not in names and names["Library Copyright Alliance"] == "a"


@pytest.fixture(scope="module")
def regs(imported_db_path):
    """The imported corpus and the names its comments were filed under (ids as the
    tagger makes them for names no gazetteer holds)."""
    db = Database(imported_db_path)
    filed = db.execute(
        "select distinct organization from documents where kind = 'comment' "
        "and docket_id = 'COLC-2023-0006' and organization != ''"
    )
    return db, docket_names((name, "org-" + slug(name)) for (name,) in filed)


def refs_of(db: Database, doc_id: str, names, relate=None) -> tuple[str, list[Reference]]:
    text, pages, ids, organization = db.execute(
        "select text, pages, org_ids, organization from documents where id = ?", [doc_id]
    ).fetchone()
    sentences = split_sentences(text, "en", json.loads(pages) if pages else None)
    own = own_parties(ids, organization)
    if relate is None:
        return text, references(text, sentences, own, names)
    return text, references(text, sentences, own, names, relate)


def test_a_reply_cites_commenters_by_the_names_they_filed_under(regs):
    """The Authors Guild cites "Samuelson, Sprigman & Sag at 24" and "LCA at 1": names
    of the docket's filers (and forms of them) that no gazetteer lists; "They note …"
    after the professors' comments are cited reports them too."""
    db, names = regs
    text, refs = refs_of(db, AUTHORS_GUILD, names)
    said = {text[r.start : r.end].strip(): r.party for r in refs}
    assert said["Samuelson, Sprigman & Sag at 24."] == SCHOLARS
    assert any(s.startswith("See, e.g., LCA at 1") for s in said)
    assert any(s.startswith("They note, as we did") and p == SCHOLARS for s, p in said.items())
    # "OpenAI, for example, contends": an aside between the name and its verb.
    assert any(s.startswith("OpenAI, for example, contends") for s in said)


def test_a_misspelt_name_still_cites_its_filer(regs):
    """The Authors Guild cites "Andreeson  Horowitz at 6" and UMG "Samuel, Sprigman, and
    Sag": misspellings of the names Andreessen Horowitz and the three scholars filed
    under. A near match never takes a name to another filer than its own."""
    db, names = regs
    a16z = dict(names)["Andreessen Horowitz"]
    text, refs = refs_of(db, AUTHORS_GUILD, names)
    assert any("Andreeson" in text[r.start : r.end] and r.party == a16z for r in refs)
    text, refs = refs_of(db, UMG, names)
    assert any(
        "Samuel, Sprigman, and Sag" in text[r.start : r.end] and r.party == SCHOLARS for r in refs
    )
    assert all(other == org for name, org in names for other, _, _ in near_names(name, names))
    assert near_names("The Copyright Alliances said", names) == []


def test_a_list_of_commenters_after_the_comments_they_filed(regs):
    """UMG agrees with "the reply comments filed by the … (A2IM), the Recording Academy,
    and the Recording Industry Association of America (RIAA)": all three are cited, and
    the relation model calls a mention of the filer's own side "agree"."""
    db, names = regs
    relate = relation_model(db, names)
    assert relate is not None
    _, refs = refs_of(db, UMG, names, relate)
    listed = {r.party: r.relation for r in refs if r.party in {"a2im", "recording-academy", "riaa"}}
    assert listed == {"a2im": "agree", "recording-academy": "agree", "riaa": "agree"}
    assert "universal-music-group" not in {r.party for r in refs}
    assert {r.relation for r in refs} <= {"rebut", "agree", "cite"}


def test_a_joint_reply_answers_none_of_its_filers(regs):
    db, names = regs
    ids, organization = db.execute(
        "select org_ids, organization from documents where id = ?", [JOINT]
    ).fetchone()
    assert {"a2im", "recording-academy", "riaa"} <= set(own_parties(ids, organization))
    _, refs = refs_of(db, JOINT, names)
    assert not {"a2im", "recording-academy", "riaa"} & {r.party for r in refs}


def test_the_office_that_asks_is_no_commenter_a_reply_answers(regs):
    """ "In previous guidance, the Copyright Office argued …" (1446) and "the copyright
    office's position will dictate …" (6617) name the agency that runs the inquiry: no
    reply edge (there were eight, to a page that did not exist)."""
    db, names = regs
    for doc_id in ("COLC-2023-0006-1446", "COLC-2023-0006-6617"):
        text, refs = refs_of(db, doc_id, names)
        assert "copyright office" in text.lower()
        assert "us-copyright-office" not in {r.party for r in refs}, doc_id


def test_the_relation_model_is_fitted_on_the_fit_replies_deterministically(regs):
    db, names = regs
    sides = party_sides(db)
    assert sides["openai"] == "use" and sides["universal-music-group"] == "rights"
    first, second = relation_model(db, names), relation_model(db, names)
    assert first is not None and second is not None
    _, a = refs_of(db, UMG, names, first)
    _, b = refs_of(db, UMG, names, second)
    assert a == b
    assert {r.relation for r in a} >= {"rebut", "agree"}


@pytest.mark.slow
def test_filer_names_of_a_tagged_database(tagged_db_path):
    """After tagging, the names come from the organisations and the filings' resolved
    ids: the scholars' surnames name their filing."""
    names = dict(filer_names(Database(tagged_db_path)))
    assert names["Samuelson, Sprigman & Sag"] == SCHOLARS
    assert names["Andreessen Horowitz"] == names["a16z"]


def test_the_names_expression_matches_as_an_alternation_longest_first(regs):
    """``names_trie`` gives the matches of the plain alternation of the names, longest
    first, on every comment of the docket, and so does the lower-cased scan of the words
    a reference is signalled by."""
    import re

    from nlp.patterns import names_trie
    from nlp.replies import _SIGNAL_WORD, _SIGNAL_WORD_LOWER, _names_pattern

    db, names = regs
    longest = sorted({n for n, _ in names}, key=len, reverse=True)
    body = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in longest)
    plain = re.compile(r"(?<![\w/])(?:" + body + r")(?![\w/])")
    trie = _names_pattern(names)
    assert trie is not None
    texts = [t for (t,) in db.execute("select text from documents where length(text) > 500")]
    found = 0
    for text in texts:
        spans = [m.span() for m in plain.finditer(text)]
        assert [m.span() for m in trie.finditer(text)] == spans
        found += len(spans)
        lowered = text.lower()
        if len(lowered) == len(text):
            fast = [m.start() for m in _SIGNAL_WORD_LOWER.finditer(lowered)]
            assert fast == [m.start() for m in _SIGNAL_WORD.finditer(text)]
    assert found > 1000
    # The longer name wins where it is written whole; the shorter where the longer
    # runs on into a word.
    short = re.compile(names_trie({"Authors Guild", "Authors"}, r"[\w/]") + r"(?![\w/])")
    assert [m.group(0) for m in short.finditer("Authors  Guild, Authors Guilds")] == [
        "Authors  Guild",
        "Authors",
    ]
