import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ndjson, tempDir } from './fixtures';
import { runCli } from './run-cli';

const cwd = tempDir('experiments');
const tiny = ['--limit', '400', '--test-limit', '100', '--epochs', '1'];

describe('gruvision compare', () => {
  it('trains each cell on the same data and prints a table', async () => {
    const result = await runCli(['compare', '--cells', 'gru,rnn', '--units', '8', ...tiny], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^model\s+parameters\s+test accuracy/m);
    expect(result.stdout).toMatch(/^GRU-8\s+/m);
    expect(result.stdout).toMatch(/^RNN-8\s+/m);
  });

  it('gives one JSON row per cell with --json', async () => {
    const result = await runCli(['compare', '--cells', 'lstm', '--units', '6', ...tiny, '--json'], { cwd });
    expect(result.code).toBe(0);
    const rows = ndjson(result.stdout).at(-1) as unknown as Record<string, number | string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      cell: 'lstm',
      units: 6,
      parameters: 4 * (28 * 6 + 6 * 6 + 6) + 6 * 10 + 10,
    });
    expect(rows[0]!.testAccuracy).toBeGreaterThanOrEqual(0);
  });

  it('rejects an unknown cell', async () => {
    const result = await runCli(['compare', '--cells', 'gru,tcn'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected one of gru, lstm, rnn, mingru, minlstm, got "tcn"');
  });
});

describe('gruvision sweep', () => {
  it('trains one model per size and draws the chart', async () => {
    const chart = join(cwd, 'sweep.svg');
    const result = await runCli(['sweep', '--units', '8,4', ...tiny, '--out', chart, '--json'], { cwd });
    expect(result.code).toBe(0);
    const doc = ndjson(result.stdout).at(-1) as { chart: string; results: { units: number }[] };
    expect(doc.results.map((r) => r.units)).toEqual([4, 8]);
    expect(existsSync(chart)).toBe(true);
    expect(readFileSync(chart, 'utf8')).toContain('Test accuracy by hidden units');
  });
});

describe('gruvision train --threads', () => {
  it('trains over two worker threads and refuses threads for a tfjs engine', async () => {
    const out = join(cwd, 'threads');
    const result = await runCli(
      ['train', ...tiny, '--units', '8', '--threads', '2', '--out', out, '--json'],
      { cwd },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('engine math × 2 threads');
    expect(ndjson(result.stdout).at(-1)).toMatchObject({ type: 'result', modelDir: out });
    const tfjs = await runCli(['train', ...tiny, '--engine', 'tfjs-cpu', '--threads', '2'], { cwd });
    expect(tfjs.code).toBe(2);
    expect(tfjs.stderr).toContain('--threads 2 only applies to --engine math');
  });
});

describe('gruvision bench', () => {
  it('reports the documented row keys for the math engine', async () => {
    const result = await runCli(
      ['bench', '--engines', 'math', '--threads', '1,2', '--units', '16', '--seconds', '0.2', '--json'],
      { cwd },
    );
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(rows.map((r) => r.threads)).toEqual([1, 2]);
    expect(Object.keys(rows[0]!).sort()).toEqual([
      'engine',
      'inferSamplesPerSec',
      'latencyMs',
      'threads',
      'trainSamplesPerSec',
    ]);
    expect(rows[0]!.engine).toBe('math');
    expect(rows[0]!.trainSamplesPerSec).toBeGreaterThan(0);
  });
});
