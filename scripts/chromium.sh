#!/usr/bin/env bash
# Chromium for tests/labelstudio/test_browser.py, from Debian's packages: Playwright never downloads one.
# Installs only when it is missing and CI=true or ANNOTATE_KIT_INSTALL_CHROMIUM=1; elsewhere
# the browser test skips and says why. Needs root (CI runs as root on a fresh Debian).
set -euo pipefail
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  exit 0
fi
if [ "${CI:-}" != true ] && [ "${ANNOTATE_KIT_INSTALL_CHROMIUM:-0}" != 1 ]; then
  echo "==> $chromium missing: the browser test will skip (ANNOTATE_KIT_INSTALL_CHROMIUM=1 installs it)" >&2
  exit 0
fi
echo "==> installing Chromium from Debian's packages for the browser test" >&2
apt-get update -q
apt-get install -y -q chromium
