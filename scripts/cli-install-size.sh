#!/usr/bin/env bash
# The install size of the `gruvision` command as a user gets it: builds and packs @gruvision/cli and
# the @gruvision/* packages it depends on (`pnpm pack`, as scripts/pack-smoke.sh does), installs them
# with npm in a scratch project and prints `du -sb node_modules`; then adds the CLI's optional peer
# dependencies (TensorFlow.js, the embedded datasets) and prints the size again.
# Usage: bash scripts/cli-install-size.sh   (network access to the npm registry; about 2 minutes)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/gruvision-size-XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/tarballs"

cd "$root"
pnpm exec turbo run build --filter=@gruvision/cli... --output-logs=errors-only
for dir in packages/*/ apps/cli/; do
  if node -e "process.exit(require('./${dir}package.json').private ? 1 : 0)"; then
    (cd "$dir" && pnpm pack --pack-destination "$scratch/tarballs" >/dev/null)
  fi
done

cd "$scratch"
printf '{ "name": "scratch", "private": true, "type": "module" }\n' >package.json
# The CLI tarball and the @gruvision/* tarballs it needs (its dependencies and theirs): they are not
# on the registry yet, so they are installed side by side, as the CLI README tells users to.
mapfile -t needed < <(node --input-type=module -e "
  import { readdirSync } from 'node:fs';
  import { execFileSync } from 'node:child_process';
  const manifests = new Map();
  for (const file of readdirSync('tarballs')) {
    const json = execFileSync('tar', ['-xOzf', 'tarballs/' + file, 'package/package.json'], { encoding: 'utf8' });
    const pkg = JSON.parse(json);
    manifests.set(pkg.name, { file, pkg });
  }
  const wanted = new Set(['@gruvision/cli']);
  for (const name of wanted) {
    for (const dep of Object.keys(manifests.get(name).pkg.dependencies ?? {})) {
      if (manifests.has(dep)) wanted.add(dep);
    }
  }
  for (const name of wanted) console.log('./tarballs/' + manifests.get(name).file);
  const peers = manifests.get('@gruvision/cli').pkg.peerDependencies ?? {};
  console.log('--optional');
  for (const [name, range] of Object.entries(peers)) console.log(name + '@' + range);
")
split=0
for i in "${!needed[@]}"; do [ "${needed[$i]}" = "--optional" ] && split=$i; done
tarballs=("${needed[@]:0:$split}")
optional=("${needed[@]:$((split + 1))}")
npm install --no-audit --no-fund --loglevel=error "${tarballs[@]}"
printf 'installed: %s\n' "${tarballs[*]}"
echo "@gruvision/cli without optional parts: $(du -sb node_modules | cut -f1) bytes (du -sb node_modules)"
if [ "${#optional[@]}" -gt 0 ]; then
  npm install --no-audit --no-fund --loglevel=error "${optional[@]}"
  printf 'added: %s\n' "${optional[*]}"
  echo "@gruvision/cli with optional parts: $(du -sb node_modules | cut -f1) bytes (du -sb node_modules)"
fi
