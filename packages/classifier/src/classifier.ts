import type { ImageSet, RawImage, SequenceView } from '@gruvision/data';
import { batches, fillSequenceFromPixels, viewShape } from '@gruvision/data';
import type { Engine, ModelSpec, NamedWeight, NamedWeights, Network, OptimizerSpec } from '@gruvision/math';
import { parameterCount, validateSpec } from '@gruvision/math';
import type {
  ArtifactLimits,
  GruvisionMetadata,
  InputShape,
  ModelArtifacts,
  Preprocess,
  TrainingSummary,
} from './artifact';
import { decodeArtifacts, encodeArtifacts } from './artifact';
import type { Checkpoint } from './checkpoint';
import { defaultSpec } from './default-spec';
import type { EngineOption } from './engines';
import { resolveEngine } from './engines';
import { checkPositiveInt, GruClassifierError, invalid, wrapSpecError } from './errors';
import { trainLoop } from './fit/loop';
import type { FitOptions, History } from './fit/options';
import type { FitTarget } from './fit/setup';
import { setUpFit } from './fit/setup';
import type { ImageInput, PredictInput } from './images';
import { prepareImage, toModelSet } from './images';
import type { Evaluation } from './metrics';
import { argMax, MetricsAccumulator, topIndices } from './metrics';
import type { GruClassifierOptions } from './model-options';
import { CREATE_OPTION_KEYS } from './model-options';
import { exceededLimit } from './model-schema';
import { checkOptionKeys } from './option-keys';
import type { Explanation, Prediction } from './prediction';

const defaultOptimizer: OptimizerSpec = { type: 'adam', learningRate: 1e-3 };

function _nextTick(): Promise<void> {
  return new Promise((resolve) => {
    const immediate = (globalThis as { setImmediate?: (fn: () => void) => void }).setImmediate;
    if (immediate) immediate(resolve);
    else setTimeout(resolve, 0);
  });
}

function copyWeights(weights: NamedWeights): NamedWeight[] {
  return weights.map((w) => ({ name: w.name, shape: [...w.shape], values: w.values.slice() }));
}

function _epochSeed(seed: number, epoch: number): number {
  return (Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(epoch + 1, 0x85ebca6b)) >>> 0;
}

const PREDICT_OPTION_KEYS = { topK: true, batchSize: true } as const;

/**
 * A GRU image classifier on any engine: `fit`, `evaluate`, `predict`, `explain`, and artifacts in the
 * TensorFlow.js layers-model format. Create one with `GruClassifier.create` or `GruClassifier.fromArtifacts`.
 */
export class GruClassifier {
  private network: Network;
  private disposed = false;
  /** Where the model was loaded from, for messages. */
  private origin: string | undefined;
  private currentSpec: ModelSpec;
  private currentView: SequenceView;
  private summary: TrainingSummary | undefined;
  /** Optimizer of the current network; a later `fit` with the same type continues its state. */
  private optimizerType: OptimizerSpec['type'];

  private constructor(
    readonly engine: Engine,
    network: Network,
    readonly classNames: readonly string[],
    readonly input: InputShape,
    view: SequenceView,
    readonly preprocess: Preprocess,
    readonly seed: number,
    private readonly normalizeOnFit: boolean,
    summary?: TrainingSummary,
  ) {
    this.network = network;
    this.currentSpec = network.spec;
    this.currentView = view;
    this.summary = summary;
    this.optimizerType = summary?.optimizer.type ?? defaultOptimizer.type;
  }

