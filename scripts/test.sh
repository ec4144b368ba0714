#!/usr/bin/env bash
# Set up (toolkit + a Label Studio server for the end-to-end tests, Chromium for the browser
# test in CI), lint, run every test.
# The tests start and stop their own Label Studio on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev --with-server  # --dev: the test extra, Playwright included
bash scripts/chromium.sh  # Debian's Chromium when CI=true (or asked); never a browser download
export HF_HUB_OFFLINE=1
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/annotate-kit --help > /dev/null
.venv/bin/pytest "$@"
