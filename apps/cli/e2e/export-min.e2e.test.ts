import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GruClassifier } from '@gruvision/classifier';
import { loadClassifier, saveClassifier } from '@gruvision/classifier/node';
import { Rng } from '@gruvision/math';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { tempDir } from './fixtures';
import { runCli } from './run-cli';

describe('gruvision export --format onnx of a minGRU / minLSTM model', () => {
  it('writes Scan layers and `gruvision import` reads the file back to the same predictions', async () => {
    const cwd = tempDir('export-min');
    const modelDir = join(cwd, 'model');
    const original = await GruClassifier.create({
      classNames: ['a', 'b', 'c'],
      height: 8,
      width: 8,
      view: { mode: 'rows', normalize: { mean: 0.4, std: 0.3 } },
      spec: {
        timeSteps: 8,
        features: 8,
        classes: 3,
        layers: [
          { cell: 'mingru', units: 5, bidirectional: true },
          { cell: 'minlstm', units: 4 },
        ],
      },
      seed: 3,
    });
    await saveClassifier(original, modelDir);
    const file = join(cwd, 'min.onnx');
    const exported = await runCli(['export', modelDir, '--format', 'onnx', '--out', file, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    const doc = JSON.parse(exported.stdout);
    expect(doc.format).toBe('onnx');
    expect(doc.bytes).toBe(readFileSync(file).length);
    const graph = onnxProto.onnx.ModelProto.decode(readFileSync(file)).graph!;
    expect(graph.node!.filter((n) => n.opType === 'Scan')).toHaveLength(3);

    const back = join(cwd, 'back');
    const imported = await runCli(['import', file, '--out', back]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/layer +mingru 5 units \(bidirectional/);
    const copy = await loadClassifier(back);
    expect(copy.spec).toEqual(original.spec);
    const rng = new Rng(9);
    const images = Array.from({ length: 4 }, () => ({
      width: 8,
      height: 8,
      channels: 1 as const,
      pixels: Uint8Array.from({ length: 64 }, () => Math.floor(rng.next() * 256)),
    }));
    const a = (await copy.predict(images)).flatMap((p) => [...p.probabilities]);
    const b = (await original.predict(images)).flatMap((p) => [...p.probabilities]);
    expect(a).toEqual(b);
    copy.dispose();
    original.dispose();
  });
});
