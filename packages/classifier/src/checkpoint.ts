import type { NamedWeight, NamedWeights, OptimizerState } from '@gruvision/math';
import { weightLayout } from '@gruvision/math';
import * as v from 'valibot';
import type { ArtifactLimits, ModelArtifacts } from './artifact';
import {
  fromLittleEndianBytes,
  MODEL_FILE,
  parseModelJson,
  toLittleEndianBytes,
  WEIGHTS_FILE,
  weightsFromBytes,
} from './artifact';
import { GruClassifierError } from './errors';
import { CheckpointJsonSchema, describeIssue, jsonTextDepth, MAX_JSON_DEPTH } from './model-schema';

/** One epoch of the training history. `epoch` counts from 1. */
export interface EpochLog {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  /** Learning rate of the epoch's last batch. */
  readonly learningRate: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

/** How far an unfinished epoch got, for a checkpoint within it: its batches and running sums. */
export interface PartialEpoch {
  /** Batches of the epoch already trained (≥ 1, fewer than the epoch has). */
  readonly batches: number;
  /** Σ batch loss × batch size, Σ correct and the samples seen so far in the epoch. */
  readonly lossSum: number;
  readonly correct: number;
  readonly seen: number;
  /** Training seconds of the epoch so far. */
  readonly seconds: number;
}

/** Where training stands after an epoch (or within one): everything `fit` needs to resume exactly. */
export interface TrainingState {
  readonly history: readonly EpochLog[];
  /** Best monitored value so far and its epoch (from 1), when early stopping is on. */
  readonly best?: { readonly epoch: number; readonly value: number };
  /** Epochs since the best one. */
  readonly wait: number;
  /** Training seconds so far. */
  readonly seconds: number;
  /** Set when the checkpoint was taken within epoch `epoch + 1`: how far that epoch got. */
  readonly partial?: PartialEpoch;
}

/**
 * A training checkpoint as pure data (browser-safe). `epoch` = epochs completed; a checkpoint within the
 * next epoch has `state.partial`.
 */
export interface Checkpoint {
  readonly epoch: number;
  readonly artifacts: ModelArtifacts;
  readonly optimizer: OptimizerState;
  readonly state: TrainingState;
  /** The best weights so far, when early stopping restores them. */
  readonly bestWeights?: NamedWeights;
  /**
   * The training run this checkpoint belongs to (set by `checkpointDirectory({ runId })`): a resume
   * checks it, so one run never continues from another run's checkpoint.
   */
  readonly runId?: string;
}

export const CHECKPOINT_FILE = 'checkpoint.json';
export const OPTIMIZER_FILE = 'optimizer.bin';
export const BEST_WEIGHTS_FILE = 'best.bin';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function flatten(spec: Parameters<typeof weightLayout>[0], weights: NamedWeights): Float32Array {
  const { entries, totalSize } = weightLayout(spec);
  const byName = new Map(weights.map((w) => [w.name, w.values]));
  const out = new Float32Array(totalSize);
  for (const e of entries) out.set(byName.get(e.name)!, e.offset);
  return out;
}

/** The files of a checkpoint directory: the model files plus `optimizer.bin`, `best.bin` and `checkpoint.json`. */
export function checkpointFiles(checkpoint: Checkpoint): { name: string; bytes: Uint8Array }[] {
  const spec = checkpoint.artifacts.modelJson.userDefinedMetadata.gruvision.spec;
  const slotNames = Object.keys(checkpoint.optimizer.slots).sort();
  const slotBytes = slotNames.map((n) => toLittleEndianBytes(checkpoint.optimizer.slots[n]!));
  const optimizerBytes = new Uint8Array(slotBytes.reduce((s, b) => s + b.length, 0));
  let at = 0;
  for (const b of slotBytes) {
    optimizerBytes.set(b, at);
    at += b.length;
  }
  const json = {
    formatVersion: 1,
    epoch: checkpoint.epoch,
    ...(checkpoint.runId !== undefined ? { runId: checkpoint.runId } : {}),
    optimizer: {
      step: checkpoint.optimizer.step,
      slots: slotNames.map((n) => ({ name: n, size: checkpoint.optimizer.slots[n]!.length })),
    },
    state: checkpoint.state,
    bestWeights: checkpoint.bestWeights !== undefined,
  };
  const files = [
    { name: MODEL_FILE, bytes: encoder.encode(JSON.stringify(checkpoint.artifacts.modelJson)) },
    { name: WEIGHTS_FILE, bytes: checkpoint.artifacts.weightData },
    { name: OPTIMIZER_FILE, bytes: optimizerBytes },
  ];
  if (checkpoint.bestWeights !== undefined) {
    files.push({
      name: BEST_WEIGHTS_FILE,
      bytes: toLittleEndianBytes(flatten(spec, checkpoint.bestWeights)),
    });
  }
  files.push({ name: CHECKPOINT_FILE, bytes: encoder.encode(JSON.stringify(json)) });
  return files;
}

/**
 * Reads a checkpoint back from its files; `read(name)` returns a file's bytes or `undefined` when it is
 * missing. Every size is checked against the model spec before use.
 */
export async function checkpointFromFiles(
  read: (name: string) => Promise<Uint8Array | undefined>,
  where: string,
  limits?: ArtifactLimits,
): Promise<Checkpoint> {
  const bad = (file: string, problem: string): never => {
    throw new GruClassifierError(
      'CHECKPOINT_INVALID',
      `${where}/${file}: ${problem} Resume from an earlier checkpoint or start training again.`,
      { file: `${where}/${file}` },
    );
  };
  const need = async (name: string): Promise<Uint8Array> => (await read(name)) ?? bad(name, 'is missing.');
  const checkpointText = decoder.decode(await need(CHECKPOINT_FILE));
  if (jsonTextDepth(checkpointText, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    bad(CHECKPOINT_FILE, `nests deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(checkpointText);
  } catch {
    return bad(CHECKPOINT_FILE, 'is not valid JSON.');
  }
  const checked = v.safeParse(CheckpointJsonSchema, raw);
  if (!checked.success) return bad(CHECKPOINT_FILE, describeIssue(checked.issues, ''));
  const json = checked.output;
  const { epoch, optimizer: opt, state } = json;
  state.history.forEach((log, i) => {
    if (log.epoch !== i + 1)
      bad(CHECKPOINT_FILE, `state.history[${i}] is epoch ${log.epoch}, expected ${i + 1}.`);
  });
  if (state.history.length !== epoch) {
    bad(CHECKPOINT_FILE, `records ${state.history.length} epochs of history for epoch ${epoch}.`);
  }
  if (state.best !== undefined && state.best.epoch > epoch) {
    bad(CHECKPOINT_FILE, `names epoch ${state.best.epoch} as the best of ${epoch}.`);
  }
  const modelText = decoder.decode(await need(MODEL_FILE));
  const parsed = parseModelJson(modelText, `${where}/${MODEL_FILE}`, limits);
  const weightData = await need(WEIGHTS_FILE);
  if (weightData.byteLength !== parsed.totalBytes) {
    bad(WEIGHTS_FILE, `holds ${weightData.byteLength} bytes but model.json declares ${parsed.totalBytes}.`);
  }
  // Finite weights, as the model loader requires.
  weightsFromBytes(parsed, weightData, `${where}/${WEIGHTS_FILE}`);
  const { totalSize, entries } = weightLayout(parsed.metadata.spec);
  const slotList = opt.slots;
  const names = new Set<string>();
  for (const s of slotList) {
    if (names.has(s.name)) bad(CHECKPOINT_FILE, `lists optimizer slot "${s.name}" twice.`);
    names.add(s.name);
    if (s.size !== totalSize) {
      bad(
        CHECKPOINT_FILE,
        `optimizer slot ${JSON.stringify(s.name)} must have ${totalSize} values, one per parameter.`,
      );
    }
  }
  const optimizerBytes = await need(OPTIMIZER_FILE);
  if (optimizerBytes.byteLength !== slotList.length * totalSize * 4) {
    bad(
      OPTIMIZER_FILE,
      `holds ${optimizerBytes.byteLength} bytes, expected ${slotList.length * totalSize * 4}.`,
    );
  }
  const slots: Record<string, Float32Array> = {};
  slotList.forEach((s, i) => {
    const values = fromLittleEndianBytes(optimizerBytes.subarray(i * totalSize * 4, (i + 1) * totalSize * 4));
    const at = values.findIndex((x) => !Number.isFinite(x));
    if (at >= 0)
      bad(
        OPTIMIZER_FILE,
        `slot "${s.name}" holds ${values[at]} at index ${at}; optimizer state must be finite.`,
      );
    slots[s.name] = values;
  });
  let bestWeights: NamedWeight[] | undefined;
  if (json.bestWeights === true) {
    const bytes = await need(BEST_WEIGHTS_FILE);
    if (bytes.byteLength !== totalSize * 4)
      bad(BEST_WEIGHTS_FILE, `holds ${bytes.byteLength} bytes, expected ${totalSize * 4}.`);
    const flat = fromLittleEndianBytes(bytes);
    const at = flat.findIndex((x) => !Number.isFinite(x));
    if (at >= 0) bad(BEST_WEIGHTS_FILE, `holds ${flat[at]} at index ${at}; weights must be finite.`);
    bestWeights = entries.map((e) => ({
      name: e.name,
      shape: e.shape,
      values: flat.slice(e.offset, e.offset + e.size),
    }));
  }
  return {
    epoch,
    artifacts: { modelJson: parsed.modelJson, weightData },
    optimizer: { step: opt.step, slots },
    state: state as TrainingState,
    ...(bestWeights ? { bestWeights } : {}),
    ...(json.runId !== undefined ? { runId: json.runId } : {}),
  };
}
