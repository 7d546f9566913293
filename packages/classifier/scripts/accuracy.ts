// Trains GRU-128 (rows view) on an embedded dataset and reports test accuracy, epochs and wall time.
//
//   pnpm exec tsx --conditions=@gruvision/source scripts/accuracy.ts --dataset mnist --epochs 10
//   pnpm exec tsx --conditions=@gruvision/source scripts/accuracy.ts --dataset fashion-mnist --epochs 20 --limit 5000
//
// Options: --dataset mnist|fashion-mnist (default mnist), --epochs N (10), --batch-size N (128),
// --learning-rate X (1e-3), --schedule constant|cosine (cosine), --units N (128), --seed N (0),
// --engine math|tfjs-cpu|... (math), --limit N (first N training images; default all),
// --test-limit N (first N test images; default all), --validation F (0: none), --save DIR, --json,
// --test-each-epoch (report test accuracy after every epoch; the test set is only measured, never used
// to choose anything), --checkpoint DIR (checkpoint every epoch and resume from DIR if it holds one),
// --init DIR (continue training a model saved with --save, e.g. a fine-tuning round at a low rate).
// Progress goes to stderr; the final report (JSON with --json) to stdout.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { subset } from '@gruvision/data';
import { fashionMnist, mnist } from '@gruvision/data/node';
import type { EngineName } from '../src/index';
import { GruClassifier } from '../src/index';
import { checkpointDirectory, loadClassifier, saveClassifier } from '../src/node';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'mnist' },
    epochs: { type: 'string', default: '10' },
    'batch-size': { type: 'string', default: '128' },
    'learning-rate': { type: 'string', default: '1e-3' },
    schedule: { type: 'string', default: 'cosine' },
    units: { type: 'string', default: '128' },
    seed: { type: 'string', default: '0' },
    engine: { type: 'string', default: 'math' },
    limit: { type: 'string' },
    'test-limit': { type: 'string' },
    validation: { type: 'string', default: '0' },
    'test-each-epoch': { type: 'boolean', default: false },
    checkpoint: { type: 'string' },
    init: { type: 'string' },
    save: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const targets: Record<string, number> = { mnist: 0.985, 'fashion-mnist': 0.89 };
const dataset = values.dataset!;
if (!(dataset in targets)) {
  process.stderr.write(`--dataset must be mnist or fashion-mnist, got ${dataset}\n`);
  process.exit(2);
}
const int = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive whole number, got ${v}\n`);
    process.exit(2);
  }
  return n;
};
const epochs = int('epochs', values.epochs);
const batchSize = int('batch-size', values['batch-size']);
const units = int('units', values.units);
const seed = Number(values.seed);
const learningRate = Number(values['learning-rate']);
const validation = Number(values.validation);

const log = (line: string) => process.stderr.write(`${line}\n`);
const wallStart = performance.now();
const resolve = createRequire(import.meta.url).resolve;
const data = dataset === 'mnist' ? await mnist({ resolve }) : await fashionMnist({ resolve, seed });
const first = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const train = values.limit
  ? subset(data.train, first(Math.min(int('limit', values.limit), data.train.count)))
  : data.train;
const test = values['test-limit']
  ? subset(data.test, first(Math.min(int('test-limit', values['test-limit']), data.test.count)))
  : data.test;
log(
  `${dataset}: ${train.count} training images, ${test.count} test images (loaded in ${((performance.now() - wallStart) / 1000).toFixed(1)} s)`,
);

const model = values.init
  ? await loadClassifier(values.init, { engine: values.engine as EngineName })
  : await GruClassifier.create({
      classNames: data.train.classNames,
      height: train.height,
      width: train.width,
      channels: train.channels,
      units,
      seed,
      engine: values.engine as EngineName,
      preprocess: dataset === 'mnist' ? 'mnist' : 'none',
    });
const previousEpochs = values.init ? (model.trainingSummary?.epochs ?? 0) : 0;
if (values.init) log(`continuing from ${values.init} (${previousEpochs} epochs trained)`);
log(
  `model: GRU-${model.spec.layers[0]!.units} rows, ${model.parameterCount} parameters, engine ${model.engine.name}, seed ${model.seed}`,
);

const checkpoints = values.checkpoint ? checkpointDirectory(values.checkpoint) : undefined;
const resumeFrom = await checkpoints?.latest();
if (resumeFrom) log(`resuming after epoch ${resumeFrom.epoch} from ${values.checkpoint}`);
let lastReport = 0;
const history = await model.fit(train, {
  ...(checkpoints ? { checkpoint: { save: checkpoints.save } } : {}),
  ...(resumeFrom ? { resumeFrom } : {}),
  epochs,
  batchSize,
  learningRate,
  ...(values.schedule === 'cosine' ? { schedule: { type: 'cosine' as const } } : {}),
  ...(validation > 0 ? { validation } : {}),
  onBatchEnd: (b) => {
    const now = performance.now();
    if (now - lastReport > 10_000) {
      lastReport = now;
      log(
        `  epoch ${b.epoch}/${b.epochs} batch ${b.batch}/${b.batches} loss ${b.loss.toFixed(4)} acc ${(100 * b.accuracy).toFixed(2)}% ` +
          `${b.samplesPerSecond.toFixed(0)} samples/s, eta ${(b.etaSeconds / 60).toFixed(1)} min`,
      );
    }
  },
  onEpochEnd: async (e) => {
    let val = e.valAccuracy !== undefined ? ` val_acc ${(100 * e.valAccuracy).toFixed(2)}%` : '';
    if (values['test-each-epoch'])
      val += ` test_acc ${(100 * (await model.evaluate(test)).accuracy).toFixed(2)}%`;
    log(
      `epoch ${e.epoch}: loss ${e.loss.toFixed(4)} acc ${(100 * e.accuracy).toFixed(2)}%${val} lr ${e.learningRate.toExponential(2)} ` +
        `${e.seconds.toFixed(1)} s (${e.samplesPerSecond.toFixed(0)} samples/s)`,
    );
  },
});

const evaluation = await model.evaluate(test);
const wallSeconds = (performance.now() - wallStart) / 1000;
if (values.save) await saveClassifier(model, values.save);
const report = {
  dataset,
  trainImages: train.count,
  testImages: test.count,
  epochs: history.epochs.length,
  previousEpochs,
  batchSize,
  learningRate,
  schedule: values.schedule,
  units,
  seed,
  engine: model.engine.name,
  testAccuracy: evaluation.accuracy,
  testLoss: evaluation.loss,
  macroF1: evaluation.macroF1,
  target: targets[dataset]!,
  targetMet: evaluation.accuracy >= targets[dataset]! && !values.limit && !values['test-limit'],
  trainSeconds: history.seconds,
  wallSeconds,
};
if (values.json) {
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  process.stdout.write(
    `${dataset}: test accuracy ${(100 * report.testAccuracy).toFixed(2)}% (target ${(100 * report.target).toFixed(1)}%` +
      `${values.limit || values['test-limit'] ? ', not comparable: --limit' : report.targetMet ? ', met' : ', NOT met'}) ` +
      `after ${report.epochs} epochs${previousEpochs ? ` (+${previousEpochs} before --init)` : ''}; training ${(report.trainSeconds / 60).toFixed(1)} min, wall ${(wallSeconds / 60).toFixed(1)} min\n`,
  );
}
model.dispose();
