"""News and press: RSS/Atom feeds, article pages, and press files on disk.

Feeds are read with feedparser; each entry's link is fetched and the article's
main text extracted with beautifulsoup4 (the ``<article>`` or ``<main>``
element, else the page's paragraphs). Files given to ``kb import`` (plain
text, HTML or PDF) become ``press`` documents. The language is detected per
document, so French coverage of the debate is tagged ``fr``.
"""

SOURCE = "press"
