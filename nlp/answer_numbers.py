"""Where a filing starts its answers by the Notice's question numbers (pure).

The styles of the major filings: a line that opens with "Question 8.1", "Questions 15-17",
"Response to Question 9", "Comment on Question 8.3.", "Answer to Question #1:", "Q18" or
"(8, 8.1, 8.5):"; a heading that ends with its
questions, "Training and Fair Use (Question 8)", even when a footnote mark is glued to
the last number ("(Question 844)" is question 8 and footnote 44, when footnote 44 opens
by restating a question); a sentence that opens with "With regard to Question 9.1" ("In
response to General Question 15,", "To the points of questions 18-27:"); a
footnote on a heading that says "This section addresses questions 8 and 8.1" or just
"Question 1, NOI …"; or the question itself restated, with its number ("8.1. How
should…", also inside a line after the previous question) or without it; or, as
individuals write, the numbers alone, in the Notice's order ("7.4. In some cases yes…
8. When it is done…", "1. and 2. I think…", the number on a line of its own; rules
written on the development half of ``data/labels/numbering-sample.json``). Restated
questions that follow one another with no answer between are one start; restated
questions quoted in a footnote ("29 6. What kinds…") start nothing; a number in running
text ("as discussed in response to \\nQuestion 2 above") starts nothing.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from nlp.questions import Question

NUMBER = r"(?<!\d)\d{1,2}(?:\.\d{1,2})?(?!\.?\d)"
_SEP = r"\s*(?:,\s*(?:and|&)?|and|&|-|–|—|through|to)\s*"
LIST = rf"{NUMBER}(?:{_SEP}{NUMBER})*"
#: "Question 8.1", "Questions 6, 7 and 12", "Questions 15-17", "Response to Question 9",
#: "Q18": at the start of a line (after an outline mark such as "A." or "III.").
EXPLICIT = re.compile(
    rf"^[ \t]*(?:(?:[IVX]+|[A-Ha-h]|\d{{1,2}})[.)]\s+)?(?:(?:Response|Responses|Answer|Answers|Reply)"
    rf"\s+to\s+|Comments?\s+on\s+)?(?:(?:Questions?|Q\.?)\s*|General[ \t]+Questions?[ \t]*)#?[ \t]*"
    rf"(?P<list>{LIST})",
    re.MULTILINE | re.IGNORECASE,
)
#: "(1,2):", "(8, 8.1, 8.5):" alone at the start of a line.
_PARENTHESISED = re.compile(rf"^[ \t]*\((?P<list>{LIST})\)[ \t]*:", re.MULTILINE)
#: "Legislation (Question 528)": a heading ending with its questions, a footnote mark
#: perhaps glued to the last number.
_HEADING = re.compile(
    rf"^[ \t]*[A-Z][^\n.?!]{{0,100}}\((?:Questions?|Q\.?)[ \t]*(?P<list>(?:{NUMBER}{_SEP})*\d{{1,4}}"
    r"(?:\.\d{1,2})?)\)[^\n]{0,6}$",
    re.MULTILINE,
)
#: A sentence that opens with the question it answers: "With regard to Question 9.1".
_LEAD_IN = re.compile(
    r"(?:^|(?<=[.?!]\s)|(?<=[.?!][”\"’)]\s))[ \t]*(?:With\s+(?:regard|respect)\s+to|Regarding|"
    r"Turning\s+to|As\s+to|In\s+(?:response|answer|reply)\s+to|Responding\s+to|"
    r"To\s+the\s+points?\s+(?:of|in)|Concerning)\s+(?:(?:the\s+)?General\s+)?[Qq]uestions?\s+#?"
    rf"(?P<list>{LIST})(?!\s*(?:above|below))",
    re.MULTILINE,
)
#: A footnote that names the questions its heading answers.
_FOOTNOTE = re.compile(
    r"^(?P<mark>\d{1,3})[ \t]+(?:This\s+(?:section|part)\s+(?:\w+\s+)?(?:addresses|responds\s+to|"
    rf"answers)\s+)?[Qq]uestions?\s+(?P<list>{LIST})(?=[ \t]*(?:[,.;](?!\d)|$))",
    re.MULTILINE,
)
#: The question's own number opening a line: "8.1. How should…", "9) Should…"; after a
#: footnote mark ("29 6. What kinds…") it quotes the question in a footnote.
_BARE = re.compile(
    rf"^[ \t]*(?P<mark>\d{{1,3}}[ \t]+)?(?P<number>{NUMBER})[.:)]?[ \t]+(?=\S)", re.MULTILINE
)
#: A sub-question's number after the previous question's end, inside a line.
_INLINE = re.compile(r"(?<=[?.][ \t])(?P<number>\d{1,2}\.\d{1,2})\.?[ \t]+(?=[A-Z])")
#: A line ending with one of these words or a comma goes on into the next line.
_RUNS_ON = re.compile(
    r"(?:,|\b(?:to|in|of|and|or|see|with|the|at|by|from|per|under|for|our|its|their|as|that))"
    r"[ \t]*\n[ \t]*$",
    re.IGNORECASE,
)
#: A bare number counts when this share of its question's content words follows it.
RESTATED = 0.4
RESTATED_WORDS = 8  # a line opening with this many of a question's words restates it
REPEAT_CHARS = 600  # a start naming the same questions this soon after one goes on with it
#: Numbers opening lines in the Notice's order, this many in a row ("7.4. In some cases
#: yes… 8. When it is done…"), answer by number without restating the questions.
SEQUENCE = 4
#: How many main questions the next number of such a run may jump ahead.
SEQUENCE_JUMP = 5
#: A number opening a line, its stop, and the answer after it on the line or the next.
_NUMBER_OPENS = re.compile(
    rf"^[ \t]*(?P<list>{NUMBER}[.:)]?(?:{_SEP}{NUMBER}[.:)]?)*)(?:[ \t]+|[ \t]*\n[ \t]*)(?=\S)",
    re.MULTILINE,
)
ANCHOR_CHARS = 8000  # how far before its footnote a heading's footnote mark is looked for
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
#: A start: offset → (question numbers, score, kind); kind "restated" for a question
#: restated, "quoted" for one quoted in a footnote, else "named".
Starts = dict[int, tuple[list[str], float, str]]


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


def unglued(number: str, text: str, known: set[str]) -> str:
    """The question number in ``number`` once a footnote mark glued to it is taken off:
    "844" is 8 when footnote 44 opens by restating a question ("44 8. Under what…"); a
    number the Notice asks ("32") only when its footnote restates that very question."""
    for k in (1, 2, 3):
        head, mark = number[:-k], number[-k:]
        if head not in known or "." in mark:
            continue
        wanted = r"\d{1,2}(?:\.\d{1,2})?" if number not in known else re.escape(head)
        if re.search(rf"(?m)^{mark}[ \t]+{wanted}[.)]?[ \t]", text):
            return head
    return number


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


_RESTATED: dict[int, tuple[Sequence[Question], re.Pattern[str], dict[str, str]]] = {}


def _restated(questions: Sequence[Question]) -> tuple[re.Pattern[str], dict[str, str]]:
    """Every question's first words opening a line (a group each), and group → number;
    made once per list of questions (by its id, the list kept alive)."""
    held = _RESTATED.get(id(questions))
    if held is None:
        parts, which = [], {}
        for k, q in enumerate(questions):
            words = q.text.split()[:RESTATED_WORDS]
            parts.append(f"(?P<q{k}>" + r"\s+".join(map(re.escape, words)) + ")")
            which[f"q{k}"] = q.number
        pattern = re.compile(r"(?m)^[ \t]*(?:" + "|".join(parts) + ")")
        held = _RESTATED[id(questions)] = (questions, pattern, which)
    return held[1], held[2]


def _share(text: str, end: int, question: Question) -> float:
    """The share of ``question``'s content words in the text that follows ``end``."""
    wanted = _content_words(question.text)
    following = _content_words(text[end : end + len(question.text) + 80])
    return len(wanted & following) / max(len(wanted), 1)