  /** Builds a new, untrained classifier. */
  static async create(options: GruClassifierOptions): Promise<GruClassifier> {
    checkOptionKeys(options, CREATE_OPTION_KEYS, 'GruClassifier.create');
    const classNames = options.classNames;
    if (
      !Array.isArray(classNames) ||
      classNames.length < 2 ||
      classNames.some((c) => typeof c !== 'string')
    ) {
      invalid('classNames must list at least two class names, e.g. ["cat", "dog"].');
    }
    const input: InputShape = {
      height: options.height ?? 28,
      width: options.width ?? 28,
      channels: options.channels ?? 1,
    };
    checkPositiveInt(input.height, 'height');
    checkPositiveInt(input.width, 'width');
    if (![1, 3, 4].includes(input.channels)) invalid(`channels must be 1, 3 or 4, got ${input.channels}.`);
    const view: SequenceView = options.view ?? { mode: 'rows' };
    const shape = wrapSpecError(() => viewShape(view, input));
    const seed = options.seed ?? 0;
    if (!Number.isFinite(seed)) invalid(`seed must be a finite number, got ${seed}.`);
    let spec: ModelSpec;
    if (options.spec !== undefined) {
      spec = options.spec;
      wrapSpecError(() => validateSpec(spec));
      if (spec.timeSteps !== shape.timeSteps || spec.features !== shape.features) {
        invalid(
          `spec reads ${spec.timeSteps} steps of ${spec.features} features, but the ${view.mode} view of ` +
            `${input.height}×${input.width}×${input.channels} images gives ${shape.timeSteps} of ${shape.features}. ` +
            'Fix the spec or the input shape.',
        );
      }
      if (spec.classes !== classNames.length) {
        invalid(
          `spec has ${spec.classes} classes but classNames lists ${classNames.length}. Make them agree.`,
        );
      }
    } else {
      spec = wrapSpecError(() =>
        defaultSpec({
          ...shape,
          classes: classNames.length,
          ...(options.cell !== undefined ? { cell: options.cell } : {}),
          ...(options.units !== undefined ? { units: options.units } : {}),
          ...(options.layers !== undefined ? { layers: options.layers } : {}),
          ...(options.bidirectional !== undefined ? { bidirectional: options.bidirectional } : {}),
          ...(options.resetAfter !== undefined ? { resetAfter: options.resetAfter } : {}),
          ...(options.recurrentActivation !== undefined
            ? { recurrentActivation: options.recurrentActivation }
            : {}),
          ...(options.goBackwards !== undefined ? { goBackwards: options.goBackwards } : {}),
        }),
      );
    }
    // What the loader would refuse is refused before any training: a saved model must load again.
    const over = exceededLimit(spec, input, options.limits);
    if (over !== undefined) {
      throw new GruClassifierError(
        'TOO_LARGE',
        `${over.field} is ${over.value}, more than the ${over.limit} a gruvision model may have (limit ${over.name}); ` +
          `loadClassifier would refuse the saved model. Use a smaller model, or raise limits.${over.name} here and when loading if you have the memory.`,
      );
    }
    const preprocess = options.preprocess ?? 'none';
    if (preprocess !== 'mnist' && preprocess !== 'none')
      invalid(`preprocess must be "mnist" or "none", got ${preprocess}.`);
    const engine = await resolveEngine(options.engine);
    const network = await engine.create(spec, { seed, optimizer: defaultOptimizer });
    return new GruClassifier(
      engine,
      network,
      [...classNames],
      input,
      view,
      preprocess,
      seed,
      options.normalize ?? true,
    );
  }

  /** Rebuilds a classifier from artifacts (`toArtifacts()`, or the files of a saved model). Browser-safe. */
  static async fromArtifacts(
    artifacts: { readonly modelJson: unknown; readonly weightData: Uint8Array },
    options: { readonly engine?: EngineOption; readonly limits?: ArtifactLimits } = {},
  ): Promise<GruClassifier> {
    const { metadata, weights } = decodeArtifacts(artifacts, options.limits);
    return GruClassifier.fromWeights(metadata, weights, options.engine);
  }

  /** @internal Used by the Node loader after it has read and checked a model directory. */
  static async fromWeights(
    metadata: GruvisionMetadata,
    weights: NamedWeights,
    engineOption?: EngineOption,
    origin?: string,
  ): Promise<GruClassifier> {
    const engine = await resolveEngine(engineOption);
    const network = await engine.create(metadata.spec, {
      seed: metadata.seed,
      optimizer: metadata.training?.optimizer ?? defaultOptimizer,
    });
    network.setWeights(weights);
    const model = new GruClassifier(
      engine,
      network,
      [...metadata.classNames],
      { ...metadata.input },
      metadata.view,
      metadata.preprocess,
      metadata.seed,
      false,
      metadata.training,
    );
    model.origin = origin;
    return model;
  }

  /** The model spec (changes when `fit` is given dropout options). */
  get spec(): ModelSpec {
    return this.currentSpec;
  }

  /** The sequence view, with the normalization computed by the first `fit`. */
  get view(): SequenceView {
    return this.currentView;
  }

  /** What the last `fit` did (also restored from artifacts). */
  get trainingSummary(): TrainingSummary | undefined {
    return this.summary;
  }

  get parameterCount(): number {
    return parameterCount(this.currentSpec);
  }

  /** Weights in the canonical layout (copies). */
  getWeights(): NamedWeight[] {
    this.checkAlive();
    return copyWeights(this.network.getWeights());
  }

  setWeights(weights: NamedWeights): void {
    this.checkAlive();
    this.network.setWeights(weights);
  }

  /** gruvision metadata of the model as it is now. */
  metadata(): Omit<GruvisionMetadata, 'formatVersion' | 'version'> {
    return {
      classNames: this.classNames,
      input: this.input,
      view: this.currentView,
      preprocess: this.preprocess,
      spec: this.currentSpec,
      seed: this.seed,
      ...(this.summary ? { training: this.summary } : {}),
    };
  }

