#!/usr/bin/env bash
# Install the project with its test tools and run the full test suite
# (slow tests included: whole corpus, kill-and-resume, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e '.[dev]'
exec .venv/bin/python -m pytest --runslow -n 2 "$@"
