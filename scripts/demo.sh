#!/usr/bin/env bash
# The main job on a fresh machine: set up (the toolkit in .venv, a Label Studio server in
# .ls-venv), then run the seed article through a temporary local Label Studio: convert, push,
# the seed's gold submitted as an annotator's annotation, pull, validate, export, load_dataset.
# With --offline: no server installed or started (convert, validate and export the gold).
set -euo pipefail
cd "$(dirname "$0")/.."
setup=(--with-server)
for arg in "$@"; do
  [ "$arg" = "--offline" ] && setup=()
done
bash scripts/setup.sh "${setup[@]}"
export HF_HUB_OFFLINE=1
.venv/bin/annotate-kit demo "$@"
