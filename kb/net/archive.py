"""The raw archive: every upstream body, content-addressed, with its metadata.

Layout under the archive directory::

    blobs/ab/abcdef….gz    gzip of the body, named by the sha256 of the body
    responses.jsonl        one JSON line per response: url (redacted), status,
                           headers (redacted), fetched_at, sha256, size, path

A body is written (atomically, by rename) before its metadata line, and the
metadata line before anything parses it, so a crash leaves at worst a blob that
nothing references. The log is append-only; a torn last line (``kill -9``) is
skipped when the log is read back.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kb.net.secrets import redact_headers, redact_url


@dataclass(frozen=True)
class ArchivedResponse:
    url: str
    status: int
    fetched_at: str
    sha256: str
    size: int
    path: str
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    source: str | None = None


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Archive:
    """Content-addressed store of raw responses under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.blobs = self.root / "blobs"
        self.log_path = self.root / "responses.jsonl"
        self._lock = threading.Lock()
        self._index: dict[str, ArchivedResponse] | None = None

    def blob_path(self, sha: str) -> Path:
        return self.blobs / sha[:2] / f"{sha}.gz"

    def store(
        self,
        body: bytes,
        *,
        url: str,
        status: int,
        fetched_at: str,
        headers: dict[str, str] | None = None,
        source: str | None = None,
    ) -> ArchivedResponse:
        """Write ``body`` and its metadata; return the archive entry."""
        sha = sha256_bytes(body)
        path = self.blob_path(sha)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
                gz.write(body)
            os.replace(tmp, path)
        clean_headers = redact_headers(headers or {})
        lower = {k.lower(): v for k, v in clean_headers.items()}
        entry = ArchivedResponse(
            url=redact_url(url),
            status=status,
            fetched_at=fetched_at,
            sha256=sha,
            size=len(body),
            path=str(path.relative_to(self.root)),
            content_type=lower.get("content-type"),
            etag=lower.get("etag"),
            last_modified=lower.get("last-modified"),
            source=source,
        )
        line = json.dumps({**asdict(entry), "headers": clean_headers}, sort_keys=True)
        with self._lock:
            self.root.mkdir(parents=True, exist_ok=True)
            with open(self.log_path, "a", encoding="utf-8") as log:
                # Flushed (a killed process loses nothing); not fsynced per line.
                log.write(line + "\n")
                log.flush()
            if self._index is not None:
                self._index[entry.url] = entry
        return entry

    def read(self, entry: ArchivedResponse | str) -> bytes:
        sha = entry if isinstance(entry, str) else entry.sha256
        with gzip.open(self.blob_path(sha), "rb") as fh:
            return fh.read()

    def entries(self) -> list[dict[str, Any]]:
        """Every metadata line, oldest first (a torn final line is skipped)."""
        if not self.log_path.exists():
            return []
        out = []
        with open(self.log_path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return out

    def latest(self, url: str) -> ArchivedResponse | None:
        """The most recent archived response for ``url`` (redacted form), if any."""
        with self._lock:
            if self._index is None:
                fields = set(ArchivedResponse.__dataclass_fields__)
                self._index = {}
                for row in self.entries():
                    entry = ArchivedResponse(**{k: v for k, v in row.items() if k in fields})
                    if self.blob_path(entry.sha256).exists():
                        self._index[entry.url] = entry
            return self._index.get(redact_url(url))
