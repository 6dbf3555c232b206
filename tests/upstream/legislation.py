"""GovInfo, congress.gov, the Federal Register, watched pages and a feed,
played back from the recorded corpus at their real paths.

Sitemaps are assembled from the recorded BILLSTATUS files (``lastmod`` is each
file's own ``updateDate``); congress.gov list pages and Federal Register search
pages are assembled from the recorded list items, paged and filtered as the
documented APIs do. A feed is assembled (with feedgen) from the recorded press
article's title and its page from the recorded text. Anything nobody recorded
is a 404.
"""

from __future__ import annotations

import html
import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from feedgen.feed import FeedGenerator

from tests.upstream.server import Reply, Upstream


def _json(doc: Any) -> Reply:
    return Reply(200, json.dumps(doc).encode())


class RecordedGovInfo:
    def __init__(self, corpus: Path) -> None:
        self.status_files = {
            p.stem.removeprefix("BILLSTATUS-"): p
            for p in sorted((corpus / "govinfo/BILLSTATUS").glob("*.xml"))
        }
        from scrapers.govinfo.parse import parse_bill_text

        self.text_files: dict[str, Path] = {}
        for path in sorted((corpus / "govinfo/BILLS/uslm").glob("*")):
            text = parse_bill_text(path.read_bytes(), item=path.name, fmt="xml")
            if text.bill_id and text.version_code:
                c, t, n = text.bill_id.split("-")
                self.text_files[f"BILLS-{c}{t}{n}{text.version_code}"] = path

    def install(self, upstream: Upstream) -> None:
        upstream.route(
            r"/sitemap/bulkdata/BILLSTATUS/(?P<c>\d+)(?P<t>[a-z]+)/sitemap\.xml", self.sitemap
        )
        upstream.route(
            r"/bulkdata/BILLSTATUS/\d+/[a-z]+/BILLSTATUS-(?P<key>\w+)\.xml", self.billstatus
        )
        upstream.route(r"/content/pkg/(?P<pkg>BILLS-\w+)/xml/(?P=pkg)\.xml", self.text)

    def sitemap(self, m: re.Match[str], q: dict[str, str], h: dict[str, str]) -> Reply:
        urlset = ET.Element("urlset", xmlns="http://www.sitemaps.org/schemas/sitemap/0.9")
        prefix = f"{m['c']}{m['t']}"
        for key, path in self.status_files.items():
            if re.fullmatch(rf"{prefix}\d+", key):
                url = ET.SubElement(urlset, "url")
                ET.SubElement(
                    url, "loc"
                ).text = f"https://www.govinfo.gov/bulkdata/BILLSTATUS/{m['c']}/{m['t']}/BILLSTATUS-{key}.xml"
                ET.SubElement(url, "lastmod").text = ET.fromstring(path.read_bytes()).findtext(
                    "bill/updateDate"
                )
        return Reply(
            200, ET.tostring(urlset, xml_declaration=True, encoding="utf-8"), "application/xml"
        )

    def billstatus(self, m: re.Match[str], q: dict[str, str], h: dict[str, str]) -> Reply:
        path = self.status_files.get(m["key"])
        return (
            Reply(200, path.read_bytes(), "application/xml")
            if path
            else Reply(404, b"Not Found", "text/plain")
        )

    def text(self, m: re.Match[str], q: dict[str, str], h: dict[str, str]) -> Reply:
        path = self.text_files.get(m["pkg"])
        return (
            Reply(200, path.read_bytes(), "application/xml")
            if path
            else Reply(404, b"Not Found", "text/plain")
        )


class RecordedCongressGov:
    def __init__(self, corpus: Path, max_limit: int = 250) -> None:
        self.root = corpus / "congress.gov-api-v3"
        self.max_limit = max_limit

    def install(self, upstream: Upstream) -> None:
        upstream.route(r"/v3/bill(?:/(?P<c>\d+))?(?:/(?P<t>[a-z]+))?", self.listing)
        upstream.route(
            r"/v3/bill/(?P<c>\d+)/(?P<t>[a-z]+)/(?P<n>\d+)(?:/(?P<part>[a-z]+))?", self.bill
        )

    def _auth(self, h: dict[str, str]) -> Reply | None:
        if not (h.get("X-Api-Key") or h.get("x-api-key")):
            return Reply(403, json.dumps({"error": {"code": "API_KEY_MISSING"}}).encode())
        return None

    def listing(self, m: re.Match[str], q: dict[str, str], h: dict[str, str]) -> Reply:
        if (denied := self._auth(h)) is not None:
            return denied
        name = "_".join(["bill", *(x for x in (m["c"], m["t"]) if x)]) + ".json"
        path = self.root / name
        if not path.exists():
            return Reply(404, b'{"error": "not recorded"}')
        recorded = json.loads(path.read_text())
        items = recorded["bills"]
        limit = min(int(q.get("limit", "20")), self.max_limit)
        offset = int(q.get("offset", "0"))
        page = items[offset : offset + limit]
        doc = {**recorded, "bills": page, "pagination": {"count": len(items)}}
        if offset + limit < len(items):
            query = {k: v for k, v in q.items() if k not in ("offset", "limit")}
            query.update(offset=str(offset + limit), limit=str(limit))
            doc["pagination"]["next"] = f"https://api.congress.gov{m.group(0)}?{urlencode(query)}"
        return _json(doc)

    def bill(self, m: re.Match[str], q: dict[str, str], h: dict[str, str]) -> Reply:
        if (denied := self._auth(h)) is not None:
            return denied
        name = f"bill_{m['c']}_{m['t']}_{m['n']}" + (f"_{m['part']}" if m["part"] else "") + ".json"
        path = self.root / name
        if not path.exists():
            return Reply(404, json.dumps({"error": f"{m.group(0)} not recorded"}).encode())
        return Reply(200, path.read_bytes())


