import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectTrainedFolder, expectUsageError, tempDir } from './fixtures';
import { binPath, runCli } from './run-cli';

// Issue 14: a run owns its checkpoint folder, --resume refuses options it would ignore, limits the
// loader enforces are checked before training, and a closed stdout ends a command quietly.
const cwd = tempDir('reliability');
// biome-ignore format: one command line reads best on one line
const tiny = ['--limit', '300', '--test-limit', '50', '--units', '6', '--epochs', '2', '--validation', '0', '--threads', '1'];

/** Starts `gruvision args` and SIGKILLs it as soon as `pattern` appears on stderr. */
function killOn(args: readonly string[], pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (pattern.test(stderr)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`the run ended before "${pattern}" (${stderr})`));
      else resolve(stderr);
    });
  });
}

describe('a run owns its checkpoint folder', () => {
  it('a new run killed before its first checkpoint never resumes the earlier run', async () => {
    const out = join(cwd, 'owned');
    const first = await runCli(['train', ...tiny, '--out', out], { cwd });
    expect(first.code).toBe(0);
    const firstSettings = JSON.parse(readFileSync(join(`${out}.checkpoints`, 'train-settings.json'), 'utf8'));
    expect(firstSettings.runId).toMatch(/^[a-z0-9]+-[0-9a-f]{8}$/);
    const firstCheckpoint = JSON.parse(
      readFileSync(join(`${out}.checkpoints`, 'epoch-0002', 'checkpoint.json'), 'utf8'),
    );
    expect(firstCheckpoint.runId).toBe(firstSettings.runId);

    // A second run with other settings into the same --out, killed once training has begun.
    const stderr = await killOn(['train', ...tiny, '--units', '5', '--out', out], /^training GRU-5/m);
    expect(stderr).toContain(
      `moved the checkpoints of the earlier run in ${out}.checkpoints to ${out}.checkpoints.previous`,
    );
    const resumed = await runCli(['train', '--resume', `${out}.checkpoints`], { cwd });
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain('no checkpoint there');
    expect(resumed.stderr).not.toMatch(/unexpected failure|\n\s+at /);
    // The earlier run is kept whole beside it, and its model folder is untouched.
    expect(readdirSync(`${out}.checkpoints.previous`).sort()).toEqual([
      'epoch-0001',
      'epoch-0002',
      'latest.json',
      'train-settings.json',
    ]);
    expect(JSON.parse(readFileSync(join(out, 'train-settings.json'), 'utf8')).runId).toBe(
      firstSettings.runId,
    );
  });

  it('--resume refuses options that conflict with the run instead of ignoring them', async () => {
    const out = join(cwd, 'conflict');
    const stopped = await killOn(['train', ...tiny, '--epochs', '30', '--out', out], /^epoch 2\/30/m);
    expect(stopped).toContain('training GRU-6');
    expectUsageError(
      await runCli(['train', '--resume', `${out}.checkpoints`, '--units', '32'], { cwd }),
      "error: --units 32 conflicts with the run being resumed (units 6). --resume keeps the run's settings: drop --units, or start a new run with another --out.",
    );
    // The same value is no conflict, and --epochs may change.
    const same = await runCli(['train', '--resume', `${out}.checkpoints`, '--units', '6', '--epochs', '2'], {
      cwd,
    });
    expect(same.stderr).not.toContain('conflicts');
    expect(same.code).toBe(0);
    expectTrainedFolder(out);
  });
});

describe('limits are checked before training', () => {
  it('refuses --layers 65 and --units 20000 with the limit named, before training starts', async () => {
    const layers = await runCli(['train', ...tiny, '--layers', '65', '--out', join(cwd, 'deep')], { cwd });
    expect(layers.code).toBe(1);
    expect(layers.stderr).toContain(
      'error: spec.layers (count) is 65, more than the 64 a gruvision model may have (limit maxLayers)',
    );
    expect(layers.stderr).not.toContain('training GRU');
    expect(existsSync(join(cwd, 'deep.checkpoints'))).toBe(false);
    const units = await runCli(['train', ...tiny, '--units', '20000', '--out', join(cwd, 'wide')], { cwd });
    expect(units.code).toBe(1);
    expect(units.stderr).toContain('error: spec.layers[0].units is 20000, more than the 4096');
    expect(units.stderr).not.toMatch(/Invalid typed array length|unexpected failure/);
  });
});

describe('a closed stdout', () => {
  it('`eval … | head -n 0` ends quietly, without an EPIPE stack trace', async () => {
    const out = join(cwd, 'owned');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        'sh',
        ['-c', `"${process.execPath}" "${binPath}" eval "${out}" --test-limit 50 | head -n 0`],
        {
          cwd,
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.stderr).not.toMatch(/EPIPE|\n\s+at |Unhandled/);
    expect(result.code).toBe(0);
  });
});
