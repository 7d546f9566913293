import * as tf from '@tensorflow/tfjs';
import type { ModelArtifacts } from '../artifact';

/** Opens a model's artifacts in plain `tf.loadLayersModel`, as a tfjs user opens the saved files. */
export function loadInPlainTfjs({ modelJson, weightData }: ModelArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology as unknown as tf.io.ModelJSON['modelTopology'],
      weightSpecs: modelJson.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[],
      weightData: weightData.slice().buffer,
    }),
  );
}