  /** The model as pure data in the TensorFlow.js layers-model format (browser-safe). */
  toArtifacts(): ModelArtifacts {
    this.checkAlive();
    return encodeArtifacts(this.metadata(), this.network.getWeights());
  }

  /** Releases the engine's resources (tfjs tensors). The classifier cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.network.dispose();
    this.disposed = true;
  }

  private checkAlive(): void {
    if (this.disposed) {
      throw new GruClassifierError('DISPOSED', 'This classifier was disposed. Create or load it again.');
    }
  }

  private checkSet(set: ImageSet, what: string): void {
    if (
      typeof set !== 'object' ||
      set === null ||
      !(set.pixels instanceof Uint8Array) ||
      !(set.labels instanceof Int32Array)
    ) {
      invalid(
        `${what} must be an ImageSet ({ count, height, width, channels, pixels, labels, classNames }).`,
      );
    }
    const { height, width, channels } = this.input;
    if (set.height !== height || set.width !== width || set.channels !== channels) {
      invalid(
        `${what} holds ${set.height}×${set.width}×${set.channels} images but the model reads ${height}×${width}×${channels}. ` +
          'Resize the set first (fitImage in @gruvision/data) or create the model with its shape.',
      );
    }
    if (set.classNames.length !== this.classNames.length) {
      invalid(
        `${what} has ${set.classNames.length} classes but the model has ${this.classNames.length} (${this.classNames.join(', ')}). ` +
          'Use a set with the same classes.',
      );
    }
  }

  /** Probabilities `[count, classes]` of a model-shaped set, batch by batch. */
  private async probabilities(
    set: ImageSet,
    batchSize: number,
    onBatch?: (p: Float32Array, y: Int32Array, n: number) => void,
  ): Promise<Float32Array> {
    const classes = this.classNames.length;
    const out = new Float32Array(set.count * classes);
    let at = 0;
    for (const batch of batches(set, { batchSize, view: this.currentView, shuffle: false })) {
      const p = await this.network.predict(batch.x, batch.size);
      checkFiniteOutput(p, batch.size * classes, classes, at, this.origin);
      out.set(p.subarray(0, batch.size * classes), at * classes);
      onBatch?.(p, batch.y, batch.size);
      at += batch.size;
    }
    return out;
  }

  /** Loss, accuracy, top-k accuracy, confusion matrix, per-class precision/recall/F1 and macro-F1 on a labelled set. */
  async evaluate(
    test: ImageSet,
    options: { readonly topK?: number; readonly batchSize?: number } = {},
  ): Promise<Evaluation> {
    this.checkAlive();
    checkOptionKeys(options, PREDICT_OPTION_KEYS, 'evaluate');
    this.checkSet(test, 'evaluate: the test set');
    const topK = options.topK ?? Math.min(5, this.classNames.length);
    checkPositiveInt(topK, 'evaluate: topK');
    const batchSize = options.batchSize ?? 256;
    checkPositiveInt(batchSize, 'evaluate: batchSize');
    const metrics = new MetricsAccumulator(this.classNames, topK);
    await this.probabilities(test, batchSize, (p, y, n) => metrics.add(p, y, n));
    return metrics.result();
  }

  /**
   * Class predictions for an `ImageSet`, one picture (`RawImage` of any size and channels, or `ImageData`)
   * or a list of pictures. Pictures get the model's preprocessing and are resized to its input shape.
   */
  async predict(
    images: PredictInput,
    options: { readonly topK?: number; readonly batchSize?: number } = {},
  ): Promise<Prediction[]> {
    this.checkAlive();
    checkOptionKeys(options, PREDICT_OPTION_KEYS, 'predict');
    const topK = options.topK ?? Math.min(3, this.classNames.length);
    checkPositiveInt(topK, 'predict: topK');
    const batchSize = options.batchSize ?? 256;
    checkPositiveInt(batchSize, 'predict: batchSize');
    const set = toModelSet(images, this.input, this.preprocess, this.classNames);
    const classes = this.classNames.length;
    const probs = await this.probabilities(set, batchSize);
    return Array.from({ length: set.count }, (_, i) =>
      this.prediction(probs.slice(i * classes, (i + 1) * classes), topK),
    );
  }

  private prediction(probabilities: Float32Array, topK: number): Prediction {
    const top = topIndices(probabilities, topK).map((label) => ({
      label,
      className: this.classNames[label]!,
      probability: probabilities[label]!,
    }));
    return { ...top[0]!, top, probabilities };
  }

