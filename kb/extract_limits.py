"""Bounds checked before an attachment is handed to a parser.

A DOCX is a zip: the sizes its members declare (which zipfile holds them to)
may not add up to more than :class:`kb.settings.InputLimits`' ``docx_xml``. A PDF
may not have more pages than ``pages``, and its page content streams may not
inflate to more than ``pdf_stream`` bytes: they are inflated here in steps,
with the output counted and thrown away, before PDFium would inflate them whole.
Each refusal names the setting that raises the bound.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

import pypdf
from pypdf.generic import ArrayObject, IndirectObject, StreamObject

from kb.errors import ExtractionError
from kb.settings import InputLimits

_MB = 1024 * 1024
_STEP = 1 << 20


def check_docx(data: bytes, *, item: str, limits: InputLimits) -> None:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractionError(f"corrupt DOCX: {exc}", item=item) from None
    declared = sum(m.file_size for m in members)
    if declared > limits.docx_xml:
        raise ExtractionError(
            f"DOCX expands to {declared // _MB} MB, more than {limits.docx_xml // _MB} MB "
            "(raise $KB_MAX_DOCX_MB to allow it)",
            item=item,
        )


def _streams(obj: Any) -> Iterator[StreamObject]:
    if isinstance(obj, IndirectObject):
        obj = obj.get_object()
    if isinstance(obj, StreamObject):
        yield obj
    elif isinstance(obj, ArrayObject):
        for part in obj:
            yield from _streams(part)


def _inflated_size(stream: StreamObject, budget: int) -> int:
    """Bytes ``stream`` inflates to, counting no further than just past ``budget``."""
    raw = stream._data
    filters = stream.get("/Filter")
    names = [str(f) for f in filters] if isinstance(filters, ArrayObject) else [str(filters)]
    if "/FlateDecode" not in names:
        return len(raw)
    inflater = zlib.decompressobj()
    size, pending = 0, raw
    while pending and size <= budget:
        try:
            size += len(inflater.decompress(pending, _STEP))
        except zlib.error:
            break  # PDFium reports a corrupt stream its own way
        pending = inflater.unconsumed_tail
    return size


def check_pdf(data: bytes, *, item: str, limits: InputLimits) -> None:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return  # PDFium says "encrypted" (and reads nothing)
        count = len(reader.pages)
        if count > limits.pages:
            raise ExtractionError(
                f"PDF has {count} pages, more than {limits.pages} (raise $KB_MAX_PAGES)",
                item=item,
            )
        total = 0
        for page in reader.pages:
            for stream in _streams(page.get("/Contents")):
                total += _inflated_size(stream, limits.pdf_stream - total)
                if total > limits.pdf_stream:
                    raise ExtractionError(
                        f"PDF page content inflates to more than {limits.pdf_stream // _MB} MB "
                        "(raise $KB_MAX_PDF_STREAM_MB to allow it)",
                        item=item,
                    )
    except pypdf.errors.PyPdfError:
        return  # not readable by pypdf: PDFium decides, and says why
