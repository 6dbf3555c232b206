"""congress.gov API v3 (https://api.congress.gov/v3): bills and their parts.

What it is: the Library of Congress's legislative data. A bill is
``/bill/{congress}/{type}/{number}``; its actions, cosponsors, committees,
related bills, subjects, summaries, text versions and titles are separate
sub-resources (``/actions``, ``/cosponsors``, ``/committees``, ``/relatedbills``,
``/subjects``, ``/summaries``, ``/text``, ``/titles``), each paged with
``offset``/``limit`` (at most 250) and a ``pagination.next`` URL.

Limits: a key is required (``CONGRESS_GOV_API_KEY``, sent as ``X-Api-Key``);
5,000 requests per hour. Lists can be filtered by ``fromDateTime`` on
``updateDate``; the bill's ``updateDateIncludingText`` says whether anything,
text included, changed since we last fetched it.

Quirks: ``number`` is a string in lists and a number in related bills; the
cosponsor list has ``countIncludingWithdrawnCosponsors`` and withdrawn
cosponsors carry ``sponsorshipWithdrawnDate``.
"""

SOURCE = "congress.gov"
API_BASE = "https://api.congress.gov/v3"
PARTS = (
    "actions",
    "cosponsors",
    "committees",
    "relatedbills",
    "subjects",
    "summaries",
    "text",
    "titles",
)
