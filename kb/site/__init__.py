"""The static site: ``kb build`` renders the pages of what the watchlist tracks (through
``kb.render``) from a scoped copy of the database (``scope``), writes the search index
(``kb.search``) and the downloads, runs MkDocs in a child process that dies with its
parent, and swaps the finished site in at once (``publish``); ``serve`` previews it and
``browser`` drives headless Chromium for the tests and ``kb bench search``.

May use: ``kb.store`` (reads), ``kb.render``, ``kb.search``, ``kb.digest`` outputs and
the base modules. Nothing here fetches from the network or parses upstream formats.
"""
