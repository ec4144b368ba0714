#!/usr/bin/env bash
# The main job on a fresh machine: set up, then convert the seed article, validate its
# gold annotation and export exports/seed/ (a Hugging Face dataset folder).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
.venv/bin/annotate-kit demo --seeds seeds -o exports "$@"
