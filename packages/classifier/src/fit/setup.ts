import type { ImageSet, SequenceView } from '@gruvision/data';
import { batches, computeNormalization, countBatches, stratifiedSplit } from '@gruvision/data';
import type {
  Engine,
  ModelSpec,
  NamedWeights,
  Network,
  NetworkOptions,
  OptimizerSpec,
} from '@gruvision/math';
import { OPTIMIZER_TYPES, parameterCount, specHasDropout, validateSpec } from '@gruvision/math';
import type { ModelArtifacts, TrainingSummary } from '../artifact';
import { decodeArtifacts } from '../artifact';
import type { TrainingState } from '../checkpoint';
import { checkPositiveInt, GruClassifierError, invalid, wrapSpecError } from '../errors';
import { abortOn } from './abort';
import type { Callback, History } from './callbacks';
import { checkpointing } from './checkpointing';
import { dropoutPerEpoch } from './dropout';
import { earlyStopping } from './early-stopping';
import { keepBest } from './keep-best';
import { learningRateScheduler } from './learning-rate';
import type { LoopPlan } from './loop';
import { batchWeights, resolveClassWeights, resolveSampleWeights } from './loss-weights';
import { nanGuard } from './nan-guard';
import type { FitOptions, KeepBestOptions, MonitoredMetric, ReduceOnPlateauOptions } from './options';
import { checkFitOptionKeys } from './options';
import { progress } from './progress';
import { reduceOnPlateau } from './reduce-on-plateau';
import { TrainingRun } from './run';
import { validateSchedule } from './schedule';

/** What `fit` needs of the classifier it trains. */
export interface FitTarget {
  readonly engine: Engine;
  readonly seed: number;
  readonly classNames: readonly string[];
  readonly normalizeOnFit: boolean;
  readonly spec: ModelSpec;
  readonly network: Network;
  /** Optimizer of the current network; a fit with the same type continues its state. */
  readonly optimizerType: OptimizerSpec['type'];
  readonly view: SequenceView;
  /** The model's sequence view from now on (with the normalization of the first fit, or a checkpoint's). */
  setView(view: SequenceView): void;
  checkSet(set: ImageSet, what: string): void;
  /** Loss and accuracy of the model (with the fit's network) on a labelled set. */
  measure(set: ImageSet, batchSize: number): Promise<{ loss: number; accuracy: number }>;
  /** The model's artifacts with `summary` as its training summary, which the model keeps. */
  snapshot(summary: TrainingSummary): ModelArtifacts;
}

/** Everything one `fit` runs with, built once: the network (and its worker pool), the run, the plan, the callbacks. */
export interface FitSetup {
  readonly spec: ModelSpec;
  readonly optimizer: OptimizerSpec;
  readonly run: TrainingRun;
  readonly plan: LoopPlan;
  readonly callbacks: readonly Callback[];
  /** The training summary after `history` (the model keeps it). */
  summary(history: History): TrainingSummary;
}

/**
 * Checks the options, splits off the validation set, restores a checkpoint, builds the network once
 * (engines with worker threads start their pool here) and turns the fit options into callbacks:
 * learning-rate schedule, dropout seeds, NaN guard, progress, early stopping, checkpoints, abort, then
 * the user's own `callbacks`.
 */
