import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, ndjson, tempDir } from './fixtures';
import { runCli } from './run-cli';

const cwd = tempDir('experiments');
const tiny = ['--limit', '400', '--test-limit', '100', '--epochs', '1'];

describe('gruvision compare', () => {
  it('trains each cell on the same data and prints a table', async () => {
    const result = await runCli(['compare', '--cells', 'gru,rnn', '--units', '8', ...tiny], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^model\s+parameters\s+validation accuracy\s+validation loss/m);
    expect(result.stdout).toMatch(/^GRU-8\s+/m);
    expect(result.stdout).toMatch(/^RNN-8\s+/m);
    expect(result.stdout).toMatch(
      /^pick \(highest mean validation accuracy\): (GRU|RNN)-8, test accuracy [\d.]+% on 100 test images \(official test set\)$/m,
    );
  });

  it('gives one JSON row per cell with --json: validation numbers per cell, test numbers for the pick only', async () => {
    const result = await runCli(['compare', '--cells', 'lstm', '--units', '6', ...tiny, '--json'], { cwd });
    expect(result.code).toBe(0);
    const doc = ndjson(result.stdout).at(-1) as Record<string, unknown> & {
      results: Record<string, unknown>[];
      pick: Record<string, unknown>;
    };
    expect(doc).toMatchObject({
      selection: 'validation',
      split: 'official',
      seeds: [0],
      trainCount: 360,
      validationCount: 40,
      testCount: 100,
    });
    expect(doc.results).toHaveLength(1);
    expect(doc.results[0]).toMatchObject({
      cell: 'lstm',
      units: 6,
      parameters: 4 * (28 * 6 + 6 * 6 + 6) + 6 * 10 + 10,
    });
    expect(doc.results[0]).not.toHaveProperty('testAccuracy');
    expect((doc.results[0]!.valAccuracy as { values: number[] }).values).toHaveLength(1);
    expect(doc.pick).toMatchObject({ cell: 'lstm', units: 6 });
    expect((doc.pick.testAccuracy as { mean: number }).mean).toBeGreaterThanOrEqual(0);
  });

  it('--equal-params matches the parameter counts, --seeds gives mean ± sd over seeds', async () => {
    // biome-ignore format: one command line reads best on one line
    const args = ['compare', '--cells', 'gru,lstm,rnn', '--units', '12', '--equal-params', '--seeds', '2', '--limit', '200', '--test-limit', '50', '--epochs', '1', '--json'];
    const result = await runCli(args, { cwd });
    expect(result.code).toBe(0);
    const doc = ndjson(result.stdout).at(-1) as {
      equalParams: boolean;
      seeds: number[];
      results: { cell: string; units: number; parameters: number; valAccuracy: { values: number[] } }[];
    };
    expect(doc.equalParams).toBe(true);
    expect(doc.seeds).toEqual([0, 1]);
    // GRU-12: 3·(28·12 + 12² + 12) + 12·10 + 10 = 1 606. LSTM-H: 4H² + 126H + 10 → H = 9: 1 468, H = 10: 1 670
    // (closer). RNN-H: H² + 39H + 10 → H = 24: 1 522, H = 25: 1 610 (closer).
    expect(doc.results.map((r) => [r.cell, r.units, r.parameters])).toEqual([
      ['gru', 12, 1606],
      ['lstm', 10, 1670],
      ['rnn', 25, 1610],
    ]);
    for (const r of doc.results) expect(r.valAccuracy.values).toHaveLength(2);
  });

  it("trains every cell with train's training flags: --augment, --optimizer, --class-weight, --keep-best", async () => {
    // biome-ignore format: one command line reads best on one line
    const args = ['compare', '--cells', 'gru,lstm', '--units', '6', ...tiny, '--epochs', '2', '--augment', 'shift=1,rotate=5', '--optimizer', 'adamw', '--l2', '1e-4', '--class-weight', 'balanced', '--keep-best', 'val_accuracy', '--json'];
    const result = await runCli(args, { cwd });
    expect(result.code, result.stderr).toBe(0);
    const doc = ndjson(result.stdout).at(-1) as { results: { cell: string }[]; pick: { cell: string } };
    expect(doc.results.map((r) => r.cell)).toEqual(['gru', 'lstm']);
    expectUsageError(
      await runCli(
        ['compare', '--cells', 'gru,rnn', '--units', '6', ...tiny, '--recurrent-activation', 'hardSigmoid'],
        { cwd },
      ),
      '--recurrent-activation only applies to --cell gru or lstm',
    );
  });

  it('rejects an unknown cell', async () => {
    expectUsageError(
      await runCli(['compare', '--cells', 'gru,tcn'], { cwd }),
      'expected one of gru, lstm, rnn, mingru, minlstm, got "tcn"',
    );
  });
});

describe('gruvision sweep', () => {
  it('trains one model per size and draws the chart', async () => {
    const chart = join(cwd, 'sweep.svg');
    const result = await runCli(['sweep', '--units', '8,4', ...tiny, '--out', chart, '--json'], { cwd });
    expect(result.code).toBe(0);
    const doc = ndjson(result.stdout).at(-1) as {
      chart: string;
      selection: string;
      results: { units: number }[];
      pick: { units: number };
    };
    expect(doc.selection).toBe('validation');
    expect(doc.results.map((r) => r.units)).toEqual([4, 8]);
    expect(existsSync(chart)).toBe(true);
    const svg = readFileSync(chart, 'utf8');
    expect(svg).toContain('Validation accuracy (pick ');
    expect(svg).toContain(`(pick ${doc.pick.units}: test `);
    expect(svg).not.toContain('Test accuracy by hidden units');
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
    expectUsageError(
      await runCli(['train', ...tiny, '--engine', 'tfjs-cpu', '--threads', '2'], { cwd }),
      '--threads 2 only applies to --engine math',
    );
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