def _named(text: str, known: dict[str, Question]) -> Starts:
    """Starts where the filing names its questions: line openings, headings, lead-ins."""
    starts: Starts = {}
    for m in EXPLICIT.finditer(text):
        numbers = expand(m.group("list"), set(known))
        # A sentence's start ("Question 9", "Response to…"), not its middle ("…in
        # response to question 2", "…see response to\nQuestion 2").
        if (
            numbers
            and m.group(0).lstrip()[:1].isupper()
            and not _RUNS_ON.search(text, 0, m.start())
        ):
            starts[m.start()] = (numbers, 1.0, "named")
    # A lead-in names its questions: a text without the word has none (and the
    # expression, which may open anywhere, is the slowest to scan).
    for pattern in (_PARENTHESISED, _LEAD_IN) if "uestion" in text else (_PARENTHESISED,):
        for m in pattern.finditer(text):
            if numbers := expand(m.group("list"), set(known)):
                starts.setdefault(m.start(), (numbers, 1.0, "named"))
    for m in _HEADING.finditer(text):
        listing = m.group("list")
        last = re.findall(r"\d+(?:\.\d+)?", listing)[-1]
        listing = listing[: -len(last)] + unglued(last, text, set(known))
        if numbers := expand(listing, set(known)):
            starts.setdefault(m.start(), (numbers, 1.0, "named"))
    for m in _FOOTNOTE.finditer(text):
        anchor = _anchor(text, m.group("mark"), m.start())
        if anchor is not None and (numbers := expand(m.group("list"), set(known))):
            starts.setdefault(anchor, (numbers, 1.0, "named"))
    return starts


