// Interop report: worst |Δp| per combination (ONNX export vs onnxruntime-node / onnxruntime-web, PyTorch
// fixtures imported from ONNX and safetensors), then inference throughput of an exported GRU-128
// (MNIST rows 28×28, batch 128) on onnxruntime-node next to the math engine, in the same run.
//
//   cd packages/interop && pnpm exec tsx --conditions=@gruvision/source scripts/report.ts [--json]
//
// Timings share the machine with whatever else runs: say how loaded it was when you quote them.
import { MathNetwork } from '@gruvision/math';
import { activeKernels, initKernels } from '@gruvision/math/kernels';
import * as ortNode from 'onnxruntime-node';
import { TORCH_CASES, torchFixture } from '../src/__fixtures__/torch-cases';
import { modelToOnnx } from '../src/onnx-export';
import { modelFromOnnx } from '../src/onnx-import';
import { runOnnxImages } from '../src/ort';
import {
  COMBINATIONS,
  exportCase,
  interopModelOf,
  maxAbsDiff,
  randomClassifier,
  randomImages,
  torchCaseGap,
} from '../src/test-models';
import { modelFromSafetensors } from '../src/torch-weights';

const json = process.argv.includes('--json');
const log = (s: string) => process.stderr.write(`${s}\n`);
const rows: {
  combination: string;
  onnxruntimeNode?: number;
  onnxruntimeWeb?: number;
  pytorchOnnx?: number;
  pytorchSafetensors?: number;
}[] = [];

for (const combination of COMBINATIONS) {
  const { model, bytes, nhwc, expected } = await exportCase(combination, 32);
  const node = await runOnnxImages('onnxruntime-node', bytes, model.input, nhwc);
  const web = await runOnnxImages('onnxruntime-web', bytes, model.input, nhwc);
  rows.push({
    combination: combination.name,
    onnxruntimeNode: maxAbsDiff(node.data, expected),
    onnxruntimeWeb: maxAbsDiff(web.data, expected),
  });
  model.dispose();
}
for (const c of TORCH_CASES) {
  const fromSafetensors = modelFromSafetensors(torchFixture(`${c.name}.safetensors`), { input: c.input });
  rows.push({
    combination: `PyTorch ${c.name}`,
    pytorchOnnx: await torchCaseGap(modelFromOnnx(torchFixture(`${c.name}.onnx`)), c),
    pytorchSafetensors: await torchCaseGap(fromSafetensors, c),
  });
}

// Throughput: GRU-128 on MNIST rows, batch 128.
const BATCH = 128;
const gru = await randomClassifier(
  {
    name: 'GRU-128',
    layers: [{ cell: 'gru', units: 128, resetAfter: true }],
    view: { mode: 'rows' },
    height: 28,
    width: 28,
  },
  1,
  10,
);
const { nhwc } = randomImages(gru, BATCH, 77);
const onnxBytes = modelToOnnx(interopModelOf(gru));
await initKernels();
const net = new MathNetwork(gru.spec, { seed: 1, optimizer: { type: 'adam', learningRate: 1e-3 } });
net.setWeights(gru.getWeights());
const x = Float32Array.from(nhwc, (v) => v / 255);
async function imagesPerSecond(step: () => unknown | Promise<unknown>, seconds = 3): Promise<number> {
  for (let i = 0; i < 3; i++) await step();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await step();
    n++;
  }
  return (n * BATCH) / ((performance.now() - start) / 1000);
}
const throughput: Record<string, number> = {};
throughput[`math engine (1 thread, ${activeKernels()} kernels)`] = await imagesPerSecond(() =>
  net.predictSync(x, BATCH),
);
for (const threads of [1, 2]) {
  const session = await ortNode.InferenceSession.create(onnxBytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const feeds = { pixels: new ortNode.Tensor('float32', nhwc, [BATCH, 28, 28, 1]) };
  throughput[`onnxruntime-node (${threads} intra-op thread${threads > 1 ? 's' : ''})`] =
    await imagesPerSecond(() => session.run(feeds));
  await session.release();
}
net.dispose();
gru.dispose();

if (json) {
  process.stdout.write(`${JSON.stringify({ parity: rows, throughput, batch: BATCH }, null, 2)}\n`);
} else {
  const fmt = (v: number | undefined) => (v === undefined ? '—' : v.toExponential(2));
  log('worst |Δp| (vs predict() of the math engine; PyTorch rows vs PyTorch probabilities)');
  log('| combination | onnxruntime-node | onnxruntime-web | PyTorch via ONNX | PyTorch via safetensors |');
  log('|---|---|---|---|---|');
  for (const r of rows)
    log(
      `| ${r.combination} | ${fmt(r.onnxruntimeNode)} | ${fmt(r.onnxruntimeWeb)} | ${fmt(r.pytorchOnnx)} | ${fmt(r.pytorchSafetensors)} |`,
    );
  log(`\nGRU-128, MNIST rows 28×28, batch ${BATCH}, inference images/s:`);
  for (const [k, v] of Object.entries(throughput)) log(`| ${k} | ${Math.round(v)} |`);
}
