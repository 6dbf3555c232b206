"""regulations.gov v4, played back from the recorded COLC-2023-0006 files.

Detail bodies are the recorded responses. Search pages are assembled in the
documented format from the recorded records (list items carry the attributes
the API lists; ``lastModifiedDate`` is the record's recorded ``modifyDate``),
with the API's paging, its cap on results, and date filters read in US Eastern
time. A comment recorded only as text gets a detail assembled from its
recorded text and attachment files. Attachments are served at their real
``downloads.regulations.gov`` paths; a file nobody recorded is a 404.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.upstream.server import Reply, Upstream

EASTERN = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
LIST_FIELDS = {
    "comments": ("documentType", "withdrawn", "agencyId", "title", "objectId", "postedDate"),
    "documents": (
        "documentType",
        "withdrawn",
        "agencyId",
        "title",
        "objectId",
        "postedDate",
        "docketId",
        "frDocNum",
        "commentStartDate",
        "commentEndDate",
        "subtype",
        "openForComment",
        "allowLateComments",
    ),
}


def _error(status: int, title: str) -> Reply:
    return Reply(status, json.dumps({"errors": [{"status": str(status), "title": title}]}).encode())


def _eastern_to_utc(value: str) -> str:
    local = datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=EASTERN)
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class RecordedRegulationsGov:
    def __init__(
        self, corpus: Path, docket_id: str = "COLC-2023-0006", max_results: int = 5000
    ) -> None:
        self.root = corpus / "regulations.gov"
        self.docket_dir = self.root / docket_id
        self.docket_id = docket_id
        self.max_results = max_results
        self.details: dict[str, dict[str, Any]] = {}
        for path in sorted((self.docket_dir / "documents").glob("*.json")):
            self.details[path.stem] = json.loads(path.read_text())
        self._texts: dict[str, str] | None = None
        self._texts_lock = threading.Lock()
        self.attachment_dirs = {
            p.name: sorted(f for f in p.iterdir() if f.is_file())
            for p in (self.docket_dir / "attachments").iterdir()
            if p.is_dir()
        }
        search = json.loads(
            (self.root / "format-samples/docket-mcp/search_dockets_ai.json").read_text()
        )
        self.docket_items = {d["id"]: d for d in search["data"]}
        self.not_found = (
            self.root / "format-samples/docket-mcp/docket_not_found.json"
        ).read_bytes()
        self.api_key_seen: set[str] = set()

    @property
    def texts(self) -> dict[str, str]:
        # Read once, by one request thread at a time, and published whole: a client
        # that timed out while a busy machine read the file asks again on another
        # thread, which must not see half of it (a comment it has not reached yet
        # would be answered 404).
        with self._texts_lock:
            if self._texts is None:
                path = self.docket_dir / "comment-text.jsonl.gz"
                with gzip.open(path, "rt", encoding="utf-8") as fh:
                    texts = {}
                    for line in fh.read().split("\n"):
                        if line.strip():
                            obj = json.loads(line)
                            texts[obj["id"]] = obj["comment"]
                self._texts = texts
            return self._texts

    def install(self, upstream: Upstream) -> None:
        upstream.route(r"/v4/dockets/(?P<id>[^/]+)", self.docket)
        upstream.route(r"/v4/(?P<endpoint>comments|documents)", self.search)
        upstream.route(r"/v4/(?P<endpoint>comments|documents)/(?P<id>[^/]+)", self.detail)
        upstream.route(r"/(?P<id>[A-Z]+-\d{4}-\d+-\d+)/(?P<file>[^/]+)", self.download)

    def _auth(self, headers: dict[str, str]) -> Reply | None:
        key = headers.get("X-Api-Key") or headers.get("x-api-key")
        if not key:
            return _error(403, "API_KEY_MISSING")
        self.api_key_seen.add(key)
        return None

    def docket(self, m: re.Match[str], q: dict[str, str], h: dict[str, str]) -> Reply:
        if (denied := self._auth(h)) is not None:
            return denied
        item = self.docket_items.get(m["id"])
        if item is None:
            return Reply(404, self.not_found)
        return Reply(200, json.dumps({"data": item}).encode())

    def _records(self, endpoint: str) -> list[dict[str, Any]]:
        want_comments = endpoint == "comments"
        out = []
        for body in self.details.values():
            data = body["data"]
            is_comment = data["attributes"]["documentType"] == "Public Submission"
            if is_comment == want_comments:
                out.append(data)
        return out

    def search(self, m: re.Match[str], q: dict[str, str], h: dict[str, str]) -> Reply:
        if (denied := self._auth(h)) is not None:
            return denied
        endpoint = m["endpoint"]
        size = int(q.get("page[size]", "25"))
        number = int(q.get("page[number]", "1"))
        if not 5 <= size <= 250:
            return _error(400, "page[size] must be between 5 and 250")
        max_pages = max(self.max_results // size, 1)
        if number > max_pages:
            return _error(400, f"page[number] must be at most {max_pages}")
        rows = [
            r
            for r in self._records(endpoint)
            if r["attributes"].get("docketId") == q.get("filter[docketId]")
        ]
        if "filter[documentType]" in q:
            types = set(q["filter[documentType]"].split(","))
            rows = [r for r in rows if r["attributes"]["documentType"] in types]
        if "filter[lastModifiedDate][ge]" in q:
            ge = _eastern_to_utc(q["filter[lastModifiedDate][ge]"])
            rows = [r for r in rows if r["attributes"]["modifyDate"] >= ge]
        if "filter[lastModifiedDate][le]" in q:
            le = _eastern_to_utc(q["filter[lastModifiedDate][le]"])
            rows = [r for r in rows if r["attributes"]["modifyDate"] <= le]
        sort = q.get("sort", "")
        if sort.startswith("lastModifiedDate"):
            rows.sort(key=lambda r: (r["attributes"]["modifyDate"], r["id"]))
        else:
            rows.sort(key=lambda r: r["id"], reverse=sort.startswith("-"))
        total = len(rows)
        pages = min(math.ceil(total / size), max_pages)
        chunk = rows[(number - 1) * size : number * size]
        fields = LIST_FIELDS[endpoint]
        data = [
            {
                "id": r["id"],
                "type": endpoint,
                "attributes": {
                    **{f: r["attributes"].get(f) for f in fields},
                    "lastModifiedDate": r["attributes"]["modifyDate"],
                    "highlightedContent": "",
                },
                "links": {"self": f"https://api.regulations.gov/v4/{endpoint}/{r['id']}"},
            }
            for r in chunk
        ]
        meta = {
            "hasNextPage": number < pages,
            "hasPreviousPage": number > 1,
            "numberOfElements": len(data),
            "pageNumber": number,
            "pageSize": size,
            "totalElements": total,
            "totalPages": pages,
            "firstPage": number == 1,
            "lastPage": number >= pages,
        }
        return Reply(200, json.dumps({"data": data, "meta": meta}).encode())

    def detail(self, m: re.Match[str], q: dict[str, str], h: dict[str, str]) -> Reply:
        if (denied := self._auth(h)) is not None:
            return denied
        doc_id, endpoint = m["id"], m["endpoint"]
        if doc_id in self.details:
            body = json.loads(json.dumps(self.details[doc_id]))
            body["data"]["type"] = endpoint
            if q.get("include") != "attachments":
                body.pop("included", None)
            return Reply(200, json.dumps(body).encode())
        if endpoint == "comments" and doc_id in self.texts:
            return Reply(200, json.dumps(self.assembled_detail(doc_id, q)).encode())
        return _error(404, f"The {endpoint[:-1]} with the specified ID could not be found.")

    def assembled_detail(self, doc_id: str, q: dict[str, str]) -> dict[str, Any]:
        """A detail from the recorded text and attachment files (nothing else is known)."""
        included = []
        for n, path in enumerate(self.attachment_dirs.get(doc_id, []), start=1):
            ext = path.suffix.lstrip(".").lower()
            included.append(
                {
                    "id": f"{doc_id}-attachment-{n}",
                    "type": "attachments",
                    "attributes": {
                        "docOrder": n,
                        "title": path.stem,
                        "fileFormats": [
                            {
                                "fileUrl": f"https://downloads.regulations.gov/{doc_id}/attachment_{n}.{ext}",
                                "format": ext,
                                "size": path.stat().st_size,
                            }
                        ],
                    },
                }
            )
        body: dict[str, Any] = {
            "data": {
                "id": doc_id,
                "type": "comments",
                "attributes": {
                    "comment": self.texts[doc_id],
                    "docketId": self.docket_id,
                    "documentType": "Public Submission",
                    "agencyId": self.docket_id.split("-")[0],
                },
                "links": {"self": f"https://api.regulations.gov/v4/comments/{doc_id}"},
            }
        }
        if q.get("include") == "attachments":
            body["included"] = included
        return body

    def download(self, m: re.Match[str], q: dict[str, str], h: dict[str, str]) -> Reply:
        doc_id, name = m["id"], m["file"]
        if name.startswith("content."):
            path = self.docket_dir / "notices" / f"{doc_id}.{name.split('.', 1)[1]}"
            if path.exists():
                return Reply(200, path.read_bytes(), "application/pdf")
        match = re.fullmatch(r"attachment_(\d+)\.(\w+)", name)
        files = self.attachment_dirs.get(doc_id, [])
        if match and 1 <= int(match[1]) <= len(files):
            path = files[int(match[1]) - 1]
            if path.suffix.lstrip(".").lower() == match[2]:
                ctype = "application/pdf" if match[2] == "pdf" else "text/plain"
                return Reply(200, path.read_bytes(), ctype)
        return Reply(404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml")
