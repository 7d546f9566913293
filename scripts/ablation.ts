// The ablation of `gruvision train --preset best`: trains the recipe (with a smaller GRU and fewer
// epochs) once in full and once with each counter-measure against overfitting removed, and prints a
// markdown table of test accuracy per variant. Each run is the real CLI (`apps/cli/bin/gruvision.js
// train … --json`); the recipe's flags are read from the CLI's own `--preset` help text, so this stays
// the recipe the CLI documents.
//
//   pnpm exec tsx --conditions=@gruvision/source scripts/ablation.ts [--dataset mnist] [--epochs 3]
//     [--units 128] [--limit N] [--threads 1] [--out /tmp/gruvision-ablation]
//
// One run per variant (7 runs), one seed: differences of a few tenths of a percent are within the noise of
// a single seed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PRESET_HELP } from '../apps/cli/src/commands/presets';

const bin = fileURLToPath(new URL('../apps/cli/bin/gruvision.js', import.meta.url));

/** The recipe's flags for `dataset`, as `--preset best --help` prints them: flag → value. */
export function recipeFlags(dataset: string): Map<string, string> {
  const label = dataset.startsWith('fashion-mnist') ? 'fashion-mnist[:DIR]' : 'MNIST, idx:, folder:';
  const line = PRESET_HELP.split('\n').find((l) => l.trim().startsWith(label));
  if (line === undefined) throw new Error(`no "${label}" line in the --preset help text`);
  return new Map([...line.matchAll(/--([a-z-]+) (\S+)/g)].map((m) => [m[1]!, m[2]!]));
}

/** Each variant: a name, and what it changes in the recipe (`undefined` drops the flag). */
const VARIANTS: readonly { name: string; change: Record<string, string | undefined> }[] = [
  { name: 'full recipe', change: {} },
  { name: 'no augmentation', change: { augment: undefined } },
  { name: 'no label smoothing', change: { 'label-smoothing': undefined } },
  { name: 'no head dropout', change: { 'head-dropout': undefined } },
  { name: 'Adam instead of AdamW', change: { optimizer: 'adam' } },
  { name: 'constant learning rate', change: { schedule: 'constant' } },
  { name: 'no keep-best', change: { 'keep-best': undefined } },
];

interface RunResult {
  testAccuracy: number;
  valAccuracy?: number;
  seconds: number;
  epochs: number;
  keptBest?: { epoch: number };
  split: string;
}

function train(args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'train', ...args, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`gruvision train ${args.join(' ')} exited with ${code}`));
      const lines = stdout.trim().split('\n');
      resolve(JSON.parse(lines[lines.length - 1]!) as RunResult);
    });
  });
}

const percent = (x: number) => `${(100 * x).toFixed(2)} %`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: 'mnist' },
      epochs: { type: 'string', default: '3' },
      units: { type: 'string', default: '128' },
      limit: { type: 'string' },
      threads: { type: 'string', default: '1' },
      out: { type: 'string', default: '/tmp/gruvision-ablation' },
    },
  });
  const dataset = values.dataset;
  const base = recipeFlags(dataset);
  base.set('units', values.units);
  base.set('epochs', values.epochs);
  const common = ['--dataset', dataset, '--threads', values.threads];
  if (values.limit !== undefined) common.push('--limit', values.limit);
  const rows: string[] = [];
  let full: number | undefined;
  let split = '';
  for (const [i, variant] of VARIANTS.entries()) {
    const flags = new Map(base);
    for (const [flag, value] of Object.entries(variant.change)) {
      if (value === undefined) flags.delete(flag);
      else flags.set(flag, value);
    }
    const args = [
      ...common,
      ...[...flags].flatMap(([flag, value]) => [`--${flag}`, value]),
      '--out',
      join(values.out, `${dataset.replace(/[^a-z0-9]+/gi, '-')}-${i}`),
    ];
    process.stderr.write(`\n[ablation] ${variant.name}: gruvision train ${args.join(' ')}\n`);
    const r = await train(args);
    full ??= r.testAccuracy;
    split = r.split;
    const delta =
      i === 0
        ? ''
        : `${r.testAccuracy >= full ? '+' : '−'}${Math.abs(100 * (r.testAccuracy - full)).toFixed(2)}`;
    const changed = Object.entries(variant.change)
      .map(([flag, value]) => (value === undefined ? `without --${flag}` : `--${flag} ${value}`))
      .join(', ');
    rows.push(
      `| ${variant.name} | ${changed || '–'} | ${percent(r.testAccuracy)} | ${delta} | ${r.valAccuracy !== undefined ? percent(r.valAccuracy) : '–'} | ${r.keptBest ? r.keptBest.epoch : '–'} | ${Math.round(r.seconds)} |`,
    );
  }
  const recipe = [...base].map(([flag, value]) => `--${flag} ${value}`).join(' ');
  console.log(
    `\nAblation on ${dataset} (test split: ${split}), recipe: ${recipe}${values.limit ? ` --limit ${values.limit}` : ''}\n`,
  );
  console.log(
    '| variant | change | test accuracy | Δ vs full (points) | last val accuracy | kept epoch | seconds |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
}

await main();
