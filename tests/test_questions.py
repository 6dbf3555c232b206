"""The Notice of Inquiry's questions, parsed from the real Federal Register PDF."""

from __future__ import annotations

import re

import pytest

from kb.extract import extract_text
from nlp.questions import parse_questions


@pytest.fixture(scope="module")
def notice(colc):
    path = colc / "notices" / "COLC-2023-0006-0001.pdf"
    return extract_text(path.read_bytes(), "pdf", item=path.name).text


def test_every_numbered_question_and_sub_question_in_order(notice):
    questions = parse_questions(notice)
    numbers = [q.number for q in questions]
    # Read off the text independently: a number at the start of a line, in the questions'
    # section (between "General Questions" and the Glossary).
    section = notice[notice.index("\nGeneral Questions") : notice.index("VII. Glossary")]
    subs = re.findall(r"\n(\d{1,2}\.\d)\. ", section)
    assert [n for n in numbers if "." in n] == subs
    assert [n for n in numbers if "." not in n] == [str(n) for n in range(1, 35)]
    assert {q.parent for q in questions if q.parent} == {
        "6",
        "7",
        "8",
        "9",
        "10",
        "15",
        "20",
        "25",
        "28",
    }
    assert all(q.parent == q.number.split(".")[0] for q in questions if "." in q.number)


def test_questions_sit_under_their_headings(notice):
    groups = {q.number: q.group for q in parse_questions(notice)}
    assert groups["1"] == groups["5"] == "General Questions"
    assert groups["6"] == groups["8.5"] == groups["14"] == "Training"
    assert groups["15"] == groups["17"] == "Transparency & Recordkeeping"
    assert groups["18"] == groups["21"] == "Generative AI Outputs — Copyrightability"
    assert groups["22"] == groups["27"] == "Infringement"
    assert groups["28"] == groups["29"] == "Labeling or Identification"
    assert groups["30"] == groups["34"] == "Additional Questions About Issues Related to Copyright"


def test_text_is_the_question_without_footnotes_or_page_furniture(notice):
    questions = {q.number: q for q in parse_questions(notice)}
    assert questions["9"].text == (
        "Should copyright owners have to affirmatively consent (opt in) to the use of their "
        "works for training materials, or should they be provided with the means to object "
        "(opt out)?"
    )
    # 8.1 runs over a page break and the page's footnotes; its markers 41–43 are gone.
    assert questions["8.1"].text.startswith(
        "In light of the Supreme Court’s recent decisions in Google v. Oracle America and "
        "Andy Warhol Foundation v. Goldsmith, how should"
    )
    assert questions["8.1"].text.endswith("under the first fair use factor?")
    assert "sec. 8, cl. 8" not in questions["18"].text  # a footnote of that page
    assert "17 U.S.C. 1202(b)" in questions["26"].text  # a statute's numbers stay
    for q in questions.values():
        assert not re.search(r"VerDate|Federal Register|Frm \d|\b(39|4\d|5\d)\b", q.text), q
        # Every word of the text is in the question's span, in order.
        span = notice[q.start : q.end]
        pos = 0
        for word in q.text.split():
            pos = span.index(word.strip(",.?"), pos)
        assert span.lstrip().startswith(f"{q.number}. ")


def test_a_text_without_the_section_has_no_questions():
    assert parse_questions("Comments of the Authors Guild\n1. We oppose it.") == []
