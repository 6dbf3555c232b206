"""Answers to the Notice's questions and references to other commenters, on the real
major filings and their labels (``data/labels/questions.jsonl``)."""

from __future__ import annotations

import json

import pytest
from sqlite_utils import Database

from nlp.alignment_report import figures, report_lines
from nlp.answers import (
    THRESHOLD,
    align,
    content_scores,
    content_scores_many,
    expand,
    numbered_starts,
    windows,
)
from nlp.answers_eval import (
    NEAR,
    THRESHOLDS,
    precise_threshold,
    read_comment_numbering,
    read_labels,
)
from nlp.numbering_sample import DOCKET, SAMPLE_FILE, draw
from nlp.questions import parse_questions
from nlp.replies import docket_names, references, relation_of
from nlp.sentences import split_sentences

KNOWN = {str(n) for n in range(1, 35)} | {"8.1", "9.2", "10.3"}


def test_lists_of_question_numbers_expand():
    assert expand("6, 7 and 12", KNOWN) == ["6", "7", "12"]
    assert expand("15-17", KNOWN) == ["15", "16", "17"]
    assert expand("18 – 19", KNOWN) == ["18", "19"]
    assert expand("8 and 8.1", KNOWN) == ["8", "8.1"]
    assert expand("420", KNOWN) == []  # a footnote marker glued on, not a question
    assert expand("8, 9, and 10", KNOWN) == ["8", "9", "10"]


@pytest.fixture(scope="module")
def regs(imported_db_path):
    db = Database(imported_db_path)
    notice = db.execute("select text from documents where id = 'COLC-2023-0006-0001'")
    return db, parse_questions(notice.fetchone()[0])


def text_of(db: Database, doc_id: str) -> str:
    return str(db.execute("select text from documents where id = ?", [doc_id]).fetchone()[0])


def test_numbered_answers_start_where_the_labels_say(regs):
    """Anthropic numbers its answers ("Questions 10 & 13", "Questions 18 – 19"): every
    labelled start is found, and every line found is a labelled start."""
    db, questions = regs
    label = next(r for r in read_labels() if r.id == "COLC-2023-0006-9021")
    text = text_of(db, label.id)
    found = [(pos, q) for pos, qs, _ in numbered_starts(text, questions) for q in qs]
    gold = [(s.offset, q) for s in label.starts if s.how != "none" for q in s.questions]
    assert len(gold) >= 20
    assert all(any(q == g and abs(p - o) <= NEAR for p, q in found) for o, g in gold)
    assert all(any(q == g and abs(p - o) <= NEAR for o, g in gold) for p, q in found)
    answers = align(text, questions)
    assert {a.how for a in answers} == {"numbered"}
    assert all(text[a.start : a.end].strip() for a in answers)


def starts_of(db: Database, questions, doc_id: str) -> tuple[str, dict[int, list[str]]]:
    text = text_of(db, doc_id)
    return text, {pos: numbers for pos, numbers, _ in numbered_starts(text, questions)}


def test_headings_that_end_with_their_questions(regs):
    """NMPA ends its headings with "(Question N)", a footnote mark glued to the last
    number ("Legislation (Question 528)" is question 5, footnote 28); the questions it
    quotes in those footnotes ("29 6. What kinds…") start nothing."""
    db, questions = regs
    text, starts = starts_of(db, questions, "COLC-2023-0006-8806")
    for heading, numbers in [
        ("Research Papers & Studies (Question 32)", ["3"]),
        ("Legislation (Question 528)", ["5"]),
        ("Training and Data Provenance (Questions 6, 7 and 1229)", ["6", "7", "12"]),
        ("Transparency (Questions 15-1768)", ["15", "16", "17"]),
        ("Opt-Out (Question 9)55", ["9"]),
    ]:
        assert starts[text.index(heading)] == numbers
    quoted = text.index("29 6. What kinds")
    assert not [p for p in starts if quoted <= p < text.index("\n8\n", quoted)]


def test_parenthesised_lists_and_footnotes_on_headings(regs):
    """Creative Commons opens its answers with "(8, 8.1, 8.5):"; Meta names its headings'
    questions in footnotes ("92 This section addresses questions 30, 31, and 32.")."""
    db, questions = regs
    text, starts = starts_of(db, questions, "COLC-2023-0006-8735")
    assert starts[text.index("(8, 8.1, 8.5):")] == ["8", "8.1", "8.5"]
    assert starts[text.index("(18-21):")] == ["18", "19", "20", "21"]
    text, starts = starts_of(db, questions, "COLC-2023-0006-9027")
    assert starts[text.index("I. Introduction1")] == ["1", "2"]
    styles = text.index("VI. Copyright Law Does Not, And Should Not, Protect Styles92")
    assert starts[styles] == ["30", "31", "32"]


