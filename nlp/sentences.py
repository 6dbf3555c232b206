"""Sentences of a document with character offsets, page numbers and boilerplate flags.

A blank spaCy pipeline per language (its tokenizer) and the rule of spaCy's
sentencizer applied to the token arrays at once. Offsets index into the exported
document text; paginated attachments give each sentence its 1-based page.
Boilerplate (running headers and footers, tables of contents, footnote
lines, page numbers, questions of the Notice of Inquiry) is flagged so it is
never used as evidence.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import spacy
from spacy.attrs import IDX, IS_PUNCT, LENGTH, ORTH
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.strings import StringStore
from spacy.tokens import Doc

from nlp.french_tokenizer import french

MAX_CHUNK = 200_000
_TOC = re.compile(r"(?:\.\s?){4,}\s*[ivxlc\d]+\s*$", re.I)
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?[ivxlc\d]+(?:\s+of\s+\d+)?\s*$", re.I)
_FOOTNOTE = re.compile(r"^\s*\d{1,3}\s+(?:See|Id\.|https?://|[A-Z][a-z]+ v\.|U\.S\.C\.|\d+ U\.S\.)")
_NOI_QUESTION = re.compile(
    r"^\s*(?:Question\s+)?\d{1,2}(?:\.\d{1,2})?\s*[.:)]?\s+.{0,400}\?\s*$", re.S
)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    page: int | None
    boilerplate: bool


@lru_cache(maxsize=4)
def pipeline(lang: str) -> Language:
    """A blank pipeline for ``lang`` (English when spaCy has no blank model for it;
    French without its hyphenated words' expression: ``nlp.french_tokenizer``)."""
    try:
        nlp = french() if lang == "fr" else spacy.blank(lang)
    except (ImportError, OSError, KeyError):
        nlp = spacy.blank("en")
    nlp.max_length = MAX_CHUNK * 2
    return nlp


#: The hashes of the characters spaCy's sentencizer ends a sentence at.
_PUNCT_HASHES = np.array(
    sorted(StringStore().add(c) for c in Sentencizer.default_punct_chars), dtype=np.uint64
)


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) characters of the sentences spaCy's sentencizer would make of
    ``doc`` (``block_spans`` of one block)."""
    return block_spans([doc])[0]


def block_spans(docs: Sequence[Doc]) -> list[list[tuple[int, int]]]:
    """The sentences of each block, (start, end) characters into the block, as spaCy's
    sentencizer would make them, computed over all the blocks' token arrays at once
    (the component walks the tokens one by one in Python objects, the slowest step of
    tagging): a sentence starts at the first token of a block, and at each word token
    (not punctuation) preceded by one of the sentence-ending characters since the
    previous word token of its block."""
    sizes = np.array([len(d) for d in docs], dtype=np.int64)
    out: list[list[tuple[int, int]]] = [[] for _ in docs]
    if not sizes.sum():
        return out
    arr = np.concatenate([d.to_array([IDX, LENGTH, IS_PUNCT, ORTH]) for d in docs if len(d)])
    idx, length = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64)
    orth = arr[:, 3]
    at = np.minimum(np.searchsorted(_PUNCT_HASHES, orth), len(_PUNCT_HASHES) - 1)
    ends_sentence = _PUNCT_HASHES[at] == orth
    block = np.repeat(np.arange(len(docs)), sizes)
    first = np.concatenate(([0], np.cumsum(sizes)[:-1]))  # each block's first token
    seen = np.cumsum(ends_sentence)
    before = np.where(first > 0, seen[np.maximum(first - 1, 0)], 0)  # ends before a block
    words = np.flatnonzero((arr[:, 2] == 0) & ~ends_sentence)
    same_block = np.concatenate(([False], block[words[1:]] == block[words[:-1]]))
    previous = np.where(same_block, seen[np.concatenate(([0], words[:-1]))], before[block[words]])
    since = seen[words] - previous
    opening = words[(since > 0) & (words != first[block[words]])]
    starts = np.union1d(first[sizes > 0], opening)
    last = np.concatenate((starts[1:], [len(arr)])) - 1
    for b, start, end in zip(
        block[starts].tolist(),
        idx[starts].tolist(),
        (idx[last] + length[last]).tolist(),
        strict=True,
    ):
        out[b].append((start, end))
    return out


def boilerplate_lines(text: str, pages: Sequence[Sequence[int]] | None) -> list[tuple[int, int]]:
    """Character ranges of lines that are layout, not argument."""
    ranges = []
    lines = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line), line.strip()))
        pos += len(line) + 1
    repeated: set[str] = set()
    if pages and len(pages) >= 3:
        # Running headers and footers: short lines on many pages (digits normalised).
        counts = Counter(re.sub(r"\d+", "#", s) for _, _, s in lines if 0 < len(s) <= 120)
        repeated = {k for k, n in counts.items() if n >= max(3, len(pages) // 3)}
    for start, end, stripped in lines:
        if not stripped:
            continue
        if (
            _TOC.search(stripped)
            or _PAGE_NUMBER.match(stripped)
            or _FOOTNOTE.match(stripped)
            or re.sub(r"\d+", "#", stripped) in repeated
        ):
            ranges.append((start, end))
    return ranges


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Paragraph-aligned chunks so spaCy never sees more than ``MAX_CHUNK`` characters."""
    start = 0
    while start < len(text):
        end = min(start + MAX_CHUNK, len(text))
        if end < len(text):
            cut = text.rfind("\n\n", start, end)
            end = cut + 2 if cut > start else end
        yield start, text[start:end]
        start = end


