import { describe, expect, it } from 'vitest';
import { expectUsageError, ndjson } from './fixtures';
import { repoSubfolder, runPnpm } from './run-pnpm';

const cwd = repoSubfolder('polish');

describe('gruvision polish', () => {
  it('refuses browser-only engines before loading any data, and lists the engines once', async () => {
    const result = expectUsageError(
      await runPnpm(['gruvision', 'train', '--engine', 'tfjs-webgl'], cwd),
      'tfjs-webgl runs only in a browser',
    );
    expect(result.stderr).not.toContain('dataset mnist');
    const help = await runPnpm(['gruvision', 'train', '--help'], cwd);
    const engineLine = help.stdout.split('\n').find((line) => line.includes('--engine'));
    expect(engineLine).toMatch(/math \| tfjs-cpu \| tfjs-wasm/);
    expect(help.stdout.match(/tfjs-cpu/g)).toHaveLength(1);
    expect(help.stdout).not.toContain('tfjs-webgpu');
  });

  it('says "1 epoch" and names the configuration of each compare epoch line', async () => {
    const train = await runPnpm(
      [
        'gruvision',
        'train',
        '--limit',
        '200',
        '--test-limit',
        '50',
        '--units',
        '4',
        '--epochs',
        '1',
        '--out',
        'one',
      ],
      cwd,
    );
    expect(train.code).toBe(0);
    expect(train.stderr).toMatch(/, 1 epoch of \d+ batches/);
    const compare = await runPnpm(
      [
        'gruvision',
        'compare',
        '--cells',
        'gru,rnn',
        '--units',
        '4',
        '--limit',
        '200',
        '--test-limit',
        '50',
        '--epochs',
        '1',
        '--json',
      ],
      cwd,
    );
    expect(compare.code).toBe(0);
    const epochs = ndjson(compare.stdout).filter((e) => e.type === 'epoch');
    expect(epochs.map((e) => [e.cell, e.units])).toEqual([
      ['gru', 4],
      ['rnn', 4],
    ]);
    expect(compare.stderr).toContain('GRU-4 epoch 1/1');
    expect(compare.stderr).toContain('RNN-4 epoch 1/1');
  });
});