  /** Per time step the gates and hidden state of every layer, and the class probabilities after each step. */
  async explain(image: ImageInput | ImageSet, index = 0): Promise<Explanation> {
    this.checkAlive();
    let modelImage: RawImage;
    if ('count' in image) {
      if (!Number.isInteger(index) || index < 0 || index >= image.count) {
        invalid(`explain: image index ${index} is outside [0, ${image.count}).`);
      }
      const size = image.height * image.width * image.channels;
      const raw = { width: image.width, height: image.height, channels: image.channels };
      modelImage = prepareImage(
        { ...raw, pixels: image.pixels.subarray(index * size, (index + 1) * size) },
        this.input,
        'none',
      );
    } else {
      modelImage = prepareImage(image, this.input, this.preprocess);
    }
    const { timeSteps, features } = this.currentSpec;
    const sequence = new Float32Array(timeSteps * features);
    fillSequenceFromPixels(sequence, 0, modelImage.pixels, 0, this.input, this.currentView);
    const trace = await this.network.trace(sequence);
    checkFiniteOutput(
      trace.probabilities,
      trace.probabilities.length,
      trace.probabilities.length,
      index,
      this.origin,
    );
    checkFiniteOutput(
      trace.stepProbabilities,
      trace.stepProbabilities.length,
      this.classNames.length,
      index,
      this.origin,
    );
    const classes = this.classNames.length;
    const steps = Array.from({ length: trace.timeSteps }, (_, t) => {
      const row = trace.stepProbabilities.subarray(t * classes, (t + 1) * classes);
      const label = argMax(row);
      return { label, className: this.classNames[label]!, probability: row[label]! };
    });
    return {
      timeSteps,
      features,
      image: modelImage,
      sequence,
      layers: trace.layers,
      stepProbabilities: trace.stepProbabilities,
      steps,
      prediction: this.prediction(trace.probabilities.slice(), Math.min(3, classes)),
    };
  }

  /**
   * Applies the model's preprocessing to one picture and returns it in the model's input shape. To predict
   * or explain it, hand it over inside an `ImageSet` (a set of the model's shape is used as is): passed
   * as a picture, it would be preprocessed a second time.
   */
  prepare(image: ImageInput): RawImage {
    return prepareImage(image, this.input, this.preprocess);
  }

  /**
   * Trains the model: a loop over epochs and batches (`fit/loop.ts`) that calls callbacks in the Keras
   * shape — the ones built from the options (schedule, NaN guard, progress, early stopping, checkpoints,
   * abort), then `options.callbacks`. The network (and an engine's worker pool) is built once per `fit`.
   * Resolves with the history; rejects with a `GruClassifierError` (`NON_FINITE_LOSS`) when the loss stops
   * being finite, after putting back the weights from the start of that epoch.
   */
  async fit(train: ImageSet, options: FitOptions = {}): Promise<History> {
    this.checkAlive();
    const setup = await setUpFit(this.fitTarget(), train, options);
    this.network.dispose();
    this.network = setup.run.network;
    this.currentSpec = setup.spec;
    this.optimizerType = setup.optimizer.type;
    const history = await trainLoop(setup.run, setup.plan, setup.callbacks);
    this.summary = setup.summary(history);
    return history;
  }

  /** What `fit` reads and changes of this model. */
  private fitTarget(): FitTarget {
    return {
      engine: this.engine,
      seed: this.seed,
      classNames: this.classNames,
      normalizeOnFit: this.normalizeOnFit,
      spec: this.currentSpec,
      network: this.network,
      optimizerType: this.optimizerType,
      view: this.currentView,
      setView: (view) => {
        this.currentView = view;
      },
      checkSet: (set, what) => this.checkSet(set, what),
      measure: async (set, batchSize) => {
        const metrics = new MetricsAccumulator(this.classNames, 1);
        await this.probabilities(set, batchSize, (p, y, n) => metrics.add(p, y, n));
        const { loss, accuracy } = metrics.result();
        return { loss, accuracy };
      },
      snapshot: (summary) => {
        this.summary = summary;
        return this.toArtifacts();
      },
    };
  }
}

/**
 * Probabilities that are NaN or infinite are not a prediction: weights this large (e.g. ±3.4e38)
 * overflow the network. Throws `NON_FINITE_OUTPUT` rather than report `0 (NaN%)` as a result.
 */
function checkFiniteOutput(
  p: Float32Array,
  length: number,
  classes: number,
  firstImage: number,
  origin: string | undefined,
): void {
  for (let i = 0; i < length; i++) {
    const value = p[i]!;
    if (value - value !== 0 || value < 0 || value > 1.0001) {
      throw new GruClassifierError(
        'NON_FINITE_OUTPUT',
        `The model${origin ? ` in ${origin}` : ''} produced ${value} as a probability (image ${firstImage + Math.floor(i / classes)}, class ${i % classes}): ` +
          'its weights overflow the network, so it cannot classify. The model file is damaged or was trained into divergence; ' +
          'train or save it again.',
      );
    }
  }
}

export type { Checkpoint };
