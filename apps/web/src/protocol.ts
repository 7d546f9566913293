/** The engines the page can run a model on. `math` runs in the inference Web Worker like the rest. */
export const engineChoices = ['math', 'tfjs-webgl', 'tfjs-wasm', 'tfjs-cpu'] as const;
export type EngineChoice = (typeof engineChoices)[number];

export function isEngineChoice(value: string): value is EngineChoice {
  return (engineChoices as readonly string[]).includes(value);
}

/** A grayscale image, one byte per pixel, row-major (0 = black). */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

/** An image to classify: interleaved 8-bit pixels with 1 (gray), 3 (RGB) or 4 (RGBA) channels, as `RawImage`. */
export interface InputImage extends GrayImage {
  readonly channels: 1 | 3 | 4;
}

/** A model as the two files of its artifact directory. */
export interface ModelFiles {
  readonly modelJson: unknown;
  readonly weightData: Uint8Array;
}

/** A model file from the PyTorch side (`torch.onnx.export`, a safetensors state dict, or `gruvision export`). */
export interface ForeignModel {
  readonly format: 'onnx' | 'safetensors';
  /** The file's name, for messages. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Where the inference worker gets a model from. */
export type ModelSource =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'files'; readonly files: ModelFiles }
  | { readonly kind: 'foreign'; readonly model: ForeignModel };

/** What the page shows about the loaded model. */
export interface ModelInfo {
  /** Which load of the worker this is: every loaded model gets a new id. */
  readonly id: number;
  readonly classNames: readonly string[];
  readonly engine: EngineChoice;
  readonly timeSteps: number;
  readonly units: number;
  /** The first layer's cell: `gru`, `lstm`, `simpleRnn`, `mingru` or `minlstm`. */
  readonly cell: string;
  /** The first layer's update-gate convention: `'keepsOld'` (Keras) or `'takesNew'` (the founding text). */
  readonly updateGate: 'keepsOld' | 'takesNew';
  readonly parameters: number;
  /** Input image size the model expects. */
  readonly height: number;
  readonly width: number;
  /** `true` when the model centres digit drawings MNIST-style before reading them. */
  readonly centresDigits: boolean;
}

/** One heatmap of a layer: a gate or a state, `[timeSteps, units]`, with its colour scale's range. */
export interface GatePanel {
  /** `z`, `r`, `i`, `f`, `o`, `hCandidate` or `h`. */
  readonly key: string;
  readonly caption: string;
  readonly values: Float32Array;
  readonly min: number;
  readonly max: number;
}

/** The first recurrent layer's gates and state, as the pictures the page shows. */
export interface GateTrace {
  readonly timeSteps: number;
  readonly units: number;
  /** `gru`, `lstm`, `simpleRnn`, `mingru` or `minlstm`. */
  readonly cell: string;
  /** The heatmaps to draw, in order (e.g. GRU z, r, h; minGRU z, h̃, h). */
  readonly panels: readonly GatePanel[];
  /** The hidden state `[timeSteps, units]` (also a panel): the unit order is computed from it. */
  readonly h: Float32Array;
  /** Class probabilities after each step, `[timeSteps, classes]`. */
  readonly stepProbabilities: Float32Array;
}

/** One classification. */
export interface Classification {
  /** The model (`ModelInfo.id`) and engine that really ran. */
  readonly modelId: number;
  readonly engine: EngineChoice;
  /** The image the model actually read (after centring / resizing), as gray bytes. */
  readonly input: GrayImage;
  readonly probabilities: Float32Array;
  /** Wall time in the worker (preparing the image, then prediction and gate trace in one pass), in ms. */
  readonly workerMs: number;
  readonly trace: GateTrace;
}

export interface InferenceProtocol {
  requests: {
    load: { params: { source: ModelSource; engine: EngineChoice }; result: ModelInfo };
    classify: { params: { image: InputImage }; result: Classification };
  };
  events: Record<string, never>;
}

/** Options of a training run in the browser. */
export interface TrainOptions {
  /** URL of the MNIST subset image pack. */
  readonly dataUrl: string;
  readonly units: number;
  /** Images used (the first N of the pack); 10% of them are held out for validation. */
  readonly samples: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
}

/** Progress of a training run, sent every few batches. */
export interface TrainProgress {
  readonly epoch: number;
  readonly epochs: number;
  /** Batches done so far, over all epochs. */
  readonly step: number;
  readonly batchesPerEpoch: number;
  readonly totalSteps: number;
  /** Mean batch loss over the batches since the last report. */
  readonly loss: number;
  /** Training accuracy of the epoch so far (the classifier's running mean), averaged the same way. */
  readonly accuracy: number;
}

/** The end of an epoch: its training means, the held-out scores, and the gates of one held-out image. */
export interface TrainEpoch {
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss: number;
  readonly valAccuracy: number;
  /** Gates and state of the model being trained, reading the first held-out image. */
  readonly trace: GateTrace;
  /** That image (the model's input), gray bytes. */
  readonly input: GrayImage;
}

/** What a finished (or stopped) run gives back. */
export interface TrainResult {
  readonly files: ModelFiles;
  readonly stopped: boolean;
  readonly steps: number;
  readonly validationAccuracy: number;
  readonly seconds: number;
}

export interface TrainProtocol {
  requests: {
    train: { params: TrainOptions; result: TrainResult };
    stop: { params: null; result: null };
  };
  events: { progress: TrainProgress; epoch: TrainEpoch };
}
