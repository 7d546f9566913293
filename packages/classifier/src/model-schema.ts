import type { ModelSpec } from '@gruvision/math';
import { parameterCount, RECURRENT_ACTIVATIONS } from '@gruvision/math';
import * as v from 'valibot';

// Schemas of everything gruvision reads back from disk: the model metadata, its training summary,
// checkpoint.json and latest.json. They check types, ranges and finiteness of every field; sizes that
// cost memory are checked separately against `ModelLimits`, which name the field and can be raised.

const finite = v.pipe(v.number(), v.finite());
const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const nonNegative = v.pipe(v.number(), v.finite(), v.minValue(0));
const positive = v.pipe(v.number(), v.finite(), v.gtValue(0));
const rate = v.pipe(v.number(), v.finite(), v.minValue(0), v.ltValue(1));
const fraction = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1));
/** NaN is written as `null` by JSON.stringify (a summary of zero epochs). */
const lossValue = v.nullable(nonNegative);
const shortString = v.pipe(v.string(), v.maxLength(1000));

export const OptimizerSpecSchema = v.variant('type', [
  v.object({
    type: v.literal('sgd'),
    learningRate: positive,
    momentum: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0), v.ltValue(1))),
    nesterov: v.optional(v.boolean()),
  }),
  v.object({
    type: v.picklist(['adam', 'adamw']),
    learningRate: positive,
    beta1: v.optional(rate),
    beta2: v.optional(rate),
    epsilon: v.optional(positive),
    weightDecay: v.optional(nonNegative),
  }),
  v.object({
    type: v.literal('rmsprop'),
    learningRate: positive,
    rho: v.optional(rate),
    momentum: v.optional(rate),
    epsilon: v.optional(positive),
  }),
]);

export const TrainingSummarySchema = v.object({
  engine: shortString,
  epochs: count,
  samples: count,
  batchSize: positiveInt,
  optimizer: OptimizerSpecSchema,
  seconds: nonNegative,
  loss: lossValue,
  accuracy: v.nullable(fraction),
  valLoss: v.optional(lossValue),
  valAccuracy: v.optional(v.nullable(fraction)),
  bestEpoch: v.optional(positiveInt),
  stoppedEarly: v.optional(v.boolean()),
});

// Which cells exist is the math core's to say (`validateSpec` runs right after this schema), so a cell
// added there needs no change here; the schema only checks that the field is a short string.
const LayerSchema = v.object({
  cell: shortString,
  units: positiveInt,
  resetAfter: v.optional(v.boolean()),
  recurrentActivation: v.optional(v.picklist(RECURRENT_ACTIVATIONS)),
  unitForgetBias: v.optional(v.boolean()),
  bidirectional: v.optional(v.boolean()),
  goBackwards: v.optional(v.boolean()),
  dropout: v.optional(rate),
  recurrentDropout: v.optional(rate),
});

export const ModelSpecSchema = v.object({
  timeSteps: positiveInt,
  features: positiveInt,
  classes: v.pipe(v.number(), v.integer(), v.minValue(2)),
  headDropout: v.optional(rate),
  layers: v.pipe(v.array(LayerSchema), v.minLength(1)),
});

export const MetadataSchema = v.object({
  formatVersion: positiveInt,
  version: v.optional(shortString),
  classNames: v.pipe(v.array(shortString), v.minLength(2)),
  input: v.object({
    height: positiveInt,
    width: positiveInt,
    channels: v.picklist([1, 3, 4]),
  }),
  view: v.object({
    mode: v.picklist(['rows', 'columns', 'pixels', 'patches']),
    patchSize: v.optional(positiveInt),
    permutationSeed: v.optional(finite),
    normalize: v.optional(v.object({ mean: finite, std: positive })),
  }),
  preprocess: v.picklist(['mnist', 'none']),
  spec: ModelSpecSchema,
  seed: finite,
  training: v.optional(TrainingSummarySchema),
});

const EpochLogSchema = v.object({
  epoch: positiveInt,
  loss: nonNegative,
  accuracy: fraction,
  valLoss: v.optional(nonNegative),
  valAccuracy: v.optional(fraction),
  learningRate: nonNegative,
  seconds: nonNegative,
  samplesPerSecond: nonNegative,
});

/** Optimizer slot names the engines use; anything else (`__proto__`, `constructor`) is refused. */
export const OPTIMIZER_SLOT_NAMES = ['m', 'v', 'momentum', 'velocity'] as const;

export const CheckpointJsonSchema = v.object({
  formatVersion: v.optional(v.literal(1)),
  epoch: count,
  runId: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9._-]{1,100}$/))),
  optimizer: v.object({
    step: count,
    slots: v.pipe(
      v.array(v.object({ name: v.picklist(OPTIMIZER_SLOT_NAMES), size: count })),
      v.maxLength(OPTIMIZER_SLOT_NAMES.length),
    ),
  }),
  state: v.object({
    history: v.array(EpochLogSchema),
    best: v.optional(v.object({ epoch: positiveInt, value: finite })),
    wait: count,
    seconds: nonNegative,
    partial: v.optional(
      v.object({
        batches: positiveInt,
        lossSum: nonNegative,
        correct: count,
        seen: positiveInt,
        seconds: nonNegative,
      }),
    ),
  }),
  bestWeights: v.optional(v.boolean()),
});

