import * as tf from '@tensorflow/tfjs';
import { GruTfjsError } from './errors';
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

/**
 * `tf.loadLayersModel` with errors a user can act on (see {@link diagnoseLoadError}). It does not
 * call {@link registerLayers} for you: registration changes how this tfjs instance deserializes
 * `GRU`, `Sequential` and functional models, so it stays an explicit, visible call.
 */
export async function loadModel(
  source: string | tf.io.IOHandler,
  options?: tf.io.LoadOptions,
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
      return artifacts;
    },
  };
  try {
    return await tf.loadLayersModel(watching, options);
  } catch (error) {
    throw diagnoseLoadError(error, topology);
  }
}
