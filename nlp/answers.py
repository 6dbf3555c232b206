"""Passages of a filing aligned to the Notice questions they answer (pure).

Explicit numbering first (``nlp.answer_numbers``): a line that opens with "Question
8.1", a heading that ends with "(Questions 15-17)", a footnote that names its heading's
questions, the question restated with or without its number, … An answer runs to the
next one. A filing that numbers nothing is aligned by content: each window of
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

from nlp.answer_numbers import EXPLICIT, expand, numbered_starts
from nlp.questions import Question

__all__ = ["expand", "numbered_starts"]  # the numbering, kept importable from here

WINDOW_CHARS = 600  # content alignment reads windows of about this many characters
_END = re.compile(r"[.?!:;][’”\"')]*\s+|\n\s*\n")
#: Content alignment: the smoothed cosine a window needs (chosen on labelled filings for
#: precision; see ``nlp.answers_eval`` and ``kb eval``).
THRESHOLD = 0.25


@dataclass(frozen=True)
class Answer:
    question: str  # "8.1"
    start: int  # character span of the answer in the document's text
    end: int
    how: str  # "numbered" or "content"
    score: float  # share of restated words, or cosine


class _Prepared(NamedTuple):
    questions: Sequence[Question]  # kept alive, so its id is never reused
    vectorizer: Any  # TF-IDF fitted on the questions' texts
    asked: Any  # the questions' vectors (terms × questions)


#: What the matching needs of a list of questions, made once per list (by its id).
_PREPARED: dict[int, _Prepared] = {}


def _prepared(questions: Sequence[Question]) -> _Prepared:
    held = _PREPARED.get(id(questions))
    if held is None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vec = TfidfVectorizer(
            sublinear_tf=True, stop_words="english", ngram_range=(1, 2), min_df=1, lowercase=True
        )
        asked = vec.fit_transform(question_texts(questions)).T.tocsr()
        held = _PREPARED[id(questions)] = _Prepared(questions, vec, asked)
    return held


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
#: capital, or an explicit question number (``EXPLICIT``).
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
    return sorted(found | {m.start() for m in EXPLICIT.finditer(text)})


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
    return content_scores_many([text], questions)[0]


def content_scores_many(
    texts: Sequence[str], questions: Sequence[Question]
) -> list[list[tuple[int, int, str, float]]]:
    """``content_scores`` of each text, their windows vectorised in one call (a
    call per filing cost scikit-learn's checks more than the counting: 1.5 s against
    0.4 s for the corpus's 863 unnumbered filings); each row is the same either way."""
    from bisect import bisect_right

    import numpy as np

    spans = [windows(text) for text in texts]
    out: list[list[tuple[int, int, str, float]]] = [[] for _ in texts]
    if not questions or not any(spans):
        return out
    prepared = _prepared(questions)
    pieces = [text[a:b] for text, doc in zip(texts, spans, strict=True) for a, b in doc]
    sims = (prepared.vectorizer.transform(pieces) @ prepared.asked).toarray()
    bounds = np.cumsum([0] + [len(doc) for doc in spans])
    for k, (text, doc) in enumerate(zip(texts, spans, strict=True)):
        if not doc:
            continue
        cuts = section_starts(text)
        rows = smoothed(sims[bounds[k] : bounds[k + 1]], [bisect_right(cuts, a) for a, _ in doc])
        for (a, b), row in zip(doc, rows, strict=True):
            best = int(row.argmax())
            out[k].append((a, b, questions[best].number, float(row[best])))
    return out


def content_answers(
    text: str, questions: Sequence[Question], threshold: float = THRESHOLD
) -> list[Answer]:
    """Windows at or above ``threshold``, runs of one question merged into one answer."""
    return _merged(content_scores(text, questions), threshold)


def _merged(scores: Sequence[tuple[int, int, str, float]], threshold: float) -> list[Answer]:
    out: list[Answer] = []
    for a, b, number, score in scores:
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
    return align_many([(text, by_content)], questions, threshold)[0]


def align_many(
    filings: Sequence[tuple[str, bool]], questions: Sequence[Question], threshold: float = THRESHOLD
) -> list[list[Answer]]:
    """``align`` of each (text, by_content), the content alignment of them all at once."""
    out = [numbered_answers(text, questions) for text, _ in filings]
    unnumbered = [k for k, (_, by_content) in enumerate(filings) if by_content and not out[k]]
    scored = content_scores_many([filings[k][0] for k in unnumbered], questions)
    for k, scores in zip(unnumbered, scored, strict=True):
        out[k] = _merged(scores, threshold)
    return out
