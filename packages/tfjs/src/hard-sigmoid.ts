import * as tf from '@tensorflow/tfjs';

// Two functions are called "hard sigmoid": tfjs and Keras 2 use clip(0.2x + 0.5, 0, 1), Keras 3 (and
// PyTorch) clip(x/6 + 0.5, 0, 1). A file that says `hard_sigmoid` means the one of the program that
// wrote it. gruvision names them apart: `hardSigmoid` (0.2x, tfjs' own name) and `hardSigmoidKeras3`
// (x/6); files written by gruvision say `hard_sigmoid_tfjs` / `hard_sigmoid_keras3`, which no other
// reader mistakes for the other function (they refuse the unknown name instead).

/** tfjs' name of Keras 3's hard sigmoid once tfjs has camel-cased `hard_sigmoid_keras3`. */
export const HARD_SIGMOID_KERAS3 = 'hardSigmoidKeras3';
/** tfjs' name of gruvision's explicit 0.2x hard sigmoid once camel-cased (`hard_sigmoid_tfjs` in files). */
export const HARD_SIGMOID_TFJS = 'hardSigmoidTfjs';

/** clip(x/6 + 0.5, 0, 1) in tfjs ops (Keras 3 `hard_sigmoid`). */
export function hardSigmoidKeras3(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.clipByValue(tf.add(tf.div(x, 6), 0.5), 0, 1));
}

/** clip(0.2x + 0.5, 0, 1) in tfjs ops (tfjs / Keras 2 `hardSigmoid`). */
export function hardSigmoidTfjs(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1));
}

/** An activation class named `className` for stock tfjs layers (LSTM), which look activations up by class name. */
function activationClass(className: string, activation: (x: tf.Tensor) => tf.Tensor) {
  return class extends tf.serialization.Serializable {
    static className = className;
    apply(x: tf.Tensor): tf.Tensor {
      return activation(x);
    }
    getConfig(): tf.serialization.ConfigDict {
      return {};
    }
  };
}

/**
 * Teaches this tfjs instance the activation names `hardSigmoidKeras3` and `hardSigmoidTfjs` (so stock
 * recurrent layers accept them). Idempotent; called by `buildModel` and `registerLayers`.
 */
export function registerGateActivations(): void {
  const map = tf.serialization.SerializationMap.getMap().classNameMap;
  for (const [name, activation] of [
    [HARD_SIGMOID_KERAS3, hardSigmoidKeras3],
    [HARD_SIGMOID_TFJS, hardSigmoidTfjs],
  ] as const) {
    if (!map[name]) tf.serialization.registerClass(activationClass(name, activation));
  }
}

/** Which hard sigmoid a Keras file means by `hard_sigmoid`, and the evidence. */
export interface HardSigmoidReading {
  /** `'hardSigmoidKeras3'` (x/6) for a Keras 3 file, else `'hardSigmoid'` (0.2x: tfjs, Keras 2). */
  readonly activation: 'hardSigmoid' | 'hardSigmoidKeras3';
  /** Why, e.g. `keras_version "3.6.0"` or `Keras 3 config layout (InputLayer batch_shape)`. */
  readonly reason: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Keras 3 markers in a model or layer config (snake_case or camelCase): InputLayer batch_shape, DTypePolicy. */
function keras3Marker(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = keras3Marker(v);
      if (found) return found;
    }
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const className = value.class_name ?? value.className;
  const config = value.config;
  if (className === 'InputLayer' && isObject(config) && ('batch_shape' in config || 'batchShape' in config)) {
    return 'Keras 3 config layout (InputLayer batch_shape)';
  }
  if (className === 'DTypePolicy') return 'Keras 3 config layout (DTypePolicy dtype)';
  for (const v of Object.values(value)) {
    const found = keras3Marker(v);
    if (found) return found;
  }
  return undefined;
}

/**
 * Which hard sigmoid a Keras model file means by `hard_sigmoid`: its `keras_version` when given
 * (3.x → x/6; 2.x or `tfjs-layers …` → 0.2x), else the config layout (a Keras 3 `InputLayer`
 * `batch_shape` or `DTypePolicy` dtype → x/6), else 0.2x (tfjs and Keras 2 agree on it).
 * `topology` is a `modelTopology` (with `keras_version`), a `model_config`, or a layer config.
 */
export function readHardSigmoid(topology: unknown): HardSigmoidReading {
  if (isObject(topology)) {
    const version = topology.keras_version ?? topology.kerasVersion;
    if (typeof version === 'string' && version.length > 0) {
      const major = /^(\d+)\./.exec(version);
      if (major && Number(major[1]) >= 3) {
        return { activation: 'hardSigmoidKeras3', reason: `keras_version "${version}"` };
      }
      return { activation: 'hardSigmoid', reason: `keras_version "${version}"` };
    }
  }
  const marker = keras3Marker(topology);
  if (marker) return { activation: 'hardSigmoidKeras3', reason: marker };
  return {
    activation: 'hardSigmoid',
    reason: 'no Keras 3 marker (tfjs and Keras 2 read hard_sigmoid as 0.2x)',
  };
}
