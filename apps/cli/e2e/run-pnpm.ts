import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliResult } from './run-cli';

/** The repository root. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * A fresh folder inside the repository that is not a package (under the ignored `runs/`), as a user's
 * own sub-folder of a clone would be: `pnpm gruvision` run there finds the workspace's bin.
 */
export function repoSubfolder(prefix: string): string {
  const parent = join(repoRoot, 'runs', 'e2e');
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `${prefix}-`));
}

/** Environment of a user's shell: none of the npm_* variables of the `pnpm test` running us. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { FORCE_COLOR: '0', NO_COLOR: '1' };
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|INIT_CWD$|PNPM_)/i.test(key)) env[key] = value;
  }
  return env;
}

/** Starts `pnpm <args>` in `cwd` exactly as a user types it. */
export function spawnPnpm(args: readonly string[], cwd: string): ChildProcessWithoutNullStreams {
  return spawn('pnpm', [...args], { cwd, env: userEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs `pnpm <args>` in `cwd`; resolves once stdout and stderr are closed (every process gone). */
export function runPnpm(
  args: readonly string[],
  cwd: string,
  onStdout?: (text: string, child: ChildProcessWithoutNullStreams) => void,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnPnpm(args, cwd);
    child.stdin.end();
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('error', reject);
    // 'close' waits for the pipes, which the CLI (pnpm's child) holds until it has exited too.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
