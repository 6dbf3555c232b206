"""Passages of a filing aligned to the Notice questions they answer (pure).

Explicit numbering first: a line that opens with "Question 8.1", "Questions 15-17",
"Response to Question 9", "Q18", or with the question's own number ("8.1.") followed by
words of that question (a filing that restates the Notice's questions). An answer runs
to the next one. A filing that numbers nothing is aligned by content: each window of
about 600 characters (never across a section's first line) goes to the question whose
text (and heading) it is most like by TF-IDF cosine, averaged with its neighbours' in
the same section, when that is at least the threshold chosen on labelled filings for
precision (``nlp.answers_eval``); below it the window answers nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, NamedTuple

from nlp.questions import Question

NUMBER = r"\d{1,2}(?:\.\d{1,2})?"
#: "Question 8.1", "Questions 6, 7 and 12", "Questions 15-17", "Response to Question 9",
#: "Q18": at the start of a line (after an outline mark such as "A." or "III.").
_EXPLICIT = re.compile(
    rf"^[ \t]*(?:(?:[IVX]+|[A-Ha-h]|\d{{1,2}})[.)]\s+)?(?:(?:Response|Responses|Answer|Answers|Reply)"
    rf"\s+to\s+)?(?:Questions?|Q\.?)\s*(?P<list>{NUMBER}(?:\s*(?:,|and|&|-|–|—|through|to)\s*{NUMBER})*)",
    re.MULTILINE | re.IGNORECASE,
)
#: The question's own number opening a line: "8.1. How should…", "9) Should…".
_BARE = re.compile(rf"^[ \t]*(?P<number>{NUMBER})[.:)]?[ \t]+(?=\S)", re.MULTILINE)
#: A bare number counts when this share of its question's content words follows it.
RESTATED = 0.4
RESTATED_WORDS = 8  # a line opening with this many of a question's words restates it
WINDOW_CHARS = 600  # content alignment reads windows of about this many characters
_END = re.compile(r"[.?!:;][’”\"')]*\s+|\n\s*\n")
#: Content alignment: the smoothed cosine a window needs (chosen on labelled filings for
#: precision; see ``nlp.answers_eval`` and ``kb eval``).
THRESHOLD = 0.25
_WORD = re.compile(r"[a-z][a-z’'-]{2,}")
_STOP = frozenset(
    re.findall(
        r"\w+",
        "the and for that this with are any what how should there their which would such "
        "your have has been was were does can other from into these those than then they "
        "them its under when whether about also more most some may might must will shall "
        "please",
    )
)


@dataclass(frozen=True)
class Answer:
    question: str  # "8.1"
    start: int  # character span of the answer in the document's text
    end: int
    how: str  # "numbered" or "content"
    score: float  # share of restated words, or cosine


def expand(listing: str, known: set[str]) -> list[str]:
    """ "6, 7 and 12" → 6, 7, 12; "15-17" → 15, 16, 17 (numbers the Notice asks only)."""
    out: list[str] = []
    tokens = re.findall(rf"{NUMBER}|-|–|—|through|to", listing)
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        if k + 2 < len(tokens) and tokens[k + 1] in ("-", "–", "—", "through", "to"):
            lo, hi = tokens[k], tokens[k + 2]
            if "." not in lo and "." not in hi and int(lo) <= int(hi) <= int(lo) + 40:
                out += [str(n) for n in range(int(lo), int(hi) + 1)]
            else:
                out += [lo, hi]
            k += 3
            continue
        if re.fullmatch(NUMBER, tok):
            out.append(tok)
        k += 1
    return [n for n in dict.fromkeys(out) if n in known]


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


class _Prepared(NamedTuple):
    questions: Sequence[Question]  # kept alive, so its id is never reused
    restated: re.Pattern[str]  # every question's first words opening a line, a group each
    which: dict[str, str]  # group name → question number
    vectorizer: Any  # TF-IDF fitted on the questions' texts
    asked: Any  # the questions' vectors (terms × questions)


#: What the matching needs of a list of questions, made once per list (by its id).
_PREPARED: dict[int, _Prepared] = {}


def _prepared(questions: Sequence[Question]) -> _Prepared:
    held = _PREPARED.get(id(questions))
    if held is None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        parts, which = [], {}
        for k, q in enumerate(questions):
            words = q.text.split()[:RESTATED_WORDS]
            parts.append(f"(?P<q{k}>" + r"\s+".join(map(re.escape, words)) + ")")
            which[f"q{k}"] = q.number
        vec = TfidfVectorizer(
            sublinear_tf=True, stop_words="english", ngram_range=(1, 2), min_df=1, lowercase=True
        )
        asked = vec.fit_transform(question_texts(questions)).T.tocsr()
        restated = re.compile(r"(?m)^[ \t]*(?:" + "|".join(parts) + ")")
        held = _PREPARED[id(questions)] = _Prepared(questions, restated, which, vec, asked)
    return held


def numbered_starts(text: str, questions: Sequence[Question]) -> list[tuple[int, list[str], float]]:
    """(offset, question numbers, score) of each line that opens an answer by number."""
    known = {q.number: q for q in questions}
    starts: dict[int, tuple[list[str], float]] = {}
    for m in _EXPLICIT.finditer(text):
        numbers = expand(m.group("list"), set(known))
        # A sentence's start ("Question 9", "Response to…"), not its middle ("…in
        # response to question 2").
        if numbers and m.group(0).lstrip()[:1].isupper():
            starts[m.start()] = (numbers, 1.0)
    # The question restated word for word, its number lost or never given (the first
    # time it opens a line).
    prepared = _prepared(questions)
    pattern, which = prepared.restated, prepared.which
    seen: set[str] = set()
    for found in pattern.finditer(text):
        number = which[found.lastgroup or ""]
        if number in seen:
            continue
        seen.add(number)
        if not any(abs(pos - found.start()) <= 300 for pos in starts):
            starts[found.start()] = ([number], 1.0)
    for m in _BARE.finditer(text):
        number = m.group("number")
        if number not in known or m.start() in starts:
            continue
        wanted = _content_words(known[number].text)
        following = _content_words(text[m.end() : m.end() + len(known[number].text) + 80])
        share = len(wanted & following) / max(len(wanted), 1)
        if share >= RESTATED:
            starts[m.start()] = ([number], share)
    return [(pos, numbers, score) for pos, (numbers, score) in sorted(starts.items())]


def numbered_answers(text: str, questions: Sequence[Question]) -> list[Answer]:
    """Answers by explicit number: each runs from its line to the next numbered line."""
    starts = numbered_starts(text, questions)
    out = []
    for k, (pos, numbers, score) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(text)
        out += [Answer(n, pos, end, "numbered", round(score, 3)) for n in numbers]
    return out


def question_texts(questions: Sequence[Question]) -> tuple[str, ...]:
    """Each question's words for matching: its text, its parent's and its heading."""
    by_number = {q.number: q for q in questions}
    out = []
    for q in questions:
        parent = by_number.get(q.parent or "")
        out.append(" ".join([q.group, parent.text if parent else "", q.text]))
    return tuple(out)


#: A line that opens a section: an outline mark ("3.", "8.1.", "IV.", "B)") before a
#: capital, or an explicit question number (``_EXPLICIT``).
_SECTION = re.compile(
    r"^[ \t]*(?:\d{1,2}(?:\.\d{1,2})?|[IVX]{1,5}|[A-H])[.)][ \t]+(?=[A-Z“\"])", re.MULTILINE
)
NEIGHBOUR = 0.5  # weight of a window's neighbours (same section) in its smoothed cosine


def section_starts(text: str) -> list[int]:
    """Offsets of the lines that open a section (outline mark or question number).

    Windows never straddle them: a window that ran on into the next section took the
    next answer's words (its restated question above all) and was scored against the
    wrong question."""
    found = {m.start() for m in _SECTION.finditer(text)}
    return sorted(found | {m.start() for m in _EXPLICIT.finditer(text)})


def _sentence_windows(text: str, lo: int, hi: int, size: int) -> list[tuple[int, int]]:
    """Spans of about ``size`` characters in ``text[lo:hi]``, ending where a sentence
    or a line ends."""
    out, pos = [], lo
    ends = [m.end() + lo for m in _END.finditer(text[lo:hi])] + [hi]
    k = 0
    while pos < hi:
        while k < len(ends) - 1 and ends[k] - pos < size:
            k += 1
        end = ends[k]
        if text[pos:end].strip():
            out.append((pos, end))
        pos = end
        k += 1
        if k >= len(ends):
            break
    return out


def windows(text: str, size: int = WINDOW_CHARS) -> list[tuple[int, int]]:
    """Spans of about ``size`` characters that end where a sentence or line ends, and
    where a section starts (``section_starts``)."""
    cuts = [0, *(c for c in section_starts(text) if c > 0), len(text)]
    return [w for lo, hi in pairwise(cuts) for w in _sentence_windows(text, lo, hi, size)]


def smoothed(sims: Any, sections: Sequence[int]) -> Any:
    """Each window's cosines averaged with its neighbours' in the same section (weight
    ``NEIGHBOUR``): an answer runs over several windows, and one window alone often
    leans on a word or two of the wrong question."""
    import numpy as np

    ids = np.asarray(sections)
    num, den = sims.copy(), np.ones(len(ids))
    before = np.r_[False, ids[1:] == ids[:-1]]
    after = np.r_[ids[:-1] == ids[1:], False]
    num[1:] += NEIGHBOUR * sims[:-1] * before[1:, None]
    den[1:] += NEIGHBOUR * before[1:]
    num[:-1] += NEIGHBOUR * sims[1:] * after[:-1, None]
    den[:-1] += NEIGHBOUR * after[:-1]
    return num / den[:, None]


def content_scores(text: str, questions: Sequence[Question]) -> list[tuple[int, int, str, float]]:
    """(start, end, best question, smoothed cosine) of each window of the text."""
    from bisect import bisect_right

    spans = windows(text)
    if not spans or not questions:
        return []
    prepared = _prepared(questions)
    sims = (prepared.vectorizer.transform([text[a:b] for a, b in spans]) @ prepared.asked).toarray()
    cuts = section_starts(text)
    sims = smoothed(sims, [bisect_right(cuts, a) for a, _ in spans])
    out = []
    for (a, b), row in zip(spans, sims, strict=True):
        best = int(row.argmax())
        out.append((a, b, questions[best].number, float(row[best])))
    return out


def content_answers(
    text: str, questions: Sequence[Question], threshold: float = THRESHOLD
) -> list[Answer]:
    """Windows at or above ``threshold``, runs of one question merged into one answer."""
    out: list[Answer] = []
    for a, b, number, score in content_scores(text, questions):
        if score < threshold:
            continue
        if out and out[-1].question == number and out[-1].end >= a - 200:
            last = out[-1]
            out[-1] = Answer(number, last.start, b, "content", round(max(last.score, score), 3))
        else:
            out.append(Answer(number, a, b, "content", round(score, 3)))
    return out


def align(
    text: str, questions: Sequence[Question], threshold: float = THRESHOLD, by_content: bool = True
) -> list[Answer]:
    """A filing's answers: by its own numbering when it numbers, else (when
    ``by_content``) by content."""
    numbered = numbered_answers(text, questions)
    if numbered or not by_content:
        return numbered
    return content_answers(text, questions, threshold)
