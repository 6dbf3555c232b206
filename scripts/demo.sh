#!/usr/bin/env bash
# Install the project and run the main job on the recorded corpus:
# import → tag → digest → build. Run from the project root with ../shared beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e .
corpus="${KB_CORPUS:-../shared/corpus}"
export KB_DB="${KB_DB:-kb.db}"
# Exit status 1 means some items failed (kb status lists them); anything else stops the demo.
.venv/bin/kb import "$corpus/regulations.gov" "$corpus/govinfo" "$corpus/congress.gov-api-v3" \
  "$corpus/federalregister.gov" "$corpus/news" || [ $? -eq 1 ]
.venv/bin/kb tag
.venv/bin/kb digest --all
.venv/bin/kb build --out site
.venv/bin/kb status
echo "The site is in site/; preview it with: .venv/bin/kb serve --site site" >&2
