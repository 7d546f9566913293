import type {
  ModelSpec,
  NamedWeights,
  RecurrentActivation,
  RecurrentLayerSpec,
  ResolvedLayer,
} from '@gruvision/math';
import { isMinCell, resolveLayers } from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { GruTfjsError } from './errors';
import { KerasGRU } from './gru-layer';
import { registerGateActivations } from './hard-sigmoid';
import { MinGRU, MinLSTM } from './min-rnn-layer';
import { registerLayers } from './register-layers';
import { setNamedWeights } from './weights';

/** Options of {@link buildModel}. */
export interface BuildModelOptions {
  /** Initial weights in the canonical layout (e.g. `initializeWeights(spec, seed)` of `@gruvision/math`). */
  readonly weights?: NamedWeights;
}

/** The inner (wrapped) layer name of a bidirectional layer, e.g. `gru_1` from `bidirectional/forward_gru_1/kernel`. */
function innerName(layer: ResolvedLayer): string {
  const kernel = layer.directions[0]!.kernel;
  const segment = kernel.split('/')[1]!;
  return segment.slice('forward_'.length);
}

// Weights are always set from the canonical layout afterwards, so the layers get cheap initializers
// (tfjs' orthogonal initializer takes seconds for GRU-128).
const cheap = {
  kernelInitializer: 'zeros',
  recurrentInitializer: 'zeros',
  biasInitializer: 'zeros',
} as const;

type LayerSettings = Pick<
  ResolvedLayer,
  | 'cell'
  | 'units'
  | 'resetAfter'
  | 'recurrentActivation'
  | 'updateGate'
  | 'goBackwards'
  | 'dropout'
  | 'recurrentDropout'
  | 'returnSequences'
>;

type ActivationIdentifier = NonNullable<Parameters<typeof tf.layers.lstm>[0]['recurrentActivation']>;

/** The spec's gate activation as a tfjs activation name (`hardSigmoidKeras3` is registered on demand). */
function tfjsActivation(activation: RecurrentActivation): ActivationIdentifier {
  if (activation === 'hardSigmoidKeras3') registerGateActivations();
  return activation as ActivationIdentifier;
}

function recurrentLayer(
  layer: LayerSettings,
  name: string,
  inputShape: number[] | undefined,
): tf.layers.Layer {
  const common = {
    name,
    units: layer.units,
    returnSequences: layer.returnSequences,
    goBackwards: layer.goBackwards,
    dropout: layer.dropout,
    recurrentDropout: layer.recurrentDropout,
    ...cheap,
    ...(inputShape ? { inputShape } : {}),
  };
  switch (layer.cell) {
    case 'gru':
      // One layer for both forms. Stock tf.layers.gru differs from Keras under recurrent dropout: it
      // blends z with the masked previous state; KerasGRU (like Keras and the math core) with the unmasked one.
      return new KerasGRU({
        ...common,
        resetAfter: layer.resetAfter,
        updateGate: layer.updateGate,
        recurrentActivation: layer.recurrentActivation,
      });
    case 'lstm':
      return tf.layers.lstm({
        ...common,
        recurrentActivation: tfjsActivation(layer.recurrentActivation),
        unitForgetBias: false,
      });
    case 'simpleRnn':
      return tf.layers.simpleRNN({ ...common, activation: 'tanh' });
    case 'mingru':
      return new MinGRU(common);
    case 'minlstm':
      return new MinLSTM(common);
    default:
      throw new GruTfjsError('INVALID_ARGUMENT', `Unknown cell type ${JSON.stringify(layer.cell)}.`);
  }
}

/**
 * One (unidirectional) tfjs recurrent layer for a `RecurrentLayerSpec`: a {@link KerasGRU} (both
 * `resetAfter` forms) or a stock `tf.layers.lstm` / `simpleRNN`, with `recurrentActivation`
 * passed explicitly and zero initializers (set weights with `layer.setWeights`). Bidirectional
 * wrapping is {@link buildModel}'s job.
 */
export function buildRecurrentLayer(
  layer: RecurrentLayerSpec,
  options: { name?: string; returnSequences?: boolean; inputShape?: number[] } = {},
): tf.layers.Layer {
  if (layer.bidirectional) {
    throw new GruTfjsError(
      'INVALID_ARGUMENT',
      'buildRecurrentLayer builds one direction; wrap it with tf.layers.bidirectional or use buildModel for bidirectional layers.',
    );
  }
  const settings: LayerSettings = {
    cell: layer.cell,
    units: layer.units,
    resetAfter: layer.resetAfter ?? false,
    recurrentActivation: layer.recurrentActivation ?? 'sigmoid',
    updateGate: layer.updateGate ?? 'keepsOld',
    goBackwards: layer.goBackwards ?? false,
    dropout: layer.dropout ?? 0,
    recurrentDropout: layer.recurrentDropout ?? 0,
    returnSequences: options.returnSequences ?? false,
  };
  const fallback = {
    gru: 'gru',
    lstm: 'lstm',
    simpleRnn: 'simple_rnn',
    mingru: 'min_gru',
    minlstm: 'min_lstm',
  }[layer.cell];
  return recurrentLayer(settings, options.name ?? fallback, options.inputShape);
}

/**
 * Builds a `tf.Sequential` from a `ModelSpec`: the recurrent stack (GRU / LSTM / SimpleRNN,
 * bidirectional with `concat`), optional head dropout and a dense softmax head. Layer names are
 * those of `resolveLayers(spec)` so `model.weights` carry the canonical names (`gru/kernel`,
 * `bidirectional/forward_gru/bias`, `dense/kernel`, ...). `recurrentActivation` is always passed
 * explicitly. The layers are created with zero initializers; pass `options.weights` (for example
 * `initializeWeights(spec, seed)` from `@gruvision/math`) to set real initial weights.
 * A bidirectional GRU calls {@link registerLayers} (tfjs clones the wrapped
 * layer through its serialization registry).
 */
export function buildModel(spec: ModelSpec, options: BuildModelOptions = {}): tf.Sequential {
  const layers = resolveLayers(spec);
  // tfjs clones a bidirectional layer through its serialization registry; the minimal cells load from there too.
  if (layers.some((l) => (l.bidirectional && l.cell === 'gru') || isMinCell(l.cell))) registerLayers();
  const model = tf.sequential({ name: 'sequential' });
  layers.forEach((layer, i) => {
    const inputShape = i === 0 ? [spec.timeSteps, spec.features] : undefined;
    if (layer.bidirectional) {
      const inner = recurrentLayer(layer, innerName(layer), undefined);
      model.add(
        tf.layers.bidirectional({
          name: layer.name,
          layer: inner as Parameters<typeof tf.layers.bidirectional>[0]['layer'],
          mergeMode: 'concat',
          ...(inputShape ? { inputShape } : {}),
        }),
      );
    } else {
      model.add(recurrentLayer(layer, layer.name, inputShape));
    }
  });
  if ((spec.headDropout ?? 0) > 0)
    model.add(tf.layers.dropout({ name: 'head_dropout', rate: spec.headDropout! }));
  model.add(
    tf.layers.dense({
      name: 'dense',
      units: spec.classes,
      activation: 'softmax',
      kernelInitializer: 'zeros',
      biasInitializer: 'zeros',
    }),
  );
  if (options.weights) setNamedWeights(model, spec, options.weights);
  return model;
}
