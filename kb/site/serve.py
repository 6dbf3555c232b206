"""Serve a built site on loopback the way a static host does (gzip for text, no server logic)."""

from __future__ import annotations

import gzip
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

#: Types a static host compresses on the fly.
COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "application/wasm",
)


class SiteServer(ThreadingHTTPServer):
    """Counts the body bytes it sends and the requests it answers (for benchmarks)."""

    bytes_sent = 0
    requests = 0


class SiteHandler(SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - the stdlib declares it as a plain class attribute
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "application/javascript",
        ".wasm": "application/wasm",
        ".bin": "application/octet-stream",
    }

    def log_message(self, format: str, *args: object) -> None:
        return

    def send_head(self) -> BinaryIO | None:
        self.server.requests += 1  # type: ignore[attr-defined]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file() and not path.is_dir():
            return self.not_found()
        ctype = self.guess_type(str(path))
        if (
            not path.is_file()
            or "gzip" not in self.headers.get("Accept-Encoding", "")
            or not ctype.startswith(COMPRESSIBLE)
        ):
            if path.is_file():
                self.server.bytes_sent += path.stat().st_size  # type: ignore[attr-defined]
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.server.bytes_sent += len(body)  # type: ignore[attr-defined]
        return BytesIO(body)

    def not_found(self) -> BinaryIO | None:
        """The site's own ``404.html`` with status 404, as a static host serves it."""
        page = Path(str(self.directory)) / "404.html"
        if not page.is_file():
            self.send_error(404, "File not found")
            return None
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.server.bytes_sent += len(body)  # type: ignore[attr-defined]
        return BytesIO(body)


def start_server(site: Path, port: int = 0) -> SiteServer:
    """Start serving ``site`` on 127.0.0.1 in a background thread; returns the server."""
    server = SiteServer(("127.0.0.1", port), partial(SiteHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
