"""Decompression bombs made from real recorded records (real text, repeated).

Used by the bounds tests (small, with the bound lowered) and by the measurement in
the issue note (full size): ``python -m tests.bombs OUT_DIR SCALE``.
"""

from __future__ import annotations

import gzip
import io
import re
import sys
import zipfile
import zlib
from pathlib import Path

import pypdf
from pypdf.generic import DecodedStreamObject, NameObject

from kb.settings import corpus_dir


def _colc(corpus: Path | None = None) -> Path:
    return (corpus or corpus_dir()) / "regulations.gov" / "COLC-2023-0006"


def gzip_bomb(path: Path, megabytes: int, corpus: Path | None = None) -> None:
    """A comment-text.jsonl.gz whose real first line repeats to ``megabytes`` MB."""
    with gzip.open(_colc(corpus) / "comment-text.jsonl.gz", "rb") as fh:
        line = fh.readline()
    chunk = line * max(1, (1 << 20) // len(line))
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with path.open("wb") as out:
        for _ in range(megabytes):
            out.write(packer.compress(chunk))
        out.write(packer.flush())


def docx_bomb(path: Path, megabytes: int, corpus: Path | None = None) -> None:
    """A DOCX whose body is a real comment's text, one paragraph repeated to ``megabytes`` MB."""
    import docx

    with gzip.open(_colc(corpus) / "comment-text.jsonl.gz", "rt") as fh:
        text = next(line for line in fh if len(line) > 400)
    document = docx.Document()
    document.add_paragraph(re.sub(r"[^\w .,;:'-]", " ", text)[:2000])
    buf = io.BytesIO()
    document.save(buf)
    source = zipfile.ZipFile(buf)
    xml = source.read("word/document.xml").decode()
    para = re.search(r"<w:p[ >].*?</w:p>", xml, re.S)
    assert para is not None
    body = para.group() * max(1, (megabytes << 20) // len(para.group()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = xml.replace(para.group(), body, 1).encode()
            out.writestr(info.filename, data)


def pdf_bomb(path: Path, megabytes: int, corpus: Path | None = None) -> None:
    """A real attachment PDF whose first page's content stream repeats to ``megabytes`` MB."""
    real = next(p for p in sorted((_colc(corpus) / "attachments").rglob("*.pdf")))
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(real))
    page = writer.pages[0]
    content = page.get_contents()
    assert content is not None
    decoded = content.get_data()
    stream = DecodedStreamObject()
    stream.set_data(decoded * max(1, (megabytes << 20) // len(decoded)))
    page[NameObject("/Contents")] = writer._add_object(stream.flate_encode(level=9))
    with path.open("wb") as out:
        writer.write(out)


if __name__ == "__main__":
    out, scale = Path(sys.argv[1]), int(sys.argv[2])
    for name in ("gz", "docx", "pdf"):
        (out / name / "documents").mkdir(parents=True, exist_ok=True)
        real = _colc() / "documents" / "COLC-2023-0006-0006.json"
        (out / name / "documents" / real.name).write_bytes(real.read_bytes())
    gzip_bomb(out / "gz" / "comment-text.jsonl.gz", scale)
    for name, make in (("docx", docx_bomb), ("pdf", pdf_bomb)):
        folder = out / name / "attachments" / "COLC-2023-0006-0006"
        folder.mkdir(parents=True, exist_ok=True)
        make(folder / f"bomb.{name}", scale)
