#!/usr/bin/env node
// `pnpm bench [options]`: with no options, every package's bench task (turbo, one at a time); with options
// (`--peers`, `--json`, `--only …`, see bench/src/run.ts), the @gruvision/bench run with those options.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const [command, commandArgs] =
  args.length === 0
    ? ['turbo', ['run', 'bench', '--concurrency=1']]
    : ['pnpm', ['--silent', '--filter', '@gruvision/bench', 'bench', ...args]];
const result = spawnSync(command, commandArgs, { stdio: 'inherit' });
if (result.error) {
  console.error(`could not run ${command}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
