"""The ``kb`` command line: the group and its shared options (``base``), the exit
statuses and error reporting (``errors``), the commands by stage (``commands``:
import, sync, status, search, export, tag, eval, bench; ``publish``: build, serve,
digest, update; ``redline``; ``review``), the console output (``console``) and
``kb status``'s tables (``status_view``).

May use everything below it; nothing imports the command line (import-linter checks
that scrapers do not).
"""

from kb.cli.commands import cli, main

__all__ = ["cli", "main"]
