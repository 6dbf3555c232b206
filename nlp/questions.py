"""The numbered questions of a Notice of Inquiry, read from its Federal Register text (pure).

The Copyright Office's Notice (COLC-2023-0006-0001) asks 34 numbered questions, many with
sub-questions ("8.1."), under headings ("Training", "Transparency & Recordkeeping" …).
The text extracted from the Federal Register PDF interleaves them with page furniture
(the "VerDate" footer, the "Federal Register / Vol." header) and, right after a page's
header, that page's footnotes; footnote markers follow words ("fine-tuning,43").
``parse_questions`` finds the questions by their numbers in sequence and gives each its
clean text, its heading and its span in the document's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Page furniture of a Federal Register page, one line each.
_FURNITURE = re.compile(r"^(VerDate |\S+ on DSK|(\d+ )?Federal Register / Vol\.)")
_HEADER = re.compile(r"^(\d+ )?Federal Register / Vol\.")
#: A footnote opens with its number, then its text ("47For example", "51 ‘‘An").
_FOOTNOTE_START = re.compile(r"^(\d{1,3}) ?(?=[A-Z‘“'\"(])")
#: Lines of the footnotes are set in smaller type: they hold more characters.
_FOOTNOTE_LINE = 44
_MARKER = re.compile(r"^(\d{1,2})\.(?:(\d{1,2})\.)? ")
_SMALL = {"a", "an", "and", "or", "of", "to", "the", "in", "on", "for", "&", "about"}
_SECTION = re.compile(r"^[IVX]+\. ")  # "VII. Glossary of Key Terms": the questions end


@dataclass(frozen=True)
class Question:
    number: str  # "8" or "8.1"
    parent: str | None  # "8" for "8.1"
    group: str  # the heading it sits under
    text: str  # the question, footnote markers and page furniture removed
    start: int  # its span in the document's text
    end: int


@dataclass(frozen=True)
class _Line:
    text: str
    start: int
    end: int


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(_Line(raw.strip(), pos, pos + len(raw)))
        pos += len(raw) + 1
    return out


def _body(lines: list[_Line]) -> tuple[list[_Line], set[str]]:
    """The lines of the running text (furniture and footnote blocks left out), and the
    numbers of the footnotes seen."""
    out: list[_Line] = []
    notes: set[str] = set()
    k = 0
    while k < len(lines):
        line = lines[k]
        k += 1
        if not _FURNITURE.match(line.text):
            out.append(line)
            continue
        if not _HEADER.match(line.text):
            continue
        k = _skip_footnotes(lines, k, notes)
    return out, notes


def _skip_footnotes(lines: list[_Line], k: int, notes: set[str]) -> int:
    """After a page header: the index of the first line past the page's footnotes."""
    if k >= len(lines) or not _FOOTNOTE_START.match(lines[k].text):
        return k
    last_long = k
    j = k
    while j < len(lines) and not _FURNITURE.match(lines[j].text):
        if len(lines[j].text) > _FOOTNOTE_LINE:
            last_long = j
        elif j > last_long + 8:  # a run of short lines: the page's main text
            break
        j += 1
    end = last_long + 1
    # The last footnote may end on short lines: up to the end of its sentence.
    while not lines[end - 1].text.endswith((".", ".’’", ".”")) and end < j:
        end += 1
    for line in lines[k:end]:
        notes.update(
            m.group(1) for m in re.finditer(r"(?:^|(?<=\. ))(\d{1,3}) ?(?=[A-Z‘“])", line.text)
        )
    return end


def _is_heading(line: str) -> bool:
    words = line.split()
    if not 1 <= len(words) <= 6 or line.endswith((".", "?", ",", ";", ":")):
        return False
    return all(w[0].isupper() or w.lower() in _SMALL for w in words)


