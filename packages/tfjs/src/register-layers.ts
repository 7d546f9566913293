import * as tf from '@tensorflow/tfjs';
import { GruTfjsError } from './errors';
import { GRUVISION_GRU_CLASS, KerasGRU } from './gru-layer';
import { registerGateActivations } from './hard-sigmoid';
import { normalizeKerasConfig } from './keras-config';
import { MinGRU, MinLSTM } from './min-rnn-layer';
import { normalizeWeightNames } from './weight-names';

type ConfigDict = tf.serialization.ConfigDict;
type FromConfig = (
  cls: unknown,
  config: ConfigDict,
  customObjects?: ConfigDict,
  fastWeightInit?: boolean,
) => unknown;
type Entry = [tf.serialization.SerializableConstructor<tf.serialization.Serializable>, FromConfig];

const ours = Symbol.for('@gruvision/tfjs:fromConfig');
type Marked = FromConfig & { [ours]?: Entry };

/** A `tf.Sequential` that maps Keras / converter weight names onto its own before loading them. */
export class KerasCompatibleSequential extends tf.Sequential {
  static override className = 'Sequential';

  override loadWeights(weights: tf.NamedTensorMap, strict = true): void {
    super.loadWeights(normalizeWeightNames(this, weights), strict);
  }
}

/** A functional `tf.LayersModel` that maps Keras / converter weight names onto its own before loading them. */
export class KerasCompatibleModel extends tf.LayersModel {
  static override className = 'Model';

  override loadWeights(weights: tf.NamedTensorMap, strict = true): void {
    super.loadWeights(normalizeWeightNames(this, weights), strict);
  }
}

function classNameMap(): Record<string, Entry> {
  return tf.serialization.SerializationMap.getMap().classNameMap as unknown as Record<string, Entry>;
}

function override(className: string, make: (original: Entry) => FromConfig): void {
  const map = classNameMap();
  const current = map[className];
  if (!current) return;
  if ((current[1] as Marked)[ours]) return; // already registered: idempotent
  const fromConfig = make(current) as Marked;
  fromConfig[ours] = current;
  map[className] = [current[0], fromConfig];
}

/** Whether {@link registerLayers} has run in this tfjs instance. */
export function layersRegistered(): boolean {
  const entry = classNameMap().GRU;
  return entry !== undefined && (entry[1] as Marked)[ours] !== undefined;
}

/**
 * Teaches this tfjs instance's layer deserialization to open Keras 3 / TensorFlow.js-converter models:
 * - class `GRU` with `reset_after: true` becomes a {@link KerasGRU} (stock tfjs throws
 *   "GRUCell does not support reset_after parameter set to true"), and so does a `reset_after: false`
 *   GRU (one layer for both forms, blending with the unmasked state under recurrent dropout as Keras does);
 * - `Sequential` / `Functional` / `Model` configs are normalized first: Keras 3 `InputLayer` `batch_shape`,
 *   `DTypePolicy` objects, `OrthogonalInitializer`, Keras 3 functional `inbound_nodes`;
 * - weight names written by the converter from `.h5` (`sequential/gru/gru_cell/kernel`) and `.keras`
 *   (`layers/gru/cell/vars/0`) files are mapped onto the model's own names when weights load.
 * - classes `MinGRU` and `MinLSTM` (the `mingru` / `minlstm` cells) are registered.
 * Explicit and idempotent: importing `@gruvision/tfjs` changes nothing until this is called.
 */
export function registerLayers(): void {
  registerGateActivations();
  // The minimal cells (classes `MinGRU`, `MinLSTM`) for gruvision artifacts and bidirectional wrapping.
  const map = classNameMap();
  if (!map[MinGRU.className]) tf.serialization.registerClass(MinGRU);
  if (!map[MinLSTM.className]) tf.serialization.registerClass(MinLSTM);
  override('GRU', (original) => (cls, config, customObjects, fastWeightInit) => {
    const normalized = normalizeKerasConfig(config) as ConfigDict;
    // Every GRU becomes a KerasGRU (one layer for both forms, Keras' recurrent-dropout semantics);
    // a reset_after: false GRU that KerasGRU cannot express (an unusual activation) stays stock.
    try {
      return new KerasGRU(normalized as never);
    } catch (error) {
      if (normalized.resetAfter === true || !GruTfjsError.isInstance(error)) throw error;
      return original[1](cls ?? original[0], normalized, customObjects, fastWeightInit);
    }
  });
  // A founding-form GRU (`updateGate: 'takesNew'`, written by gruvision as class GruvisionGRU).
  if (!map[GRUVISION_GRU_CLASS]) {
    map[GRUVISION_GRU_CLASS] = [
      KerasGRU as never,
      ((_cls: unknown, config: ConfigDict) =>
        new KerasGRU({
          ...(normalizeKerasConfig(config) as object),
          updateGate: 'takesNew',
        } as never)) as FromConfig,
    ];
  }
  override(
    'Sequential',
    (original) => (_cls, config, customObjects, fastWeightInit) =>
      original[1](
        KerasCompatibleSequential,
        normalizeKerasConfig(config) as ConfigDict,
        customObjects,
        fastWeightInit,
      ),
  );
  for (const className of ['Model', 'Functional']) {
    override(
      className,
      (original) => (_cls, config, customObjects, fastWeightInit) =>
        original[1](
          KerasCompatibleModel,
          normalizeKerasConfig(config) as ConfigDict,
          customObjects,
          fastWeightInit,
        ),
    );
  }
}
