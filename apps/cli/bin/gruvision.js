#!/usr/bin/env node
// The `gruvision` command. In this repository (src/ beside this folder) it runs the TypeScript
// sources through tsx, linking the workspace packages through the `@gruvision/source` condition, so
// no build is needed; an installed package runs the bundled dist/bin.js.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

// `pnpm gruvision …` (the repository's root script) runs in the repository root: resolve the
// user's paths against the folder they ran it from, as an installed command would.
if (process.env.npm_lifecycle_event === 'gruvision' && process.env.INIT_CWD) {
  process.chdir(process.env.INIT_CWD);
}

const source = new URL('../src/bin.ts', import.meta.url);
if (existsSync(source)) {
  register('./source-condition.js', import.meta.url);
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  await import(source.href);
} else {
  await import('../dist/bin.js');
}
