import type { ModelSpec, RecurrentActivation, ResolvedLayer } from '@gruvision/math';
import { DENSE_LAYER_NAME, isMinCell, resolveLayers } from '@gruvision/math';

/** A Keras layer config entry of a `Sequential` model topology. */
export interface KerasLayerJson {
  readonly class_name: string;
  readonly config: Record<string, unknown>;
}

/** The Keras-style `modelTopology` of a layers-model `model.json`. */
export interface ModelTopologyJson {
  readonly class_name: 'Sequential';
  readonly config: { readonly name: string; readonly layers: KerasLayerJson[] };
  readonly keras_version: string;
  readonly backend: string;
}

const glorotUniform = { class_name: 'GlorotUniform', config: { seed: null } };
const orthogonal = { class_name: 'Orthogonal', config: { gain: 1, seed: null } };
const zeros = { class_name: 'Zeros', config: {} };

const kerasClass = {
  gru: 'GRU',
  lstm: 'LSTM',
  simpleRnn: 'SimpleRNN',
  // Custom layers of @gruvision/tfjs (`registerLayers()`).
  mingru: 'MinGRU',
  minlstm: 'MinLSTM',
} as const;

/**
 * The file name of each gate activation. `hard_sigmoid` alone means clip(0.2x + 0.5) to tfjs and
 * Keras 2 but clip(x/6 + 0.5) to Keras 3, so gruvision never writes it: the explicit names are read
 * alike by gruvision (`registerLayers()` of @gruvision/tfjs) and refused as unknown by everyone else.
 * Artifacts written before this change say `hard_sigmoid` for `'hardSigmoid'` (0.2x); see `checkTopology`.
 */
export const ACTIVATION_FILE_NAMES: Readonly<Record<RecurrentActivation, string>> = {
  sigmoid: 'sigmoid',
  hardSigmoid: 'hard_sigmoid_tfjs',
  hardSigmoidKeras3: 'hard_sigmoid_keras3',
};

function recurrentConfig(layer: ResolvedLayer, name: string): Record<string, unknown> {
  if (isMinCell(layer.cell)) {
    // `MinGRU` / `MinLSTM` of @gruvision/tfjs: no recurrent kernel, no gate options.
    return {
      name,
      trainable: true,
      dtype: 'float32',
      units: layer.units,
      dropout: layer.dropout,
      return_sequences: layer.returnSequences,
      return_state: false,
      go_backwards: layer.goBackwards,
      stateful: false,
    };
  }
  const config: Record<string, unknown> = {
    name,
    trainable: true,
    dtype: 'float32',
    units: layer.units,
    activation: 'tanh',
  };
  if (layer.cell !== 'simpleRnn') {
    config.recurrent_activation = ACTIVATION_FILE_NAMES[layer.recurrentActivation];
  }
  Object.assign(config, {
    use_bias: true,
    kernel_initializer: glorotUniform,
    recurrent_initializer: orthogonal,
    bias_initializer: zeros,
    kernel_regularizer: null,
    recurrent_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    recurrent_constraint: null,
    bias_constraint: null,
    dropout: layer.dropout,
    recurrent_dropout: layer.recurrentDropout,
    return_sequences: layer.returnSequences,
    return_state: false,
    go_backwards: layer.goBackwards,
    stateful: false,
    unroll: false,
  });
  if (layer.cell === 'gru') {
    config.implementation = 1;
    config.reset_after = layer.resetAfter;
    if (layer.updateGate === 'takesNew') config.update_gate = 'takes_new';
  }
  if (layer.cell === 'lstm') {
    config.implementation = 1;
    config.unit_forget_bias = layer.unitForgetBias;
  }
  return config;
}

/**
 * The Keras `Sequential` topology of a `ModelSpec`, as tfjs' `model.toJSON()` writes it: recurrent
 * layers (wrapped in `Bidirectional` when asked), an optional `Dropout`, and a softmax `Dense` head.
 * Layer names match `weightLayout(spec)`, so `tf.loadLayersModel` finds every weight by name.
 */
export function modelTopology(spec: ModelSpec): ModelTopologyJson {
  const layers: KerasLayerJson[] = [];
  for (const layer of resolveLayers(spec)) {
    // Keras has no founding-form GRU (z = 1 takes the new candidate): its own class name makes every
    // other reader refuse it rather than run it as a standard GRU; @gruvision/tfjs registerLayers() reads it.
    const className =
      layer.cell === 'gru' && layer.updateGate === 'takesNew' ? 'GruvisionGRU' : kerasClass[layer.cell];
    let entry: KerasLayerJson;
    if (layer.bidirectional) {
      const inner = layer.directions[0]!.kernel.split('/')[1]!.replace(/^forward_/, '');
      entry = {
        class_name: 'Bidirectional',
        config: {
          name: layer.name,
          trainable: true,
          dtype: 'float32',
          layer: { class_name: className, config: recurrentConfig(layer, inner) },
          merge_mode: 'concat',
        },
      };
    } else {
      entry = { class_name: className, config: recurrentConfig(layer, layer.name) };
    }
    if (layer.index === 0) entry.config.batch_input_shape = [null, spec.timeSteps, spec.features];
    layers.push(entry);
  }
  if ((spec.headDropout ?? 0) > 0) {
    layers.push({
      class_name: 'Dropout',
      config: {
        name: 'dropout',
        trainable: true,
        dtype: 'float32',
        rate: spec.headDropout,
        noise_shape: null,
        seed: null,
      },
    });
  }
  layers.push({
    class_name: 'Dense',
    config: {
      name: DENSE_LAYER_NAME,
      trainable: true,
      dtype: 'float32',
      units: spec.classes,
      activation: 'softmax',
      use_bias: true,
      kernel_initializer: glorotUniform,
      bias_initializer: zeros,
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    },
  });
  return {
    class_name: 'Sequential',
    config: { name: 'sequential', layers },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
}