def _anchor(text: str, mark: str, footnote: int) -> int | None:
    """The start of the line that ends with footnote mark ``mark`` (glued to a word, as
    on a heading), the nearest before the footnote itself."""
    lo = max(0, footnote - ANCHOR_CHARS)
    found = None
    for m in re.finditer(rf"(?<=[A-Za-z.”’\")]){mark}(?=[ \t]*\n)", text[lo:footnote]):
        found = m.start() + lo
    return None if found is None else text.rfind("\n", 0, found) + 1


def _restatements(text: str, questions: Sequence[Question], named: Starts) -> Starts:
    """Starts where the filing restates a question: its number and words, or its first
    words alone opening a line (the number lost, and no named start near), or quoted in
    a footnote."""
    known = {q.number: q for q in questions}
    starts: Starts = {}
    pattern, which = _restated(questions)
    seen: set[str] = set()
    for found in pattern.finditer(text):
        number = which[found.lastgroup or ""]
        if number not in seen:  # the first time it opens a line
            seen.add(number)
            if not any(abs(pos - found.start()) <= 300 for pos in named):
                starts[found.start()] = ([number], 1.0, "restated")
    for m in [*_BARE.finditer(text), *_INLINE.finditer(text)]:
        number = m.group("number")
        if number in known and (share := _share(text, m.end(), known[number])) >= RESTATED:
            quoted = "mark" in m.groupdict() and m.group("mark") is not None
            starts[m.start()] = ([number], share, "quoted" if quoted else "restated")
    return starts


Ordered = list[tuple[int, list[str], float, str]]


