"""Search: the static index the site's search page reads (``index``: sharded postings,
phrases, vocabulary, facets), the words as the browser folds and splits them
(``words``), the search terms' groups and variants (``terms``), the units indexed
(``units``), and the same query rules in Python for ``kb search`` (``query``, ``read``).

May use: ``kb.store`` (the units are read from the database), ``kb.render`` (names of
issues) and the base modules.
"""
