"""Text out of attachment files: PDF (pypdfium2), DOCX (python-docx), TXT, HTML.

Pure: bytes in, text and page character ranges out. A file we cannot read
raises ``ExtractionError`` naming the item and the reason (corrupt, encrypted,
empty, unsupported format).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pypdfium2 as pdfium
from bs4 import BeautifulSoup
from charset_normalizer import from_bytes

from kb.errors import ExtractionError
from kb.extract_limits import check_docx, check_pdf
from kb.settings import InputLimits

PAGE_SEPARATOR = "\n\n"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
IMAGE_FORMATS = frozenset({"jpg", "jpeg", "png", "gif", "tif", "tiff", "bmp"})


@dataclass(frozen=True)
class Extracted:
    text: str
    #: ``[start, end)`` character ranges of each page in ``text``; None if unpaginated.
    pages: list[tuple[int, int]] | None


def clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_RE.sub("", text)


def extract_pdf(data: bytes, *, item: str) -> Extracted:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise ExtractionError("encrypted PDF (needs a password)", item=item) from None
        raise ExtractionError(f"corrupt PDF: {reason}", item=item) from None
    try:
        parts: list[str] = []
        pages: list[tuple[int, int]] = []
        pos = 0
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            page_text = clean_text(textpage.get_text_bounded()).strip()
            textpage.close()
            page.close()
            if parts:
                pos += len(PAGE_SEPARATOR)
            pages.append((pos, pos + len(page_text)))
            parts.append(page_text)
            pos += len(page_text)
        if not pages:
            raise ExtractionError("PDF has no pages", item=item)
        return Extracted(PAGE_SEPARATOR.join(parts), pages)
    except pdfium.PdfiumError as exc:
        raise ExtractionError(f"corrupt PDF: {exc}", item=item) from None
    finally:
        pdf.close()


def decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("latin-1")


def extract_docx(data: bytes, *, item: str) -> Extracted:
    import docx  # python-docx; imported here because it is slow to import
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise ExtractionError(f"corrupt DOCX: {exc}", item=item) from None
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paragraphs.append("\t".join(cell.text for cell in row.cells))
    return Extracted(clean_text("\n".join(paragraphs)).strip(), None)


def extract_html(data: bytes) -> Extracted:
    soup = BeautifulSoup(decode_text(data), "lxml")
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    lines = (line.strip() for line in soup.get_text("\n").split("\n"))
    return Extracted(clean_text("\n".join(line for line in lines if line)), None)


def extract_text(data: bytes, fmt: str, *, item: str) -> Extracted:
    """Extract text from ``data`` in format ``fmt`` (a file extension)."""
    fmt = fmt.lower().lstrip(".")
    if not data:
        raise ExtractionError("empty file", item=item)
    if fmt == "pdf":
        check_pdf(data, item=item, limits=InputLimits())
        result = extract_pdf(data, item=item)
    elif fmt == "docx":
        check_docx(data, item=item, limits=InputLimits())
        result = extract_docx(data, item=item)
    elif fmt in ("txt", "text", "md"):
        result = Extracted(clean_text(decode_text(data)).strip(), None)
    elif fmt in ("htm", "html", "xhtml"):
        result = extract_html(data)
    elif fmt in IMAGE_FORMATS:
        raise ExtractionError(f"image attachment ({fmt}): no text layer", item=item)
    else:
        raise ExtractionError(f"unsupported format {fmt!r}", item=item)
    if not result.text.strip():
        raise ExtractionError("no extractable text (scanned image or blank)", item=item)
    return result
