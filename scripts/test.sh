#!/usr/bin/env bash
# Install the project with its test tools and run the full test suite
# (slow tests included: whole corpus, kill-and-resume, headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  # The browser tests drive Debian's Chromium (a browser download of Playwright's own fails offline).
  # DPkg::Lock::Timeout: wait up to 10 minutes for another apt or dpkg to finish, not fail at once.
  if [ "$(id -u)" = 0 ]; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >/dev/null
  else
    echo "chromium is missing: sudo apt-get install chromium" >&2
    exit 1
  fi
fi
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e '.[dev]'
exec .venv/bin/python -m pytest --runslow -n 2 "$@"