export async function setUpFit(target: FitTarget, train: ImageSet, options: FitOptions): Promise<FitSetup> {
  checkFitOptionKeys(options);
  target.checkSet(train, 'fit: the training set');
  const epochs = options.epochs ?? 10;
  checkPositiveInt(epochs, 'fit: epochs');
  const batchSize = options.batchSize ?? 128;
  checkPositiveInt(batchSize, 'fit: batchSize');
  if (options.schedule !== undefined) validateSchedule(options.schedule);
  const optimizer = resolveOptimizer(options);
  const every = options.checkpoint?.every ?? 1;
  if (options.checkpoint !== undefined) checkPositiveInt(every, 'fit: checkpoint.every');
  checkCheckpointEvery(options);
  const userCallbacks = options.callbacks ?? [];
  if (!Array.isArray(userCallbacks) || userCallbacks.some((c) => c === null || typeof c !== 'object')) {
    invalid('fit: callbacks must be an array of callback objects ({ onEpochEnd(log, run) { … } }).');
  }
  const { trainSet, validation, trainIndices } = splitValidation(target, train, options);
  const weights = batchWeights(
    resolveClassWeights(options.classWeight, trainSet),
    resolveSampleWeights(options.sampleWeight, train.count, trainIndices),
  );
  const spec = withDropout(target.spec, options);
  wrapSpecError(() => validateSpec(spec));
  const resumed = resume(target, spec, epochs, options);
  let view = resumed?.view ?? target.view;
  if (resumed === undefined && target.normalizeOnFit && view.normalize === undefined) {
    view = { ...view, normalize: computeNormalization(trainSet) };
  }
  target.setView(view);
  const network = await createNetwork(target.engine, spec, networkOptions(target.seed, optimizer, options));
  network.setWeights(resumed?.weights ?? target.network.getWeights());
  if (options.resumeFrom !== undefined) network.setOptimizerState(options.resumeFrom.optimizer);
  else if (target.optimizerType === optimizer.type)
    network.setOptimizerState(target.network.getOptimizerState());

  const hasValidation = validation !== undefined;
  const early = options.earlyStopping;
  const monitor = monitored(early?.monitor, hasValidation);
  if (early !== undefined) checkMonitorHasData('early stopping', monitor, hasValidation);
  const keep = options.keepBest;
  const keepMonitor = monitored(keep?.monitor, hasValidation);
  if (keep !== undefined) checkKeepBest(keep, keepMonitor, hasValidation);
  const plateau = options.reduceOnPlateau;
  const plateauMonitor = monitored(plateau?.monitor, hasValidation);
  if (plateau !== undefined) checkPlateau(plateau, plateauMonitor, hasValidation);
  const batchesPerEpoch = countBatches(trainSet.count, { batchSize });
  const state: TrainingState = options.resumeFrom?.state ?? { history: [], wait: 0, seconds: 0 };
  if (
    state.partial !== undefined &&
    !(state.partial.batches < batchesPerEpoch && options.resumeFrom!.epoch < epochs)
  ) {
    throw new GruClassifierError(
      'CHECKPOINT_INVALID',
      `resumeFrom: the checkpoint stopped after batch ${state.partial.batches} of epoch ${options.resumeFrom!.epoch + 1}, ` +
        `but this fit has ${batchesPerEpoch} batches per epoch and ${epochs} epochs. Resume with the same fit options.`,
    );
  }
  const run = new TrainingRun(
    network,
    epochs,
    batchesPerEpoch,
    trainSet.count,
    optimizer.learningRate,
    state,
    options.resumeFrom?.bestWeights,
    state.partial,
  );
  const summary = (seconds: number, best: { epoch: number } | undefined, stoppedEarly: boolean) =>
    trainingSummary(
      target.engine,
      run.history,
      optimizer,
      batchSize,
      trainSet.count,
      seconds,
      best,
      stoppedEarly,
    );
  const callbacks: Callback[] = [
    learningRateScheduler(optimizer.learningRate, options.schedule),
    ...(plateau !== undefined ? [reduceOnPlateau(plateau, plateauMonitor)] : []),
    ...(specHasDropout(spec) ? [dropoutPerEpoch(target.seed, batchSize)] : []),
    nanGuard(),
    progress(options),
    ...(early !== undefined ? [earlyStopping(early, monitor)] : []),
    ...(keep !== undefined
      ? [keepBest(keep, keepMonitor, (r, epoch) => target.snapshot(summary(r.seconds(), { epoch }, false)))]
      : []),
    ...(options.checkpoint !== undefined
      ? [
          checkpointing(
            options.checkpoint.save,
            { epochs: every, ...options.checkpointEvery },
            (r, seconds, stoppedEarly) => target.snapshot(summary(seconds, r.best, stoppedEarly)),
            (seconds, partial) => run.state(seconds, partial),
          ),
        ]
      : []),
    ...(options.signal !== undefined ? [abortOn(options.signal)] : []),
    ...userCallbacks,
  ];
  const plan: LoopPlan = {
    trainBegin: {
      engine: target.engine.name,
      epochs,
      startEpoch: (options.resumeFrom?.epoch ?? 0) + 1,
      batchSize,
      batchesPerEpoch,
      trainCount: trainSet.count,
      validationCount: validation?.count ?? 0,
      parameters: parameterCount(spec),
    },
    startEpoch: options.resumeFrom?.epoch ?? 0,
    batches: (epoch) =>
      batches(trainSet, {
        batchSize,
        view,
        seed: target.seed,
        epoch,
        shuffle: options.shuffle ?? true,
        ...(options.augment ? { augment: options.augment } : {}),
      }),
    weights,
    validate: async () =>
      validation && validation.count > 0 ? target.measure(validation, Math.max(batchSize, 256)) : undefined,
  };
  return {
    spec,
    optimizer,
    run,
    plan,
    callbacks,
    summary: (history) =>
      summary(
        history.seconds,
        history.bestEpoch !== undefined ? { epoch: history.bestEpoch } : undefined,
        history.stopReason === 'earlyStopping',
      ),
  };
}