def _merged(text: str, starts: Ordered, known: dict[str, Question]) -> Ordered:
    """Restated questions that follow one another with nothing but the previous question
    between them are one start; a run quoted in a footnote is none; a start that names
    the questions of the start just before it, soon after, goes on with it."""
    out: Ordered = []
    tail = 0  # where the last question merged into ``out[-1]`` is restated
    for pos, numbers, score, kind in starts:
        if out and kind in ("restated", "quoted") and out[-1][3] in ("restated", "quoted"):
            last = out[-1]
            if _only_asks(text[tail:pos], known[last[1][-1]]):
                out[-1], tail = (last[0], [*last[1], *numbers], last[2], last[3]), pos
                continue
        if out and pos - out[-1][0] <= REPEAT_CHARS and set(numbers) <= set(out[-1][1]):
            continue
        out.append((pos, numbers, score, kind))
        tail = pos
    return [s for s in out if s[3] != "quoted"]


def _only_asks(gap: str, question: Question) -> bool:
    """Whether ``gap`` holds nothing but ``question`` restated: no longer than it, and
    its last sentence in the question's words (not "Yes. See our response to 8.")."""
    if len(gap.rstrip()) > 1.15 * len(question.text) + 60:
        return False
    last = re.split(r"(?<=[.?!:])\s+", gap.strip())[-1]
    words = _content_words(last)
    return len(words & _content_words(question.text)) >= 0.6 * len(words)


def _sequences(text: str, questions: Sequence[Question], taken: set[int]) -> Starts:
    """Numbers opening lines in runs of at least ``SEQUENCE`` that follow the Notice's
    order, each at most ``SEQUENCE_JUMP`` main questions after the last: a commenter
    answering the questions by number alone ("7.4. In some cases yes…", "1. and 2. I
    think…", or the number on a line of its own). A run counts when something says the
    numbers are the Notice's: a sub-question's number, a skipped question, or a first
    number above 1; "1. … 2. … 3. … 4." alone is as likely the commenter's own list. A
    whole number must carry its stop (a PDF's footnote mark, "26 As a matter of policy",
    does not); a number that is not the Notice's ends a run (a document's own outline,
    "2.1"); a line ``taken`` (a restated question) stays the other rules' start."""
    order = {q.number: k for k, q in enumerate(questions)}
    known = set(order)
    runs: list[list[tuple[int, list[str]]]] = [[]]
    for m in _NUMBER_OPENS.finditer(text):
        listing = m.group("list")
        if listing[-1] not in ".:)" and "." not in re.split(_SEP, listing)[-1]:
            continue
        numbers = expand(listing, known)
        if not numbers:
            runs.append([])
            continue
        if m.start() in taken:
            continue
        run = runs[-1]
        if run and not (
            order[numbers[0]] > order[run[-1][1][-1]]
            and _main(numbers[0]) - _main(run[-1][1][-1]) <= SEQUENCE_JUMP
        ):
            runs.append(run := [])
        run.append((m.start(), numbers))
    return {
        pos: (numbers, 0.5, "sequence")
        for run in runs
        if len(run) >= SEQUENCE and _notice_numbering([n for _, ns in run for n in ns])
        for pos, numbers in run
    }


def _main(number: str) -> int:
    return int(number.split(".")[0])


def _notice_numbering(numbers: list[str]) -> bool:
    """Whether a run of numbers in the Notice's order says it is the Notice's: it holds
    a sub-question's number, skips a question, or starts above 1."""
    mains = [_main(n) for n in numbers]
    return (
        any("." in n for n in numbers)
        or mains[0] != 1
        or any(b - a > 1 for a, b in itertools.pairwise(mains))
    )


def numbered_starts(text: str, questions: Sequence[Question]) -> list[tuple[int, list[str], float]]:
    """(offset, question numbers, score) of each place that opens an answer by number."""
    known = {q.number: q for q in questions}
    named = _named(text, known)
    restated = _restatements(text, questions, named) | named
    starts = _sequences(text, questions, set(restated)) | restated
    ordered = [(pos, *start) for pos, start in sorted(starts.items())]
    return [(pos, numbers, score) for pos, numbers, score, _ in _merged(text, ordered, known)]
