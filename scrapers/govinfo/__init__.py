"""GovInfo (https://www.govinfo.gov): bill status and bill text, keyless bulk data.

What it is: the Government Publishing Office's repository. The bulk-data
service publishes BILLSTATUS XML per bill (``/bulkdata/BILLSTATUS/{congress}/
{type}/BILLSTATUS-{congress}{type}{number}.xml``) and bill text per version
(``/content/pkg/BILLS-{congress}{type}{number}{version}/xml/...``).

Incremental: per-collection sitemaps (``/sitemap/bulkdata/BILLSTATUS/
{congress}{type}/sitemap.xml``) give each file's ``lastmod``; only files whose
``lastmod`` moved are fetched again.

Quirks: three BILLSTATUS layouts are in use (legacy files with ``billNumber`` and
``billCommittees``; version 1.0.0; 3.0.0 with ``number``/``type`` and flat
lists); 3.0.0 files may wrap escaped HTML in a ``<cdata>`` element; actions
are often listed twice (chamber system and Library of Congress). No rate limit
is published; we stay polite (one request at a time).
"""

SOURCE = "govinfo"
BASE = "https://www.govinfo.gov"