/** `checkpointEvery` is `{ batches: N }` (whole number ≥ 1) or `{ seconds: S }` (S > 0), and needs `checkpoint`. */
function checkCheckpointEvery(options: FitOptions): void {
  const every = options.checkpointEvery;
  if (every === undefined) return;
  const keys = every !== null && typeof every === 'object' ? Object.keys(every) : [];
  if (keys.length !== 1 || !(keys[0] === 'batches' || keys[0] === 'seconds')) {
    invalid(`fit: checkpointEvery must be { batches: N } or { seconds: S }, got ${JSON.stringify(every)}.`);
  }
  if ('batches' in every) checkPositiveInt(every.batches, 'fit: checkpointEvery.batches');
  else if (!(typeof every.seconds === 'number' && every.seconds > 0 && Number.isFinite(every.seconds))) {
    invalid(`fit: checkpointEvery.seconds must be a positive number, got ${JSON.stringify(every.seconds)}.`);
  }
  if (options.checkpoint === undefined) {
    invalid('fit: checkpointEvery needs checkpoint: { save } to hand the checkpoints to.');
  }
}

/**
 * The metric a callback watches (early stopping, keep-best, reduce-on-plateau): its own `monitor`, else
 * the validation loss when there is validation data, else the training loss.
 */
function monitored(chosen: MonitoredMetric | undefined, hasValidation: boolean): MonitoredMetric {
  return chosen ?? (hasValidation ? 'valLoss' : 'loss');
}

function checkKeepBest(keep: KeepBestOptions, monitor: MonitoredMetric, hasValidation: boolean): void {
  if (typeof keep.save !== 'function') {
    invalid('fit: keepBest needs save: (best) => { … } to hand the best model to.');
  }
  if (keep.minDelta !== undefined && !(keep.minDelta >= 0 && Number.isFinite(keep.minDelta))) {
    invalid(`fit: keepBest.minDelta must be a number ≥ 0, got ${keep.minDelta}.`);
  }
  if (!MONITORED_METRICS.includes(monitor)) {
    invalid(
      `fit: keepBest.monitor must be one of ${MONITORED_METRICS.join(', ')}, got ${JSON.stringify(monitor)}.`,
    );
  }
  checkMonitorHasData('keepBest', monitor, hasValidation);
}

const MONITORED_METRICS: readonly MonitoredMetric[] = ['loss', 'accuracy', 'valLoss', 'valAccuracy'];

/** A validation metric needs validation data: early stopping, keepBest and reduceOnPlateau say so alike. */
function checkMonitorHasData(what: string, monitor: MonitoredMetric, hasValidation: boolean): void {
  if ((monitor === 'valLoss' || monitor === 'valAccuracy') && !hasValidation) {
    invalid(
      `fit: ${what} monitors ${monitor} but there is no validation data. Pass validation or monitor "loss".`,
    );
  }
}

function checkPlateau(
  plateau: ReduceOnPlateauOptions,
  monitor: MonitoredMetric,
  hasValidation: boolean,
): void {
  const { factor, patience, minDelta, minLearningRate } = plateau;
  if (factor !== undefined && !(factor > 0 && factor < 1)) {
    invalid(`fit: reduceOnPlateau.factor must be in (0, 1), got ${factor}.`);
  }
  if (patience !== undefined) checkPositiveInt(patience, 'fit: reduceOnPlateau.patience');
  for (const [name, value] of [
    ['minDelta', minDelta],
    ['minLearningRate', minLearningRate],
  ] as const) {
    if (value !== undefined && !(value >= 0 && Number.isFinite(value))) {
      invalid(`fit: reduceOnPlateau.${name} must be a number ≥ 0, got ${value}.`);
    }
  }
  checkMonitorHasData('reduceOnPlateau', monitor, hasValidation);
}

function splitValidation(
  target: FitTarget,
  train: ImageSet,
  options: FitOptions,
): { trainSet: ImageSet; validation: ImageSet | undefined; trainIndices?: Int32Array } {
  let trainSet = train;
  let validation: ImageSet | undefined;
  let trainIndices: Int32Array | undefined;
  if (typeof options.validation === 'number') {
    const fraction = options.validation;
    if (!(fraction > 0 && fraction < 1))
      invalid(`fit: validation fraction must be in (0, 1), got ${fraction}.`);
    const split = stratifiedSplit(train, { fraction, seed: target.seed });
    trainSet = split.train;
    validation = split.validation;
    trainIndices = split.trainIndices;
  } else if (options.validation !== undefined) {
    validation = options.validation;
    target.checkSet(validation, 'fit: the validation set');
  }
  if (trainSet.count === 0) invalid('fit: the training set is empty. Pass at least one image.');
  return { trainSet, validation, ...(trainIndices ? { trainIndices } : {}) };
}

