"""Federal Register API v1 (https://www.federalregister.gov/api/v1), keyless.

What it is: the daily journal of the U.S. government. Documents
(``/documents/{number}.json``) carry their agencies, type (Notice, Rule,
Proposed Rule), publication date, abstract, comment deadline, CFR references
and ``docket_ids`` / ``regulations_dot_gov_info`` linking them to
regulations.gov dockets.

Searches (``/documents.json?conditions[...]``) return at most 10,000 results
(``count`` stops there; pages of up to 1,000 with ``next_page_url``). When a
search's count says it was truncated, we split its publication-date window in
two and search each half. No key; no published rate limit.
"""

SOURCE = "federalregister.gov"
API_BASE = "https://www.federalregister.gov/api/v1"
MAX_RESULTS = 10000
