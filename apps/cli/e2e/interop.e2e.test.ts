import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GruClassifier, type GruClassifierOptions } from '@gruvision/classifier';
import { loadClassifier, saveClassifier } from '@gruvision/classifier/node';
import { type ModelSpec, Rng } from '@gruvision/math';
import onnxProto from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, tempDir } from './fixtures';
import { runCli } from './run-cli';

const torchFixtures = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'packages',
  'interop',
  'src',
  '__fixtures__',
  'torch',
);

function images(count: number, height: number, width: number, seed: number) {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => ({
    width,
    height,
    channels: 1 as const,
    pixels: Uint8Array.from({ length: height * width }, () => Math.floor(rng.next() * 256)),
  }));
}

async function probabilities(model: GruClassifier, input: ReturnType<typeof images>): Promise<number[]> {
  return (await model.predict(input)).flatMap((p) => [...p.probabilities]);
}

/** An 8×8 classifier with random weights and `layers`, saved in `dir`. */
async function savedModel(
  dir: string,
  classNames: string[],
  view: GruClassifierOptions['view'],
  layers: ModelSpec['layers'],
  seed: number,
): Promise<GruClassifier> {
  const spec = { timeSteps: 8, features: 8, classes: classNames.length, layers };
  const model = await GruClassifier.create({ classNames, height: 8, width: 8, view, spec, seed });
  await saveClassifier(model, dir);
  return model;
}

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

describe('gruvision export / import', () => {
  const cwd = tempDir('interop');
  const modelDir = join(cwd, 'model');
  const resetBefore = join(cwd, 'reset-before');
  let original: GruClassifier;

  beforeAll(async () => {
    original = await savedModel(
      modelDir,
      ['zero', 'one', 'two'],
      { mode: 'columns', normalize: { mean: 0.4, std: 0.3 } },
      [{ cell: 'gru', units: 6, resetAfter: true, bidirectional: true }],
      4,
    );
    const other = await GruClassifier.create({
      classNames: ['a', 'b'],
      height: 8,
      width: 8,
      cell: 'gru',
      units: 4,
      seed: 1,
    });
    await saveClassifier(other, resetBefore);
    other.dispose();
  });

  for (const format of ['onnx', 'safetensors'] as const) {
    it(`${format}: export then import gives back the same predictions`, async () => {
      const file = join(cwd, `model.${format}`);
      const exported = await runCli(['export', modelDir, '--out', file, '--json']);
      expect(exported.code, exported.stderr).toBe(0);
      const doc = JSON.parse(exported.stdout);
      expect(doc.format).toBe(format);
      expect(doc.bytes).toBe(readFileSync(file).length);
      const back = join(cwd, `back-${format}`);
      const imported = await runCli(['import', file, '--out', back]);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toMatch(/8×8×1, columns view → 8 steps × 8 features/);
      const copy = await loadClassifier(back);
      expect(copy.classNames).toEqual(['zero', 'one', 'two']);
      expect(copy.view).toEqual(original.view);
      const x = images(5, 8, 8, 9);
      expect(maxAbsDiff(await probabilities(copy, x), await probabilities(original, x))).toBeLessThan(1e-6);
      copy.dispose();
    });
  }

  it('a minGRU / minLSTM model: export writes Scan layers and import reads the file back to the same predictions', async () => {
    const minimal = await savedModel(
      join(cwd, 'min-model'),
      ['a', 'b', 'c'],
      { mode: 'rows', normalize: { mean: 0.4, std: 0.3 } },
      [
        { cell: 'mingru', units: 5, bidirectional: true },
        { cell: 'minlstm', units: 4 },
      ],
      3,
    );
    const file = join(cwd, 'min.onnx');
    const exported = await runCli([
      'export',
      join(cwd, 'min-model'),
      '--format',
      'onnx',
      '--out',
      file,
      '--json',
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    const doc = JSON.parse(exported.stdout);
    expect(doc.format).toBe('onnx');
    expect(doc.bytes).toBe(readFileSync(file).length);
    const graph = onnxProto.onnx.ModelProto.decode(readFileSync(file)).graph!;
    expect(graph.node!.filter((n) => n.opType === 'Scan')).toHaveLength(3);

    const back = join(cwd, 'min-back');
    const imported = await runCli(['import', file, '--out', back]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/layer +mingru 5 units \(bidirectional/);
    const copy = await loadClassifier(back);
    expect(copy.spec).toEqual(minimal.spec);
    const x = images(4, 8, 8, 9);
    expect(await probabilities(copy, x)).toEqual(await probabilities(minimal, x));
    copy.dispose();
    minimal.dispose();
  });

  it('imports a torch.onnx.export classifier with --input and --classes, matching PyTorch within 1e-5', async () => {
    const cases = JSON.parse(readFileSync(join(torchFixtures, 'cases.json'), 'utf8')).cases;
    const c = cases.find((x: { name: string }) => x.name === 'lstm-1-bi');
    const out = join(cwd, 'from-torch');
    const result = await runCli([
      'import',
      join(torchFixtures, 'lstm-1-bi.onnx'),
      '--out',
      out,
      '--input',
      '6x5',
      '--classes',
      'a,b,c',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).spec.layers).toEqual([
      { cell: 'lstm', units: 7, recurrentActivation: 'sigmoid', bidirectional: true },
    ]);
    const model = await loadClassifier(out);
    expect(model.classNames).toEqual(['a', 'b', 'c']);
    const x = c.pixels.map((p: number[]) => ({
      width: 5,
      height: 6,
      channels: 1 as const,
      pixels: Uint8Array.from(p),
    }));
    expect(maxAbsDiff(await probabilities(model, x), c.probabilities.flat())).toBeLessThan(1e-5);
    model.dispose();
  });

  it('a truncated file: exit 1, an error naming the file, nothing written', async () => {
    const bytes = readFileSync(join(torchFixtures, 'gru-2-bi.safetensors'));
    const cut = join(cwd, 'cut.safetensors');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const out = join(cwd, 'never');
    const result = await runCli(['import', cut, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*cut\.safetensors: tensor .* the file is truncated/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('a reset-before GRU as safetensors: exit 1, says to train with --reset-after, no file', async () => {
    const out = join(cwd, 'rb.safetensors');
    const result = await runCli(['export', resetBefore, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/reset-before GRU .*--reset-after/);
    expect(existsSync(out)).toBe(false);
  });

  it('usage errors: unknown format, bad --input', async () => {
    expectUsageError(
      await runCli(['export', modelDir, '--out', join(cwd, 'model.bin')]),
      /--format onnx or --format safetensors/,
    );
    expectUsageError(
      await runCli(['import', join(cwd, 'model.onnx'), '--out', join(cwd, 'x'), '--input', '28']),
      /HEIGHTxWIDTH/,
    );
  });
});