/** Checks `resumeFrom` against the model; returns its weights and sequence view. */
function resume(
  target: FitTarget,
  spec: ModelSpec,
  epochs: number,
  options: FitOptions,
): { weights: NamedWeights; view: SequenceView } | undefined {
  const checkpoint = options.resumeFrom;
  if (checkpoint === undefined) return undefined;
  const decoded = wrapCheckpoint(() => decodeArtifacts(checkpoint.artifacts));
  if (JSON.stringify(decoded.metadata.spec) !== JSON.stringify(spec)) {
    throw new GruClassifierError(
      'CHECKPOINT_INVALID',
      'resumeFrom: the checkpoint was made with another model spec. Resume with the same model options and fit options.',
    );
  }
  if (decoded.metadata.classNames.join('\u0000') !== target.classNames.join('\u0000')) {
    throw new GruClassifierError(
      'CHECKPOINT_INVALID',
      'resumeFrom: the checkpoint has other class names. Resume the same model.',
    );
  }
  if (checkpoint.epoch > epochs) {
    invalid(`fit: the checkpoint already ran ${checkpoint.epoch} epochs, more than the ${epochs} asked for.`);
  }
  return { weights: decoded.weights, view: decoded.metadata.view };
}

function networkOptions(seed: number, optimizer: OptimizerSpec, options: FitOptions): NetworkOptions {
  return {
    seed,
    optimizer,
    ...(options.clipNorm !== undefined ? { clipNorm: options.clipNorm } : {}),
    ...(options.l2 !== undefined ? { l2: options.l2 } : {}),
    ...(options.l1 !== undefined ? { l1: options.l1 } : {}),
    ...(options.labelSmoothing !== undefined ? { labelSmoothing: options.labelSmoothing } : {}),
  };
}

/** Engine errors about options (a bad clipNorm, an unknown optimizer field) become `INVALID_ARGUMENT`. */
async function createNetwork(engine: Engine, spec: ModelSpec, options: NetworkOptions): Promise<Network> {
  try {
    return await engine.create(spec, options);
  } catch (error) {
    if (GruClassifierError.isInstance(error)) throw error;
    throw new GruClassifierError('INVALID_ARGUMENT', `fit: ${(error as Error).message}`, { cause: error });
  }
}

function resolveOptimizer(options: FitOptions): OptimizerSpec {
  const given = options.optimizer ?? 'adam';
  const base: OptimizerSpec =
    typeof given === 'string' ? ({ type: given, learningRate: 1e-3 } as OptimizerSpec) : given;
  if (!OPTIMIZER_TYPES.includes(base.type)) {
    invalid(`fit: optimizer must be "sgd", "adam", "adamw" or "rmsprop", got ${JSON.stringify(base.type)}.`);
  }
  const learningRate = options.learningRate ?? base.learningRate ?? 1e-3;
  if (!(learningRate > 0 && Number.isFinite(learningRate))) {
    invalid(`fit: learningRate must be a positive number, got ${learningRate}.`);
  }
  return { ...base, learningRate };
}

function withDropout(spec: ModelSpec, options: FitOptions): ModelSpec {
  if (
    options.dropout === undefined &&
    options.recurrentDropout === undefined &&
    options.headDropout === undefined
  ) {
    return spec;
  }
  return {
    ...spec,
    layers: spec.layers.map((l) => ({
      ...l,
      ...(options.dropout !== undefined ? { dropout: options.dropout } : {}),
      ...(options.recurrentDropout !== undefined ? { recurrentDropout: options.recurrentDropout } : {}),
    })),
    ...(options.headDropout !== undefined ? { headDropout: options.headDropout } : {}),
  };
}

function wrapCheckpoint<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw new GruClassifierError(
      'CHECKPOINT_INVALID',
      `resumeFrom: the checkpoint's model is unreadable: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** The training summary stored in the artifact: the numbers of the best epoch when early stopping restored it. */
function trainingSummary(
  engine: Engine,
  history: readonly TrainingState['history'][number][],
  optimizer: OptimizerSpec,
  batchSize: number,
  samples: number,
  seconds: number,
  best: { epoch: number } | undefined,
  stoppedEarly: boolean,
): TrainingSummary {
  const last = history[history.length - 1];
  const at = best ? (history[best.epoch - 1] ?? last) : last;
  return {
    engine: engine.name,
    epochs: history.length,
    samples,
    batchSize,
    optimizer,
    seconds,
    loss: at?.loss ?? Number.NaN,
    accuracy: at?.accuracy ?? Number.NaN,
    ...(at?.valLoss !== undefined ? { valLoss: at.valLoss, valAccuracy: at.valAccuracy! } : {}),
    ...(best ? { bestEpoch: best.epoch } : {}),
    stoppedEarly,
    ...(engine.bitsDependOn ? { bitsDependOn: engine.bitsDependOn() } : {}),
  };
}
