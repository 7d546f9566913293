import type { GruMathErrorCode } from '../errors';
import type { ModelSpec } from '../spec';

/** What a parallel worker receives as `workerData`. */
export interface WorkerInit {
  readonly spec: ModelSpec;
  /** Index of this worker (0-based). */
  readonly index: number;
  /** The shared parameters (Float32, canonical layout), owned and updated by the main thread. */
  readonly params: SharedArrayBuffer;
  /**
   * One gradient buffer per reduction shard (Float32, canonical layout, `REDUCTION_SHARDS` of them,
   * shared by all workers); a worker writes the buffers of the shards it is given.
   */
  readonly grads: readonly SharedArrayBuffer[];
}

/** Shared buffers a request refers to (replaced by bigger ones when a batch outgrows them). */
export interface SharedInputs {
  /** Inputs `[batch, T, F]` (Float32). */
  readonly x: SharedArrayBuffer;
  /** Labels `[batch]` (Int32). */
  readonly y: SharedArrayBuffer;
  /** Per-sample loss weights `[batch]` (Float32), read when a request is `weighted`. */
  readonly weights: SharedArrayBuffer;
  /** Whole-batch dropout uniforms (Float64), see `drawDropoutUniforms`. */
  readonly uniforms: SharedArrayBuffer;
  /** Probabilities `[batch, C]` written by `predict` (Float32). */
  readonly probs: SharedArrayBuffer;
}

export type WorkerRequest =
  | {
      readonly type: 'train';
      readonly id: number;
      readonly buffers: SharedInputs;
      readonly batch: number;
      /** The batch's non-empty reduction shards: index, first sample, sample count (the same list to every worker). */
      readonly shards: readonly { readonly index: number; readonly start: number; readonly size: number }[];
      /**
       * The shard queue of this batch: one Int32, the position in `shards` of the next shard nobody took.
       * Every worker takes shards with `Atomics.add` until the list is used up, so a worker that gets less
       * CPU computes fewer shards instead of holding up the step.
       */
      readonly queue: SharedArrayBuffer;
      /** Whether dropout uniforms were drawn for this batch. */
      readonly dropout: boolean;
      readonly labelSmoothing: number;
      /** Whether `buffers.weights` holds this batch's loss weights (else every sample weighs 1). */
      readonly weighted: boolean;
    }
  | {
      readonly type: 'predict';
      readonly id: number;
      readonly buffers: SharedInputs;
      readonly start: number;
      readonly size: number;
    };

export type WorkerReply =
  | { readonly type: 'ready' }
  | {
      readonly type: 'trained';
      readonly id: number;
      /** Per computed shard, in request order. */
      readonly results: readonly {
        readonly index: number;
        readonly loss: number;
        readonly correct: number;
      }[];
    }
  | { readonly type: 'predicted'; readonly id: number }
  | {
      readonly type: 'error';
      readonly id: number;
      readonly name: string;
      readonly message: string;
      readonly code?: GruMathErrorCode;
    };
