"""Where the project's own files are (no environment, no I/O): the root of the checkout
and the committed data files that pages are made from."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The figures ``kb eval --write`` measured (the site's Accuracy page).
ACCURACY_FILE = PROJECT_ROOT / "data" / "accuracy.json"