Keep = Callable[[int, str], bool]


def _blocks(text: str, keep: Keep | None) -> Iterator[tuple[int, str]]:
    """Blank-line separated blocks (only those ``keep`` accepts)."""
    for offset, chunk in _chunks(text):
        if keep is None:
            yield offset, chunk
            continue
        pos = 0
        for block in chunk.split("\n\n"):
            if keep(offset + pos, block):
                yield offset + pos, block
            pos += len(block) + 2


def split_sentences(
    text: str,
    lang: str | None,
    pages: Sequence[Sequence[int]] | None,
    keep: Keep | None = None,
    other_languages: Sequence[tuple[int, int, str]] = (),
) -> list[Sentence]:
    """Sentences of ``text``; with ``keep``, only of the blocks it accepts
    (the cheap first stage: the rest of the pipeline never sees other text).
    ``other_languages``: (start, end, language) of paragraphs not in ``lang``; each
    is split with its own language's pipeline."""
    nlp = pipeline(lang or "en")
    bad = boilerplate_lines(text, pages)
    bad_starts = [s for s, _ in bad]
    page_starts = [p[0] for p in pages] if pages else []
    out: list[Sentence] = []
    blocks = list(_blocks(text, keep))
    docs = list(_parsed(blocks, masked(text) if blocks else text, nlp, other_languages))
    for (offset, _), spans in zip(blocks, block_spans(docs), strict=True):
        for sent_start, sent_end in spans:
            pieces = _outside(offset + sent_start, offset + sent_end, bad, bad_starts)
            for start, end in (p for piece in pieces for p in _at_footnotes(text, *piece)):
                start, end = _trim(text, start, end)
                marker = _MARKER_START.match(text, start)
                marker = marker if marker and marker.end() <= end else None
                if marker and out and out[-1].end == start:
                    # spaCy cut before a footnote marker ("…the law.”4 For…"): the marker
                    # (and the closing quote) end the previous sentence.
                    prev = out[-1]
                    out[-1] = Sentence(prev.start, marker.end(), prev.page, prev.boilerplate)
                    start, end = _trim(text, marker.end(), end)
                if end - start < 3:
                    continue
                sentence_text = text[start:end]
                question = sentence_text.endswith("?") or bool(_NOI_QUESTION.match(sentence_text))
                page = (
                    bisect.bisect_right(page_starts, start)
                    if page_starts and start >= page_starts[0]
                    else None
                )
                out.append(Sentence(start, end, page, question))
    return out


def _parsed(
    blocks: list[tuple[int, str]],
    hidden: str,
    nlp: Language,
    other: Sequence[tuple[int, int, str]],
) -> Iterator[Doc]:
    """Each block parsed by its language's pipeline (the document's unless ``other``
    says), read from ``hidden``: the text ``masked``, at the same offsets."""
    texts = (hidden[offset : offset + len(block)] for offset, block in blocks)
    if not other:
        yield from nlp.pipe(texts)
        return
    for (offset, _), piece in zip(blocks, texts, strict=True):
        lang = next((lg for start, end, lg in other if start <= offset < end), None)
        yield (pipeline(lang) if lang else nlp)(piece)


#: Which ASCII characters are letters or digits (``str.isalnum``), and spaces.
_ASCII_ALNUM = np.array([chr(c).isalnum() for c in range(128)])
_ASCII_SPACE = np.array([chr(c).isspace() for c in range(128)])
_X = ord("x")