def test_restated_questions_in_a_row_are_one_start(regs):
    """N/MA restates question 10 and its sub-questions in one paragraph, the Authors Guild
    questions 20, 20.1 and 21 one after another, before one answer: one start each; N/MA's
    "With respect to question 9.1, …" starts an answer, its "Question 25, like other
    infringement-related questions, …" goes on with the answer to 25 restated above."""
    db, questions = regs
    text, starts = starts_of(db, questions, "COLC-2023-0006-8956")
    ten = text.index("10. If copyright owners' consent is required")
    assert starts[ten] == ["10", "10.1", "10.2", "10.3", "10.4", "10.5"]
    assert not [p for p in starts if ten < p < ten + 1200]
    assert starts[text.index("With respect to question 9.1")] == ["9.1"]
    assert text.index("Question 25, like other") not in starts
    text, starts = starts_of(db, questions, "COLC-2023-0006-9036")
    assert starts[text.index("20. Is legal protection")] == ["20", "20.1", "21"]


def test_answers_numbered_without_the_questions(regs):
    """An individual (0820) answers the Notice by its numbers alone, "7.4. In some cases
    yes, …" then "8. When it is done for purely academic purposes, …": each number of
    the run starts its answer. The Authors Guild's own outline ("1. Use of copyrighted
    works to train generative AI must licensed", a heading) and a whole number without
    its stop (0014's "10 They should be contacted", like a PDF's footnote mark) start
    nothing; 0014's "10.1 Of course, …" does."""
    db, questions = regs
    text, starts = starts_of(db, questions, "COLC-2023-0006-0820")
    assert starts[text.index("7.4. In some cases yes")] == ["7.4"]
    assert starts[text.index("8. When it is done for purely academic")] == ["8"]
    assert starts[text.index("28.2. None that I can think of")] == ["28.2"]
    text, starts = starts_of(db, questions, "COLC-2023-0006-9036")
    assert text.index("1. Use of copyrighted works to train") not in starts
    text, starts = starts_of(db, questions, "COLC-2023-0006-0014")
    assert text.index("10 They should be contacted") not in starts
    assert starts[text.index("10.1 Of course")] == ["10.1"]


def test_more_ways_individuals_name_the_question_they_answer(regs):
    """Lines and sentences that name their question as individuals write them:
    "Comment on Question 8.3." (8285, a Japanese association), "Answer to Question #1:"
    (4735), "In response to General Question 15," (2784), "To the points of questions
    18-27:" (9072). A "General Questions" heading above the bare numbers of a template
    left blank (9007) names no question itself."""
    db, questions = regs
    for doc_id, line, numbers in (
        ("8285", "Comment on Question 8.3.", ["8.3"]),
        ("8285", "Comment on Question4.", ["4"]),
        ("4735", "Answer to Question #1:", ["1"]),
        ("2784", "In response to  General Question 15,", ["15"]),
        ("9072", "To the points of questions 18-27:", [str(n) for n in range(18, 28)]),
    ):
        text, starts = starts_of(db, questions, f"COLC-2023-0006-{doc_id}")
        assert starts.get(text.index(line)) == numbers, (doc_id, line)
    text, starts = starts_of(db, questions, "COLC-2023-0006-9007")
    assert text.index("General Questions") not in starts


def test_content_scores_of_many_filings_at_once_are_each_filings_own(regs):
    db, questions = regs
    texts = [text_of(db, f"COLC-2023-0006-{n}") for n in ("9003", "9036", "8664", "0820")]
    assert content_scores_many(texts, questions) == [content_scores(t, questions) for t in texts]
    assert content_scores_many([], questions) == []
    assert content_scores_many(["", "Short."], questions) == [
        [],
        content_scores("Short.", questions),
    ]


def test_the_comment_numbering_sample_redraws_and_its_labels_stand_where_they_say(regs):
    """The sample of comments that number lines is what the seeded draw gives on the
    corpus, its test and development halves apart; every labelled start is the text
    the labeller copied, at its offset."""
    db, questions = regs
    sample = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    texts = db.execute(
        "select id, text from documents where docket_id = ? and kind = 'comment' "
        "and text is not null",
        [DOCKET],
    ).fetchall()
    assert draw(texts, {q.number for q in questions}, {r.id for r in read_labels()}) == sample
    assert not set(sample["ids"]) & set(sample["dev"])
    assert set(read_comment_numbering("test")) == set(sample["ids"])
    assert set(read_comment_numbering("dev")) <= set(sample["dev"])
    for doc_id, starts in read_comment_numbering(None).items():
        text = text_of(db, doc_id)
        assert all(text[s.start : s.start + len(s.text)] == s.text for s in starts), doc_id


def test_a_question_named_in_running_text_starts_nothing(regs):
    _, questions = regs
    text = "We agree. As discussed in our response to\nQuestion 8.1 above, the first factor.\n"
    assert numbered_starts(text, questions) == []
    text = "Finally.\nQuestion 8.1 asks how the first factor applies. It does.\n"
    assert [n for _, n, _ in numbered_starts(text, questions)] == [["8.1"]]


