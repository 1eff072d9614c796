#!/usr/bin/env bash
# Debian's Chromium for the dashboard's real-browser test (Playwright drives it through
# executable_path, so Playwright downloads no browser of its own). Nothing to do if present.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
as_root=()
if [ "$(id -u)" != 0 ]; then
    as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
