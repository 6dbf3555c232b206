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
.venv/bin/kb import "$corpus/regulations.gov" || [ $? -eq 1 ]
.venv/bin/kb status
