"""The network layer: the one fetcher every live sync goes through (retries, backoff,
rate limits, capped Retry-After, size limits), the raw archive every response is kept
in, API keys read from the environment and never stored, and ``kb sync``'s
orchestration of the scrapers with its report.

May use: the base modules (``kb.errors``, ``kb.records``, ``kb.settings``,
``kb.watchlist``), ``kb.store`` (a sync loads what it fetched) and ``scrapers``.
Nothing here renders, builds or parses the command line.
"""
