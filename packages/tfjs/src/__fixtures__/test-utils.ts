// Helpers shared by the test files (not exported from the package).
import type { ModelSpec, NamedWeight } from '@gruvision/math';
import { Rng, weightLayout } from '@gruvision/math';

/** Both backends that run in Node without tfjs-node; every tfjs suite runs on each. */
export const testBackends = ['cpu', 'wasm'] as const;

/** Deterministic weights in the canonical layout, uniform in [-scale, scale). */
export function randomWeights(spec: ModelSpec, seed: number, scale = 0.5): NamedWeight[] {
  const rng = new Rng(seed);
  return weightLayout(spec).entries.map((e) => ({
    name: e.name,
    shape: [...e.shape],
    values: Float32Array.from({ length: e.size }, () => rng.uniform(-scale, scale)),
  }));
}

/** Deterministic inputs `[n]`, uniform in [-1, 1). */
export function randomInputs(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** Largest absolute difference of two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} !== ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const hardSigmoid = (x: number): number => Math.min(1, Math.max(0, 0.2 * x + 0.5));
/** Keras 3: `relu6(x + 3) / 6`. */
const hardSigmoidKeras3 = (x: number): number => Math.min(6, Math.max(0, x + 3)) / 6;

/**
 * Float64 reference of one GRU layer written straight from the equations in docs/ARCHITECTURE.md
 * (not from any engine):
 * `x [B,T,I]` → hidden states `[B,T,u]`. Gate blocks z | r | h.
 */
export function referenceGru(
  x: ArrayLike<number>,
  dims: { B: number; T: number; I: number; u: number },
  w: { kernel: ArrayLike<number>; recurrentKernel: ArrayLike<number>; bias: ArrayLike<number> },
  options: {
    resetAfter: boolean;
    hard?: boolean;
    keras3?: boolean;
    takesNew?: boolean;
    /** Dropout masks (with the 1/(1−p) scale): inputs `[B,I]`, the state entering the recurrent products `[B,u]`. */
    inputMask?: ArrayLike<number>;
    recurrentMask?: ArrayLike<number>;
  },
): Float64Array {
  const { B, T, I, u } = dims;
  const g = 3 * u;
  const act = options.keras3 ? hardSigmoidKeras3 : options.hard ? hardSigmoid : sigmoid;
  const out = new Float64Array(B * T * u);
  const im = (b: number, i: number): number => (options.inputMask ? options.inputMask[b * I + i]! : 1);
  const rm = (b: number, k: number): number =>
    options.recurrentMask ? options.recurrentMask[b * u + k]! : 1;
  for (let b = 0; b < B; b++) {
    let h = new Float64Array(u);
    for (let t = 0; t < T; t++) {
      const xw = new Float64Array(g);
      const hu = new Float64Array(g);
      for (let j = 0; j < g; j++) {
        let s = options.resetAfter ? w.bias[j]! : w.bias[j]!;
        for (let i = 0; i < I; i++) s += x[(b * T + t) * I + i]! * im(b, i) * w.kernel[i * g + j]!;
        xw[j] = s;
        let r = options.resetAfter ? w.bias[g + j]! : 0;
        for (let k = 0; k < u; k++) r += h[k]! * rm(b, k) * w.recurrentKernel[k * g + j]!;
        hu[j] = r;
      }
      const next = new Float64Array(u);
      const z = new Float64Array(u);
      const rg = new Float64Array(u);
      for (let k = 0; k < u; k++) {
        z[k] = act(xw[k]! + hu[k]!);
        rg[k] = act(xw[u + k]! + hu[u + k]!);
      }
      for (let k = 0; k < u; k++) {
        let cand: number;
        if (options.resetAfter) cand = Math.tanh(xw[2 * u + k]! + rg[k]! * hu[2 * u + k]!);
        else {
          let s = xw[2 * u + k]!;
          for (let m = 0; m < u; m++) s += rg[m]! * h[m]! * rm(b, m) * w.recurrentKernel[m * g + 2 * u + k]!;
          cand = Math.tanh(s);
        }
        // Keras: z = 1 keeps the old state; the founding text (takesNew): z = 1 takes the candidate.
        next[k] = options.takesNew ? (1 - z[k]!) * h[k]! + z[k]! * cand : z[k]! * h[k]! + (1 - z[k]!) * cand;
      }
      h = next;
      out.set(h, (b * T + t) * u);
    }
  }
  return out;
}

const policy = (name = 'float32') => ({
  module: 'keras',
  class_name: 'DTypePolicy',
  config: { name },
  registered_name: null,
});

const initializer = (className: string, config: object = {}) => ({
  module: 'keras.initializers',
  class_name: className,
  config,
  registered_name: null,
});

/** A Keras 3 `GRU` layer config as `model.to_json()` writes it (snake_case, DTypePolicy, initializer objects). */
export function keras3GruConfig(name: string, units: number, extra: object = {}): object {
  return {
    name,
    trainable: true,
    dtype: policy(),
    return_sequences: false,
    return_state: false,
    go_backwards: false,
    stateful: false,
    unroll: false,
    zero_output_for_mask: false,
    units,
    activation: 'tanh',
    recurrent_activation: 'sigmoid',
    use_bias: true,
    kernel_initializer: initializer('GlorotUniform', { seed: null }),
    recurrent_initializer: initializer('OrthogonalInitializer', { gain: 1.0, seed: null }),
    bias_initializer: initializer('Zeros'),
    kernel_regularizer: null,
    recurrent_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    recurrent_constraint: null,
    bias_constraint: null,
    dropout: 0.0,
    recurrent_dropout: 0.0,
    reset_after: true,
    seed: null,
    ...extra,
  };
}