def masked(text: str) -> str:
    """``text`` with every word of letters and digits alone between spaces written as
    as many ``x``: the same sentence spans (``block_spans``), tokenized faster
    (4.9 s to 2.9 s over the corpus's English paragraphs, plus 0.4 s to mask them).

    The tokenizer cuts the text at spaces and reads each piece on its own; a piece of
    letters and digits only becomes word tokens whatever it spells (never punctuation,
    never a sentence end), first at its first character and last at its last, which is
    all ``block_spans`` reads of it. Written ``x``, it is one cached token instead of
    a dictionary lookup, a new lexeme and the affix rules for each new word. Masking a
    block or the whole text gives the same spans: a piece cut in two by a block's end
    is masked whole or not at all, and either way the tokenizer's spans are the text's."""
    if not text:
        return text
    ascii_only = text.isascii()
    codes = np.frombuffer(
        text.encode("ascii" if ascii_only else "utf-32-le", "surrogatepass"),
        dtype=np.uint8 if ascii_only else np.uint32,
    )
    low = np.minimum(codes, 127)
    alnum, space = _ASCII_ALNUM[low], _ASCII_SPACE[low]
    if not ascii_only:
        high = np.greater(codes, 127)
        if high.any():
            others = np.unique(codes[high])
            chars = [chr(c) for c in others.tolist()]
            at = np.searchsorted(others, codes[high])
            alnum[high] = np.array([c.isalnum() for c in chars])[at]
            space[high] = np.array([c.isspace() for c in chars])[at]
    piece = np.cumsum(space)  # pieces between spaces, numbered
    odd = np.bincount(piece, weights=~alnum & ~space)  # characters neither
    hide = ~space & (odd[piece] == 0)
    if not hide.any():
        return text
    out = codes.copy()
    out[hide] = _X
    return out.tobytes().decode("ascii" if ascii_only else "utf-32-le", "surrogatepass")


#: A footnote marker glued to the end of a sentence: "…other sectors.5 These tools…".
_FOOTNOTE_CUT = re.compile(
    r"(?<=[a-z)\]][.!?])[”\"’)]?\d{1,3}(?=\s+[A-Z“\"(])|(?<=[a-z][.!?][”\"’])\d{1,3}(?=\s+[A-Z“\"(])"
)
_DIGIT = re.compile(r"\d")
_MARKER_START = re.compile(r"[”\"’)\]]?\d{1,3}(?=\s+[A-Z“\"(])")


#: An outline heading on a line of its own ("A. Limiting the Scope of Training Data",
#: "VI. Copyright Law Does Not Protect Styles92"): no sentence punctuation at its end.
_HEADING_LINE = re.compile(
    r"(?m)^[ \t]*(?:[IVXLC]{1,6}|[A-Z]|\d{1,2})\.[ \t]+[A-Z][^\n]{0,150}?[^\n.;:,!?\s]\d{0,3}[ \t]*$"
)


def _is_title_line(line: str) -> bool:
    """A heading that runs into its section's first sentence: short, no sentence
    punctuation at its end, most of its longer words capitalised."""
    words = line.split()
    if not 2 <= len(words) <= 15 or line.rstrip()[-1:] in ".;:,!?":
        return False
    long = [w for w in words if len(w) > 3]
    return bool(long) and sum(w[0].isupper() for w in long) >= 0.6 * len(long)


def _at_footnotes(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut after every footnote marker that spaCy left inside it (a
    sentence then ends with its marker, the next begins with its first word), and
    around an outline heading line that runs into the next sentence."""
    cuts = (
        {m.end() for m in _FOOTNOTE_CUT.finditer(text, start, end)}
        if _DIGIT.search(text, start, end)  # a marker is digits: most sentences have none
        else set()
    )
    for m in _HEADING_LINE.finditer(text, start, end):
        cuts |= {m.start(), m.end()}
    first = text.find("\n", start, end)
    if first > 0 and _is_title_line(text[start:first]) and text[first:end].lstrip()[:1].isupper():
        cuts.add(first)
    pieces, cursor = [], start
    for cut in sorted(c for c in cuts if start < c < end):
        pieces.append((cursor, cut))
        cursor = cut
    pieces.append((cursor, end))
    return pieces


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Whitespace off both ends, so offsets frame exactly the visible sentence."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _outside(
    start: int, end: int, bad: list[tuple[int, int]], bad_starts: list[int]
) -> list[tuple[int, int]]:
    """The parts of ``[start, end)`` not covered by boilerplate lines."""
    pieces = []
    i = max(bisect.bisect_right(bad_starts, start) - 1, 0)
    cursor = start
    while i < len(bad) and bad[i][0] < end:
        b_start, b_end = bad[i]
        if b_end >= cursor:
            if b_start > cursor:
                pieces.append((cursor, b_start))
            cursor = max(cursor, b_end + 1)
        i += 1
    if cursor < end:
        pieces.append((cursor, end))
    return pieces
