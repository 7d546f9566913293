import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadClassifier } from '@gruvision/classifier/node';
import { readImageFile } from '@gruvision/data/node';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli';

// datasets/outside-digits (340 synthetic pictures not from MNIST, made by scripts/make-outside-digits.py)
// read by the digit model the repository ships (the web demo's GRU-64, apps/web/public/models/mnist).
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const set = join(repo, 'datasets', 'outside-digits');
const model = join(repo, 'apps', 'web', 'public', 'models', 'mnist');

const GROUPS = [
  'font',
  'pen',
  'marker',
  'pencil',
  'brush',
  'chalk',
  'screen',
  'photo',
  'vignette',
  'offcentre',
];

/**
 * Pictures read right per group, one below what was measured when this test was written (one picture of
 * slack for numerics elsewhere changing a near tie); 326 of 340 in all then.
 */
const FLOORS: Record<string, [number, number]> = {
  font: [54, 60],
  pen: [29, 30],
  marker: [29, 30],
  pencil: [27, 30],
  brush: [28, 30],
  chalk: [26, 30],
  screen: [18, 20],
  photo: [38, 40],
  vignette: [38, 40],
  offcentre: [29, 30],
};

function pictures(): { file: string; label: string; group: string }[] {
  return Array.from({ length: 10 }, (_, d) =>
    readdirSync(join(set, String(d)))
      .sort()
      .map((name) => ({ file: join(set, String(d), name), label: String(d), group: name.split('-')[0]! })),
  ).flat();
}

describe('datasets/outside-digits', () => {
  it('holds 340 pictures, 34 per class, in 10 groups, under 2 MB', () => {
    const all = pictures();
    expect(all.length).toBe(340);
    for (let d = 0; d < 10; d++) expect(all.filter((p) => p.label === String(d)).length).toBe(34);
    expect([...new Set(all.map((p) => p.group))].sort()).toEqual([...GROUPS].sort());
    const bytes = all.reduce((sum, p) => sum + statSync(p.file).size, 0);
    expect(bytes).toBeLessThan(2_000_000);
  });

  it('gruvision eval --all reads at least 95 % of it with the shipped model', async () => {
    const result = await runCli(['eval', model, '--dataset', `folder:${set}`, '--all', '--json']);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { count: number; accuracy: number; split: string };
    expect(out.count).toBe(340);
    expect(out.split).toBe('whole-folder');
    // measured 95.59 % (325 of 340) when this test was written; 98 % is the goal of issue #19
    expect(out.accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('predict() on each picture, as the web demo does, keeps every group above its floor', async () => {
    const classifier = await loadClassifier(model);
    const right = new Map<string, number>();
    for (const p of pictures()) {
      const [prediction] = await classifier.predict([await readImageFile(p.file)]);
      if (prediction!.className === p.label) right.set(p.group, (right.get(p.group) ?? 0) + 1);
    }
    classifier.dispose();
    const seen = Object.fromEntries(GROUPS.map((g) => [g, right.get(g) ?? 0]));
    for (const g of GROUPS) {
      expect({ group: g, right: seen[g]! >= FLOORS[g]![0] ? 'at or above floor' : seen[g] }).toEqual({
        group: g,
        right: 'at or above floor',
      });
    }
    const total = Object.values(seen).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(325);
  });
});