export const LatestJsonSchema = v.object({
  epoch: count,
  dir: v.pipe(v.string(), v.regex(/^epoch-\d{4,}$/)),
});

/** The first problem a schema found, as `path: expected …, got …` (never more than a short excerpt of the value). */
export function describeIssue(issues: readonly v.BaseIssue<unknown>[], prefix: string): string {
  const issue = issues[0]!;
  const path = v.getDotPath(issue);
  const where = path ? `${prefix}${prefix ? '.' : ''}${path}` : prefix || 'the document';
  const got =
    issue.input === undefined
      ? 'nothing'
      : typeof issue.input === 'string'
        ? JSON.stringify(issue.input.length > 40 ? `${issue.input.slice(0, 40)}…` : issue.input)
        : typeof issue.input === 'number'
          ? String(issue.input)
          : Array.isArray(issue.input)
            ? `an array of ${issue.input.length}`
            : issue.input === null
              ? 'null'
              : typeof issue.input;
  const expected =
    issue.kind === 'schema' && issue.expected ? `must be ${issue.expected}` : `is invalid (${issue.message})`;
  if (issue.kind === 'schema' && issue.input === undefined) return `${where} is missing.`;
  return issue.kind === 'schema' ? `${where} ${expected}, got ${got}.` : `${where} ${expected}.`;
}

/** Deepest nesting of a parsed JSON value, counted without recursion (stops at `max + 1`). */
export function jsonDepth(value: unknown, max: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const d = depth + 1;
    if (d > deepest) deepest = d;
    if (deepest > max) return deepest;
    for (const child of Object.values(node))
      if (child !== null && typeof child === 'object') stack.push([child, d]);
  }
  return deepest;
}

/** Deepest bracket nesting of JSON text, without parsing it (strings are skipped). */
export function jsonTextDepth(text: string, max: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > max) return deepest;
      }
    } else if (c === 125 || c === 93) depth--;
  }
  return deepest;
}

/** JSON nesting allowed in a model.json or checkpoint.json (gruvision's own files nest about 8 deep). */
export const MAX_JSON_DEPTH = 64;

/**
 * Sizes a model may ask for. Each bounds memory or time that a small file could otherwise demand at
 * load or predict time; every one can be raised on purpose (`loadClassifier(dir, { limits })`,
 * `GruClassifier.create({ limits })`) for a model you trust and have the memory for.
 */
export interface ModelLimits {
  /** Recurrent layers. Default 64. */
  readonly maxLayers?: number;
  /** Units of one recurrent layer. Default 4096. */
  readonly maxUnits?: number;
  /** Sequence length (`spec.timeSteps`). Default 16 384. */
  readonly maxTimeSteps?: number;
  /** Input size per time step (`spec.features`). Default 65 536. */
  readonly maxFeatures?: number;
  /** Classes of the softmax head. Default 16 384. */
  readonly maxClasses?: number;
  /** Values of one input image, height × width × channels. Default 16 777 216 (2048 × 2048 × 4). */
  readonly maxInputValues?: number;
  /** Total weight bytes (float32). Default 1 GiB. */
  readonly maxWeightBytes?: number;
}

export const DEFAULT_MODEL_LIMITS: Required<ModelLimits> = {
  maxLayers: 64,
  maxUnits: 4096,
  maxTimeSteps: 16_384,
  maxFeatures: 65_536,
  maxClasses: 16_384,
  maxInputValues: 2048 * 2048 * 4,
  maxWeightBytes: 1024 * 1024 * 1024,
};

/**
 * The first limit a model exceeds, as `{ field, value, limit, name }`, or `undefined` when it fits.
 * Counts are checked before the parameter count, so an absurd spec never reaches the layout maths.
 */
export function exceededLimit(
  spec: Pick<ModelSpec, 'timeSteps' | 'features' | 'classes' | 'layers'>,
  input: { readonly height: number; readonly width: number; readonly channels: number } | undefined,
  limits: ModelLimits = {},
): { field: string; value: number; limit: number; name: keyof ModelLimits } | undefined {
  const l = { ...DEFAULT_MODEL_LIMITS, ...limits };
  const checks: [string, number, keyof ModelLimits][] = [
    ['spec.layers (count)', spec.layers.length, 'maxLayers'],
    ['spec.timeSteps', spec.timeSteps, 'maxTimeSteps'],
    ['spec.features', spec.features, 'maxFeatures'],
    ['spec.classes', spec.classes, 'maxClasses'],
  ];
  if (input)
    checks.push([
      'input (height × width × channels)',
      input.height * input.width * input.channels,
      'maxInputValues',
    ]);
  spec.layers.forEach((layer, i) => {
    checks.push([`spec.layers[${i}].units`, layer.units, 'maxUnits']);
  });
  for (const [field, value, name] of checks) {
    if (value > l[name]) return { field, value, limit: l[name], name };
  }
  const bytes = parameterCount(spec as ModelSpec) * 4;
  if (bytes > l.maxWeightBytes) {
    return { field: 'weights (bytes)', value: bytes, limit: l.maxWeightBytes, name: 'maxWeightBytes' };
  }
  return undefined;
}
