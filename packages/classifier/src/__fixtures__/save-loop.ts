// Child process for the crash test of model-files.test.ts: saves a model into argv[2] forever,
// alternating two weight sets, and prints "saved N" after each save. The test kills it with SIGKILL.
import type { ModelSpec } from '@gruvision/math';
import { encodeArtifacts } from '../artifact';
import { writeModelDirectory } from '../model-files';
import { randomWeights } from './reference';

export const crashSpec: ModelSpec = {
  timeSteps: 3,
  features: 2,
  classes: 2,
  layers: [{ cell: 'gru', units: 64 }],
};
export const crashMetadata = {
  classNames: ['a', 'b'],
  input: { height: 3, width: 2, channels: 1 },
  view: { mode: 'rows' as const },
  preprocess: 'none' as const,
  spec: crashSpec,
  seed: 0,
};

const dir = process.argv[2];
if (dir !== undefined) {
  const sets = [
    encodeArtifacts(crashMetadata, randomWeights(crashSpec, 1)),
    encodeArtifacts(crashMetadata, randomWeights(crashSpec, 2)),
  ];
  for (let i = 0; ; i++) {
    await writeModelDirectory(dir, sets[i % 2]!);
    process.stdout.write(`saved ${i + 1}\n`);
  }
}