/**
 * A `model.json` + weights file the way the TensorFlow.js converter writes a Keras 3 Sequential
 * `InputLayer → GRU(reset_after=True) [→ Bidirectional(GRU)] → Dense(softmax)` model.
 * `style: 'h5'`: weights named `sequential/gru/gru_cell/kernel`, manifest sorted by name, shard
 * `group1-shard1of1.bin`; `style: 'keras'`: weights named `layers/gru/cell/vars/0`.
 * `weights` are in the canonical layout (`gru/kernel`, ..., `dense/bias`).
 */
export function keras3ModelFiles(
  dims: { T: number; F: number; units: number; classes: number; bidirectionalUnits?: number },
  weights: readonly { name: string; shape: readonly number[]; values: Float32Array }[],
  style: 'h5' | 'keras',
  /** Extra keys of the first GRU's config, e.g. `{ recurrent_activation: 'hard_sigmoid', reset_after: false }`. */
  gru: object = {},
): { modelJson: object; weightData: ArrayBuffer; shard: string } {
  const { T, F, units, classes, bidirectionalUnits } = dims;
  const layers: object[] = [
    {
      module: 'keras.layers',
      class_name: 'InputLayer',
      config: { batch_shape: [null, T, F], dtype: 'float32', sparse: false, name: 'input_layer' },
      registered_name: null,
    },
    {
      module: 'keras.layers',
      class_name: 'GRU',
      config: keras3GruConfig('gru', units, {
        ...(bidirectionalUnits ? { return_sequences: true } : {}),
        ...gru,
      }),
      registered_name: null,
      build_config: { input_shape: [null, T, F] },
    },
  ];
  if (bidirectionalUnits) {
    const inner = { module: 'keras.layers', class_name: 'GRU', registered_name: null };
    layers.push({
      module: 'keras.layers',
      class_name: 'Bidirectional',
      config: {
        name: 'bidirectional',
        trainable: true,
        dtype: policy(),
        merge_mode: 'concat',
        layer: { ...inner, config: keras3GruConfig('forward_gru_1', bidirectionalUnits) },
        backward_layer: {
          ...inner,
          config: keras3GruConfig('backward_gru_1', bidirectionalUnits, { go_backwards: true }),
        },
      },
      registered_name: null,
      build_config: { input_shape: [null, T, units] },
    });
  }
  layers.push({
    module: 'keras.layers',
    class_name: 'Dense',
    config: {
      name: 'dense',
      trainable: true,
      dtype: policy(),
      units: classes,
      activation: 'softmax',
      use_bias: true,
      kernel_initializer: initializer('GlorotUniform', { seed: null }),
      bias_initializer: initializer('Zeros'),
      kernel_regularizer: null,
      bias_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      lora_rank: null,
    },
    registered_name: null,
    build_config: { input_shape: [null, bidirectionalUnits ? 2 * bidirectionalUnits : units] },
  });
  const rename = (name: string): string => {
    const [layer, ...rest] = name.split('/');
    const leaf = rest[rest.length - 1]!;
    if (style === 'h5') {
      if (layer === 'dense') return `sequential/dense/${leaf}`;
      if (layer === 'bidirectional') return `sequential/bidirectional/${rest[0]}/gru_cell/${leaf}`;
      return `sequential/${layer}/gru_cell/${leaf}`;
    }
    const index = ['kernel', 'recurrent_kernel', 'bias'].indexOf(leaf);
    if (layer === 'dense') return `layers/dense/vars/${leaf === 'kernel' ? 0 : 1}`;
    if (layer === 'bidirectional') {
      const side = rest[0]!.startsWith('forward') ? 'forward_layer' : 'backward_layer';
      return `layers/bidirectional/${side}/cell/vars/${index}`;
    }
    return `layers/${layer}/cell/vars/${index}`;
  };
  const entries = weights.map((w) => ({
    name: rename(w.name),
    shape: [...w.shape],
    dtype: 'float32',
    values: w.values,
  }));
  if (style === 'h5') entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  const shard = 'group1-shard1of1.bin';
  const modelJson = keras3ModelJson(
    {
      class_name: 'Sequential',
      config: {
        name: 'sequential',
        trainable: true,
        dtype: policy(),
        layers,
        build_input_shape: [null, T, F],
      },
    },
    entries,
    shard,
  );
  return { modelJson, weightData: concatValues(entries), shard };
}

/**
 * The `model.json` the TensorFlow.js converter writes for a Keras 3 model: its header, `modelConfig` and a
 * one-shard manifest of `weights` (names and shapes, float32) in file order.
 */
export function keras3ModelJson(
  modelConfig: object,
  weights: readonly { name: string; shape: readonly number[] }[],
  shard = 'group1-shard1of1.bin',
): object {
  return {
    format: 'layers-model',
    generatedBy: 'keras v3.6.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: { keras_version: '3.6.0', backend: 'tensorflow', model_config: modelConfig },
    weightsManifest: [
      {
        paths: [shard],
        weights: weights.map(({ name, shape }) => ({ name, shape: [...shape], dtype: 'float32' })),
      },
    ],
  };
}

/** The weights' values one after another: the contents of a one-shard weights file. */
export function concatValues(weights: readonly { values: Float32Array }[]): ArrayBuffer {
  const data = new Float32Array(weights.reduce((n, w) => n + w.values.length, 0));
  let offset = 0;
  for (const w of weights) {
    data.set(w.values, offset);
    offset += w.values.length;
  }
  return data.buffer;
}
