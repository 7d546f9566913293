import * as tf from '@tensorflow/tfjs';
import { GruTfjsError } from './errors';
import { explicitHardSigmoids } from './keras-config';
import { layersRegistered } from './register-layers';

const registerHint =
  "Call registerLayers() from '@gruvision/tfjs' once before tf.loadLayersModel() (or loadModel()): it teaches tfjs Keras 3 GRUs (reset_after: true) and Keras 3 configs.";

function mentions(topology: unknown, pattern: RegExp): boolean {
  try {
    return topology != null && pattern.test(JSON.stringify(topology));
  } catch {
    return false;
  }
}

/**
 * Turns an error thrown while tfjs loads a layers model into a `GruTfjsError` that says what to do:
 * a GRU with `reset_after: true` or a Keras 3 config (`InputLayer` `batch_shape`, `DTypePolicy`)
 * without {@link registerLayers} → `LAYERS_NOT_REGISTERED`; weights that do not fit the topology →
 * `WEIGHTS_MISMATCH`; anything else → `MODEL_LOAD_FAILED` (with `cause`). `GruTfjsError`s pass
 * through unchanged. `modelTopology` (when known) sharpens the diagnosis.
 */
export function diagnoseLoadError(error: unknown, modelTopology?: unknown): GruTfjsError {
  if (GruTfjsError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const resetAfter = /reset_after/i.test(message) || mentions(modelTopology, /"reset_after":\s*true/);
  const keras3 =
    /InputLayer should be passed either a `batchInputShape`/.test(message) ||
    /DTypePolicy/.test(message) ||
    mentions(modelTopology, /"batch_shape"|"DTypePolicy"/);
  if (/hardSigmoidKeras3|hardSigmoidTfjs/i.test(message) && !layersRegistered()) {
    return new GruTfjsError(
      'LAYERS_NOT_REGISTERED',
      `This model names its hard sigmoid explicitly ("${message}"): hard_sigmoid_keras3 is clip(x/6 + 0.5) (Keras 3), ` +
        `hard_sigmoid_tfjs is clip(0.2x + 0.5) (tfjs, Keras 2); stock TensorFlow.js knows neither name. ${registerHint}`,
      { cause: error },
    );
  }
  if ((resetAfter || keras3) && !layersRegistered()) {
    const what = resetAfter
      ? 'This model has a GRU with reset_after: true (the Keras 3 / TF 2 default), which stock TensorFlow.js refuses'
      : 'This model.json was written by Keras 3 (InputLayer batch_shape / DTypePolicy), which stock TensorFlow.js cannot read';
    return new GruTfjsError('LAYERS_NOT_REGISTERED', `${what} ("${message}"). ${registerHint}`, {
      cause: error,
    });
  }
  if (/reset_after/i.test(message)) {
    return new GruTfjsError(
      'LAYERS_NOT_REGISTERED',
      `tfjs still refused a GRU with reset_after: true ("${message}") although registerLayers() was called: the model was deserialized by another copy of @tensorflow/tfjs. Make sure the app resolves a single @tensorflow/tfjs.`,
      { cause: error },
    );
  }
  if (
    /has no target variable|weights are not set|Shape mismatch|expected .*shape|Duplicate weight name/i.test(
      message,
    )
  ) {
    return new GruTfjsError(
      'WEIGHTS_MISMATCH',
      `The weights manifest does not match the model topology: ${message}. Keep model.json and its weights from the same save (or re-convert the model).`,
      { cause: error },
    );
  }
  return new GruTfjsError('MODEL_LOAD_FAILED', `Loading the model failed: ${message}`, { cause: error });
}

/** What {@link loadModel} decided about a file's `hard_sigmoid` (see `readHardSigmoid`). */
export interface HardSigmoidNote {
  /** `'hardSigmoidKeras3'`: clip(x/6 + 0.5) (Keras 3); `'hardSigmoid'`: clip(0.2x + 0.5) (tfjs, Keras 2). */
  readonly activation: 'hardSigmoid' | 'hardSigmoidKeras3';
  /** The evidence, e.g. `keras_version "3.6.0"`. */
  readonly reason: string;
  /** Names of the layers whose `activation` or `recurrent_activation` was `hard_sigmoid`. */
  readonly layers: readonly string[];
}

/** Options of {@link loadModel}: tfjs' load options and a way to hear which hard sigmoid was chosen. */
export interface LoadModelOptions extends tf.io.LoadOptions {
  /** Called once when the file uses `hard_sigmoid`, with the function it was read as and why. */
  readonly onHardSigmoid?: (note: HardSigmoidNote) => void;
}

/**
 * `tf.loadLayersModel` with errors a user can act on (see {@link diagnoseLoadError}). It does not
 * call {@link registerLayers} for you: registration changes how this tfjs instance deserializes
 * `GRU`, `Sequential` and functional models, so it stays an explicit, visible call.
 * A `hard_sigmoid` in the file is read as the writer meant it: clip(x/6 + 0.5) when `keras_version`
 * is 3.x (or, without a version, the config has the Keras 3 layout), else tfjs' clip(0.2x + 0.5);
 * `options.onHardSigmoid` hears which.
 */
export async function loadModel(
  source: string | tf.io.IOHandler,
  options?: LoadModelOptions,
): Promise<tf.LayersModel> {
  let handler: tf.io.IOHandler;
  if (typeof source === 'string') {
    const handlers = tf.io.getLoadHandlers(source, options);
    handler = handlers[0] ?? tf.io.browserHTTPRequest(source, options);
  } else handler = source;
  if (typeof handler.load !== 'function') {
    throw new GruTfjsError(
      'INVALID_ARGUMENT',
      'The IOHandler passed to loadModel() has no load() method. Pass a load handler.',
    );
  }
  let topology: unknown;
  const watching: tf.io.IOHandler = {
    load: async () => {
      const artifacts = await handler.load!();
      topology = artifacts.modelTopology;
      if (topology == null || topology instanceof ArrayBuffer) return artifacts;
      const explicit = explicitHardSigmoids(topology);
      if (explicit.layers.length > 0) {
        options?.onHardSigmoid?.({ ...explicit.reading, layers: explicit.layers });
      }
      return { ...artifacts, modelTopology: explicit.topology };
    },
  };
  try {
    return await tf.loadLayersModel(watching, options);
  } catch (error) {
    throw diagnoseLoadError(error, topology);
  }
}
