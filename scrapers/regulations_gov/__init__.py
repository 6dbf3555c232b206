"""regulations.gov, API v4 (https://api.regulations.gov/v4).

What it is: the U.S. federal government's docket system. Agencies post notices
and rules; the public files comments (``Public Submission`` documents) with
attachments served from ``downloads.regulations.gov``.

What we take: for each watched docket, the docket record, its documents
(notices, rules), and every comment with its attachments; the Copyright
Office's AI study (COLC-2023-0006) by default.

Limits and quirks:

- A key is required (``X-Api-Key`` header; ``DEMO_KEY`` works at a very low
  rate); 1,000 requests per hour per key. ``X-RateLimit-Remaining`` is sent.
- A search returns at most 5,000 results (20 pages of 250). To list more, sort
  by ``lastModifiedDate`` and re-seed ``filter[lastModifiedDate][ge]`` with the
  last date seen. Filter dates are read in US Eastern time (``YYYY-MM-DD
  HH:MM:SS``) while results carry UTC; many records can share one timestamp, so
  a re-seed can return the same window again and must be guarded.
- List items carry only a few attributes; the detail (``/comments/{id}`` or
  ``/documents/{id}``, ``include=attachments``) has the submitter fields and
  the attachment file URLs. ``comment`` is HTML-escaped with ``<br/>``.
- Some recorded bodies contain raw control characters inside strings.
"""

SOURCE = "regulations.gov"
API_BASE = "https://api.regulations.gov/v4"
DOWNLOADS_HOST = "downloads.regulations.gov"