def _clean(parts: list[str], notes: set[str]) -> str:
    text = " ".join(p for p in parts if p)
    if notes:
        alternatives = "|".join(sorted(notes, key=len, reverse=True))
        text = re.sub(rf"(?<=[\w.,?’”)])({alternatives})(?=\s|$)", "", text)
        text = re.sub(rf"(?<=[.,?’”)]) ({alternatives})(?=\s|$)", "", text)
        text = re.sub(rf"(?<=\w) ({alternatives})(?= [a-zA-Z]|$)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _footnote_markers(lines: list[_Line], begin: int) -> set[str]:
    """The footnote markers on the pages of the questions that start at ``lines[begin]``."""
    # Footnotes of the pages the questions are on: from the header of the first one.
    page = max((i for i in range(begin) if _HEADER.match(lines[i].text)), default=begin)
    _, seen = _body(lines[page:])
    numbers = sorted(map(int, seen))
    # Markers run in sequence: the ones whose footnote opens with a digit ("41 593 U.S.")
    # are not seen, but lie between those that are.
    return {str(n) for n in range(numbers[0], numbers[-1] + 1)} if numbers else set()


def _close_question(
    out: list[Question],
    current: dict[str, object] | None,
    parts: list[str],
    notes: set[str],
    end: int,
) -> None:
    """Add the question being read, if any, to ``out``, ending at ``end``."""
    if current is not None:
        out.append(
            Question(
                number=str(current["number"]),
                parent=current["parent"],  # type: ignore[arg-type]
                group=str(current["group"]),
                text=_clean(parts, notes),
                start=int(str(current["start"])),
                end=end,
            )
        )


def parse_questions(text: str, first_heading: str = "General Questions") -> list[Question]:
    """The numbered questions after ``first_heading`` (the Notice's question section),
    in order; empty when the text holds no such section."""
    lines = _lines(text)
    begin = next((i for i, ln in enumerate(lines) if ln.text == first_heading), None)
    if begin is None:
        return []
    notes = _footnote_markers(lines, begin)
    body, _ = _body(lines[begin:])
    group = first_heading
    out: list[Question] = []
    current: dict[str, object] | None = None
    parts: list[str] = []
    expected = _Expected()
    pending: list[str] = []
    previous_end = body[0].end
    for i, line in enumerate(body[1:], 1):
        marker = _MARKER.match(line.text)
        number = marker and expected.accepts(marker.group(1), marker.group(2))
        if number:
            _close_question(out, current, parts, notes, previous_end)
            if pending:
                group = " ".join(pending).strip(" —")
                pending = []
            current = {
                "number": number,
                "parent": marker.group(1) if marker.group(2) else None,  # type: ignore[union-attr]
                "group": group,
                "start": line.start,
            }
            parts = [line.text[marker.end() :]]  # type: ignore[union-attr]
        elif _SECTION.match(line.text):
            break
        elif (_is_heading(line.text) and body[i - 1].text.endswith((".", "?", ")"))) or (
            pending and _is_heading(line.text)
        ):
            # A heading's second line joins it; a subheading after a paragraph follows a dash.
            pending.append(line.text)
            _close_question(out, current, parts, notes, previous_end)
            current = None
            continue
        elif pending:
            if pending[-1] != "—":
                pending.append("—")  # the paragraph under a heading, before its first question
            continue
        elif current is not None:
            parts.append(line.text)
        if current is not None:
            previous_end = line.end
    _close_question(out, current, parts, notes, previous_end)
    return out


class _Expected:
    """Question numbers come in order: the next question, or the next sub-question."""

    def __init__(self) -> None:
        self.main, self.sub = 0, 0

    def accepts(self, main: str, sub: str | None) -> str | None:
        m = int(main)
        if sub is None and m == self.main + 1:
            self.main, self.sub = m, 0
            return main
        if sub is not None and m == self.main and int(sub) == self.sub + 1:
            self.sub = int(sub)
            return f"{main}.{sub}"
        return None


#: The codebook issue(s) a Notice question bears on (sub-questions follow their parent):
#: the question pages show each filer's stance on them beside its answer.
QUESTION_ISSUES: dict[str, tuple[str, ...]] = {
    "8": ("training_fair_use",),
    "9": ("consent_required",),
    "10": ("compensation", "consent_required"),
    "11": ("compensation",),
    "12": ("credit_attribution",),
    "13": ("compensation",),
    "15": ("training_transparency",),
    "16": ("training_transparency",),
    "17": ("training_transparency",),
    "18": ("output_copyrightability",),
    "19": ("output_copyrightability",),
    "20": ("output_copyrightability",),
    "21": ("output_copyrightability",),
    "28": ("ai_output_labeling",),
    "29": ("ai_output_labeling",),
    "30": ("voice_likeness_right",),
    "31": ("voice_likeness_right",),
    "33": ("voice_likeness_right",),
}


def issues_of(number: str) -> tuple[str, ...]:
    """The codebook issues question ``number`` ("8.1") bears on."""
    return QUESTION_ISSUES.get(number.split(".")[0], ())