def test_a_filing_that_numbers_nothing_is_aligned_by_content(regs):
    db, questions = regs
    text = text_of(db, "COLC-2023-0006-9003")  # Google: topical headings, no numbers
    assert numbered_starts(text, questions) == []
    answers = align(text, questions)
    assert answers and {a.how for a in answers} == {"content"}
    # Its fair-use section is found as an answer to question 8 (labelled so).
    assert any(a.question.split(".")[0] == "8" for a in answers)
    assert align(text, questions, by_content=False) == []


def test_windows_stop_where_a_restated_question_starts(regs):
    """The Authors Guild restates each question before its answer: no window runs from
    the end of one answer into the next question, and the window that opens with
    question 8 is aligned to 8 (a window straddling both was aligned to the next one)."""
    db, questions = regs
    text = text_of(db, "COLC-2023-0006-9036")
    q8 = text.index("8. Under what circumstances would the unauthorized use")
    spans = windows(text)
    assert not any(a < q8 < b for a, b in spans)
    assert q8 in {a for a, _ in spans}
    (found,) = [(n, s) for a, _, n, s in content_scores(text, questions) if a == q8]
    assert found[0].split(".")[0] == "8" and found[1] >= THRESHOLD


def test_the_threshold_is_chosen_for_precision():
    """The lowest threshold at which the fitting windows are precise enough, not the one
    of best F1."""
    made = [(50, 100)] * 10 + [(86, 100)] * 5 + [(9, 10)] * (len(THRESHOLDS) - 15)
    assert precise_threshold(made) == THRESHOLDS[10]
    assert precise_threshold([(1, 4)] * (len(THRESHOLDS) - 1) + [(1, 2)]) == THRESHOLDS[-1]


def test_replies_name_the_commenters_they_answer(regs):
    db, _ = regs
    doc_id = "COLC-2023-0006-10331"  # UMG's reply
    text, pages = db.execute("select text, pages from documents where id = ?", [doc_id]).fetchone()
    names = docket_names(db.execute("select name, id from organizations").fetchall())
    refs = references(
        text, split_sentences(text, "en", json.loads(pages)), ["universal-music-group"], names
    )
    assert {"openai", "meta", "google"} <= {r.party for r in refs}
    assert "universal-music-group" not in {r.party for r in refs}  # the filer (as tagged)
    # No reference is a case name ("Google v. Oracle") or a product alone.
    for r in refs:
        assert r.relation in {"rebut", "agree", "cite"}
    assert relation_of("OpenAI argues that training is fair use, but it is wrong.") == "rebut"
    assert relation_of("As the Authors Guild noted, licensing markets exist.") == "agree"
    assert relation_of("See OpenAI at 12.") == "cite"


@pytest.mark.slow
def test_kb_eval_lines_for_questions_and_replies(tagged_db_path):
    fig = figures(Database(tagged_db_path))
    assert fig["questions"] == 66 and fig["filings"] == 17
    assert fig["numbering"]["precision"] > 0.8 and fig["numbering"]["recall"] > 0.6
    assert fig["replies"]["edges"]["precision"] > 0.8
    # The pipeline uses the threshold the labelled filings choose.
    assert fig["content"]["threshold"] == THRESHOLD
    text = "\n".join(report_lines(fig))
    assert "explicit numbering: precision" in text and "Reply graph" in text


@pytest.mark.slow
def test_exports_of_questions_answers_and_replies(tagged_db_path):
    """``kb export questions|answers|replies`` (docs/about/exports.md): offsets that hold
    the text they say, targets that are organisations with pages."""
    from click.testing import CliRunner

    from kb.cli import cli

    def export(kind: str) -> list[dict]:
        result = CliRunner().invoke(cli, ["--db", str(tagged_db_path), "export", kind])
        assert result.exit_code == 0, result.output
        # JSON lines are split at "\n" only: a text may hold U+2028 or a form feed.
        return [json.loads(line) for line in result.output.split("\n") if line.startswith("{")]

    questions = export("questions")
    assert len(questions) == 66 and questions[0]["number"] == "1"
    answers = export("answers")
    db = Database(tagged_db_path)
    texts = dict(
        db.execute("select id, text from documents where id in (select document_id from answers)")
    )
    assert {a["question"] for a in answers} <= {q["number"] for q in questions}
    for a in answers[:200]:
        assert texts[a["document_id"]][a["start"] : a["start"] + 50] == a["excerpt"][:50]
    replies = export("replies")
    orgs = {r[0] for r in db.execute("select id from organizations")}
    assert replies and {r["relation"] for r in replies} <= {"rebut", "agree", "cite"}
    assert {r["target"] for r in replies} <= orgs
    for r in replies[:200]:
        doc = db.execute("select text from documents where id = ?", [r["document_id"]]).fetchone()
        assert doc[0][r["start"] : r["end"]] == r["sentence"]
        assert r["document_id"] not in r["target_document_ids"]
