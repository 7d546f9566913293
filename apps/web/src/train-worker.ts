// Trains a small GRU on the shipped MNIST subset with the math engine, reporting progress as it goes.
import { GruClassifier } from '@gruvision/classifier';
import { DIGIT_CLASS_NAMES, type ImageSet, subset } from '@gruvision/data';
import { fetchBytes } from './fetch-bytes';
import { gateTrace, modelInputGray } from './gates';
import { decodeImagePack } from './image-pack';
import type { TrainEpoch, TrainOptions, TrainProgress, TrainProtocol, TrainResult } from './protocol';
import { type Port, serve, type WithTransfer, withTransfer } from './rpc';

let abort: AbortController | null = null;

async function loadSubset(url: string, samples: number): Promise<ImageSet> {
  const got = await fetchBytes(url);
  if (!got.ok)
    throw new Error(
      `Could not fetch ${got.url} (HTTP ${got.status}): run \`pnpm --filter @gruvision/web data\`.`,
    );
  const pack = decodeImagePack(got.bytes, url);
  const all: ImageSet = {
    count: pack.count,
    height: pack.height,
    width: pack.width,
    channels: 1,
    pixels: pack.pixels,
    labels: Int32Array.from(pack.labels),
    classNames: DIGIT_CLASS_NAMES,
  };
  const n = Math.min(samples, pack.count);
  return n === pack.count
    ? all
    : subset(
        all,
        Array.from({ length: n }, (_, i) => i),
      );
}

async function train(options: TrainOptions): Promise<WithTransfer<TrainResult>> {
  if (abort) throw new Error('A training run is already going: stop it first.');
  abort = new AbortController();
  const started = performance.now();
  try {
    const data = await loadSubset(options.dataUrl, options.samples);
    // The last tenth is held out; the model never trains on it.
    const holdOut = Math.max(1, Math.floor(data.count / 10));
    const trainSet = subset(
      data,
      Array.from({ length: data.count - holdOut }, (_, i) => i),
    );
    const heldOut = subset(
      data,
      Array.from({ length: holdOut }, (_, i) => data.count - holdOut + i),
    );
    const model = await GruClassifier.create({
      classNames: data.classNames,
      height: data.height,
      width: data.width,
      channels: 1,
      units: options.units,
      seed: options.seed,
      preprocess: 'mnist',
    });
    // Progress is averaged over a few batches so the chart shows a trend, not noise.
    const every = 4;
    let sumLoss = 0;
    let sumAcc = 0;
    let count = 0;
    let step = 0;
    let totalSteps = 0;
    let batchesPerEpoch = 1;
    const history = await model.fit(trainSet, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      learningRate: 3e-3,
      signal: abort.signal,
      // Scored on the held-out images after each epoch (they never train the model).
      validation: heldOut,
      onEpochEnd: async (log) => {
        const explanation = await model.explain(heldOut, 0);
        const epoch: TrainEpoch = {
          epoch: log.epoch,
          epochs: options.epochs,
          loss: log.loss,
          accuracy: log.accuracy,
          valLoss: log.valLoss ?? Number.NaN,
          valAccuracy: log.valAccuracy ?? Number.NaN,
          input: modelInputGray(explanation),
          trace: gateTrace(explanation, model.spec.layers[0]!.updateGate ?? 'keepsOld'),
        };
        emit('epoch', epoch);
      },
      onTrainBegin: (info) => {
        totalSteps = info.batchesPerEpoch * info.epochs;
        batchesPerEpoch = info.batchesPerEpoch;
      },
      onBatchEnd: (info) => {
        step++;
        sumLoss += info.batchLoss;
        sumAcc += info.accuracy;
        count++;
        if (count === every || step === totalSteps) {
          const progress: TrainProgress = {
            epoch: info.epoch,
            epochs: info.epochs,
            step,
            batchesPerEpoch,
            totalSteps,
            loss: sumLoss / count,
            accuracy: sumAcc / count,
          };
          emit('progress', progress);
          sumLoss = 0;
          sumAcc = 0;
          count = 0;
        }
      },
    });
    const { accuracy } = await model.evaluate(heldOut);
    const artifacts = model.toArtifacts();
    model.dispose();
    const weightData = artifacts.weightData;
    return withTransfer(
      {
        files: { modelJson: artifacts.modelJson, weightData },
        stopped: history.stopReason === 'aborted',
        steps: step,
        validationAccuracy: accuracy,
        seconds: (performance.now() - started) / 1000,
      },
      [weightData.buffer],
    );
  } finally {
    abort = null;
  }
}

const emit = serve<TrainProtocol>(self as unknown as Port, {
  train: async (options) => train(options),
  stop: async () => {
    abort?.abort();
    return null;
  },
});
