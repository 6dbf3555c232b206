"""Import handlers for bills (GovInfo, congress.gov), Federal Register and press files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kb.errors import ParseError
from kb.legislation import bill_label
from kb.records import RICH_DETAIL, DocumentRecord, Kind
from kb.store.bills import refresh_families, upsert_bill, upsert_bill_text
from kb.store.links import upsert_links
from scrapers.congress_gov import parse as congress
from scrapers.federal_register import parse as fr
from scrapers.feeds.parse import parse_press_file
from scrapers.govinfo import parse as govinfo

if TYPE_CHECKING:
    from kb.importer import Importer

GOVINFO_TEXT_URL = (
    "https://www.govinfo.gov/content/pkg/BILLS-{c}{t}{n}{v}/xml/BILLS-{c}{t}{n}{v}.xml"
)


def import_xml(importer: Importer, path: Path, data: bytes) -> bool:
    if path.suffix.lower() != ".xml":
        return False
    head = data[:4000].decode("utf-8", "replace")
    if "<billStatus" in head:
        record = govinfo.parse_billstatus(data, item=str(path))
        load = upsert_bill(importer.db, record, importer.provenance(path, data, govinfo.SOURCE))
        importer.report.bills += int(load.created or load.changed)
        importer.bills_touched = True
        return True
    if "<urlset" in head or "<sitemapindex" in head:
        importer.report.skipped.append((str(path), "a sitemap (kb sync reads these)"))
        return True
    text = govinfo.parse_bill_text(data, item=path.name, fmt="xml")
    load_bill_text(importer, path, data, text)
    return True


def import_bill_html(importer: Importer, path: Path, data: bytes) -> bool:
    if path.suffix.lower() not in (".htm", ".html") or not path.name.upper().startswith("BILLS-"):
        return False
    text = govinfo.parse_bill_text(data, item=path.name, fmt="html")
    load_bill_text(importer, path, data, text)
    return True


def load_bill_text(importer: Importer, path: Path, data: bytes, text: govinfo.BillText) -> None:
    if not text.bill_id or not text.version_code:
        raise ParseError(
            "bill text names no bill or version", item=str(path), source=govinfo.SOURCE
        )
    c, t, n = text.bill_id.split("-")
    v = text.version_code
    doc_id = f"bill-{text.bill_id}-{v}"
    url = GOVINFO_TEXT_URL.format(c=c, t=t, n=n, v=v)
    record = DocumentRecord(
        id=doc_id,
        source=govinfo.SOURCE,
        kind=Kind.BILL_TEXT,
        url=url,
        richness=RICH_DETAIL,
        title=f"{bill_label(text.bill_id)} ({c}th Congress), version {v.upper()}"
        + (f": {text.title}" if text.title else ""),
        document_type="Bill text",
        body=text.text,
        language="en",
        category="government",
    )
    importer.add_documents([record], importer.provenance(path, data, govinfo.SOURCE))
    importer.flush()
    version = _version_row(importer, text.bill_id, v)
    upsert_bill_text(
        importer.db,
        bill_id=text.bill_id,
        code=v,
        name=version.get("name"),
        date=version.get("date"),
        url=version.get("url") or url,
        document_id=doc_id,
        text_before_amendment=text.text_before_amendment,
    )
    importer.bills_touched = True


def _version_row(importer: Importer, bid: str, code: str) -> dict[str, str]:
    row = importer.db.execute("select text_versions from bills where id = ?", [bid]).fetchone()
    for version in json.loads(row[0]) if row and row[0] else []:
        if version.get("code") == code:
            return version
    return {}


def import_json(importer: Importer, path: Path, data: bytes) -> bool:
    """congress.gov and Federal Register JSON (regulations.gov is handled elsewhere)."""
    if path.suffix.lower() != ".json":
        return False
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    if not isinstance(doc, dict):
        return False
    kind = congress.classify(doc)
    if kind == "bills":
        importer.report.skipped.append(
            (str(path), "a congress.gov bill list page (kb sync reads these)")
        )
        return True
    if kind == "amendments":
        importer.report.skipped.append((str(path), "amendments are not tracked"))
        return True
    if kind is not None:
        bid = (
            doc["bill"]
            and congress.request_bill_id(
                {
                    "request": {
                        "congress": doc["bill"]["congress"],
                        "billType": doc["bill"]["type"],
                        "billNumber": doc["bill"]["number"],
                    }
                },
                str(path),
            )
            if kind == "bill"
            else congress.request_bill_id(doc, str(path))
        )
        bundle = importer.congress_bundles.setdefault(bid, congress.BillBundle(bid))
        bundle.add(kind, doc)
        importer.congress_provenance[bid] = importer.provenance(path, data, congress.SOURCE)
        return True
    if fr.is_document(doc):
        load_fr(importer, [fr.parse_document(doc, item=str(path))], path, data)
        return True
    if fr.is_search(doc):
        load_fr(importer, fr.parse_search(doc, item=str(path)).documents, path, data)
        return True
    return False


def load_fr(importer: Importer, docs: list[fr.FrDocument], path: Path, data: bytes) -> None:
    importer.add_documents([d.record for d in docs], importer.provenance(path, data, fr.SOURCE))
    importer.flush()
    for d in docs:
        upsert_links(
            importer.db,
            d.record.id,
            [("docket", x, "docket_ids") for x in d.docket_ids if fr.is_regulations_docket(x)],
            method="federalregister",
        )


def flush_congress(importer: Importer) -> None:
    for bid, bundle in sorted(importer.congress_bundles.items()):
        try:
            record = congress.parse_bundle(bundle, item=bid)
        except ParseError as exc:
            importer.fail(exc, Path(bid))
            continue
        load = upsert_bill(importer.db, record, importer.congress_provenance.get(bid))
        importer.report.bills += int(load.created or load.changed)
        importer.bills_touched = True
    importer.congress_bundles.clear()


def import_press(importer: Importer, path: Path, data: bytes) -> bool:
    if path.suffix.lower() not in (".txt", ".html", ".htm", ".md") or path.name.lower() in (
        "readme.md",
        "sources.md",
    ):
        return False
    if path.suffix.lower() == ".md":
        return False
    record = parse_press_file(data, path=path)
    importer.add_documents([record], importer.provenance(path, data, "press"))
    return True


HANDLERS: list[Callable[[Importer, Path, bytes], bool]] = [
    import_xml,
    import_bill_html,
    import_json,
    import_press,
]


def finish(importer: Importer) -> None:
    flush_congress(importer)
    if importer.bills_touched:
        importer.report.families = refresh_families(importer.db)