class RecordedFederalRegister:
    def __init__(self, corpus: Path, cap: int = 10000) -> None:
        root = corpus / "federalregister.gov"
        self.document = json.loads((root / "regulatory-document.json").read_text())
        self.results = json.loads((root / "search-newest-page-one.json").read_text())["results"]
        self.cap = cap

    def install(self, upstream: Upstream) -> None:
        upstream.route(r"/api/v1/documents\.json", self.search)
        upstream.route(r"/api/v1/documents/(?P<n>[\d-]+)\.json", self.detail)

    def search(self, m: re.Match[str], q: dict[str, str], h: dict[str, str]) -> Reply:
        gte = q.get("conditions[publication_date][gte]", "0000")
        lte = q.get("conditions[publication_date][lte]", "9999")
        rows = [r for r in self.results if gte <= r["publication_date"] <= lte]
        per_page = int(q.get("per_page", "20"))
        page = int(q.get("page", "1"))
        pages = max(math.ceil(len(rows) / per_page), 1)
        doc: dict[str, Any] = {
            "count": min(len(rows), self.cap),
            "total_pages": pages,
            "results": rows[(page - 1) * per_page : page * per_page],
        }
        if page < pages:
            doc["next_page_url"] = (
                "https://www.federalregister.gov/api/v1/documents.json?"
                + urlencode({**q, "page": str(page + 1)})
            )
        return _json(doc)

    def detail(self, m: re.Match[str], q: dict[str, str], h: dict[str, str]) -> Reply:
        if m["n"] == self.document["document_number"]:
            return _json(self.document)
        return Reply(404, b'{"status": 404, "message": "not found"}')


class RecordedPages:
    """Recorded files served with validators; ``swap`` serves another recorded file."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = dict(files)
        self.version = {path: 1 for path in files}

    def install(self, upstream: Upstream) -> None:
        for path in self.files:
            upstream.route(re.escape(path), self.serve)

    def swap(self, path: str, other: Path) -> None:
        self.files[path] = other
        self.version[path] += 1

    def serve(self, m: re.Match[str], q: dict[str, str], h: dict[str, str]) -> Reply:
        path = self.files[m.group(0)]
        etag = f'"v{self.version[m.group(0)]}"'
        headers = {"ETag": etag, "Last-Modified": "Wed, 06 Dec 2023 12:00:00 GMT"}
        if h.get("If-None-Match") == etag:
            return Reply(304, b"", headers=headers)
        ctype = "application/pdf" if path.suffix == ".pdf" else "text/html; charset=utf-8"
        return Reply(200, path.read_bytes(), ctype, headers)


class RecordedFeed:
    """An RSS feed with the recorded press article, and the article's page."""

    def __init__(self, article: Path, base_url: str) -> None:
        self.text = article.read_text(encoding="utf-8")
        self.title = self.text.split("\n", 1)[0].strip()
        self.base = base_url

    def install(self, upstream: Upstream) -> None:
        upstream.route(r"/feed/", self.feed)
        upstream.route(r"/sony-music-kooker-ai-insight-forum/", self.article)

    def feed(self, m: re.Match[str], q: dict[str, str], h: dict[str, str]) -> Reply:
        gen = FeedGenerator()
        gen.title("Music Business Worldwide")
        gen.link(href="https://www.musicbusinessworldwide.com/")
        gen.description("Recorded feed")
        entry = gen.add_entry()
        entry.title(self.title)
        entry.link(
            href="https://www.musicbusinessworldwide.com/sony-music-kooker-ai-insight-forum/"
        )
        entry.guid("https://www.musicbusinessworldwide.com/sony-music-kooker-ai-insight-forum/")
        return Reply(200, gen.rss_str(pretty=True), "application/rss+xml")

    def article(self, m: re.Match[str], q: dict[str, str], h: dict[str, str]) -> Reply:
        paragraphs = [p.strip() for p in self.text.split("\n\n") if p.strip()]
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs[1:])
        page = (
            f"<html><head><title>{html.escape(self.title)}</title></head><body><nav>Menu</nav>"
            f"<article><h1>{html.escape(self.title)}</h1>{body}</article></body></html>"
        )
        return Reply(200, page.encode(), "text/html; charset=utf-8")
