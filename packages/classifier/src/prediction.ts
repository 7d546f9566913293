import type { RawImage } from '@gruvision/data';
import type { LayerTrace } from '@gruvision/math';

/** One class and its probability. */
export interface ClassProbability {
  readonly label: number;
  readonly className: string;
  readonly probability: number;
}

/** The prediction for one image: the most probable class and the top-k list. */
export interface Prediction extends ClassProbability {
  readonly top: readonly ClassProbability[];
  /** All class probabilities, `[classes]`. */
  readonly probabilities: Float32Array;
}

/** How the model read one image, step by step. */
export interface Explanation {
  readonly timeSteps: number;
  readonly features: number;
  /** The image as the model saw it (after preprocessing and resizing). */
  readonly image: RawImage;
  /** The sequence fed to the network, `[T, F]`. */
  readonly sequence: Float32Array;
  /** Per recurrent layer (and direction): hidden state and gates after each step, `[T, units]` each. */
  readonly layers: readonly LayerTrace[];
  /** Class probabilities the head gives after each step, `[T, classes]`. */
  readonly stepProbabilities: Float32Array;
  /** The most probable class after each step. */
  readonly steps: readonly ClassProbability[];
  readonly prediction: Prediction;
}
