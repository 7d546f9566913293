// Test helper shared by the importer tests and scripts/report.ts: the PyTorch fixtures that
// scripts/make-torch-fixtures.py wrote.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TorchCase } from '../test-models';

/** The folder of the PyTorch fixtures (`<case>.onnx`, `<case>.safetensors`, `cases.json`). */
export const TORCH_FIXTURES = join(import.meta.dirname, 'torch');

/** The cases of `cases.json`: each model's spec, inputs and PyTorch's probabilities. */
export const TORCH_CASES: readonly TorchCase[] = JSON.parse(
  readFileSync(join(TORCH_FIXTURES, 'cases.json'), 'utf8'),
).cases;

/** The bytes of one fixture file, e.g. `torchFixture('gru-2-bi.onnx')`. */
export function torchFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(TORCH_FIXTURES, name)));
}
