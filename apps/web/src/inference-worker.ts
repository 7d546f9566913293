// Runs the classifier off the main thread: loads a model on the chosen engine, prepares each image the
// way the model was trained (MNIST centring for digit models), predicts (timed) and traces the GRU.
import { GruClassifier } from '@gruvision/classifier';
import type { ImageSet, RawImage } from '@gruvision/data';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { fetchModelFiles } from './model-files';
import type { Classification, EngineChoice, InferenceProtocol, ModelInfo, ModelSource } from './protocol';
import { type Port, serve, type WithTransfer, withTransfer } from './rpc';

let loaded: { model: GruClassifier; info: ModelInfo } | null = null;

/**
 * Starts the tfjs backend of a choice (imported only when first chosen), with the wasm binaries
 * bundled by Vite and served by this site, never by a CDN. The classifier then resolves the engine
 * by name and finds the backend ready.
 */
async function prepareEngine(choice: EngineChoice): Promise<void> {
  if (choice === 'math') return;
  const backend = choice === 'tfjs-webgl' ? 'webgl' : choice === 'tfjs-wasm' ? 'wasm' : 'cpu';
  const tfjs = await import('@gruvision/tfjs');
  await tfjs.initBackend(backend, {
    wasmPaths: {
      'tfjs-backend-wasm.wasm': wasmUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    },
  });
}

async function load(source: ModelSource, choice: EngineChoice): Promise<ModelInfo> {
  const files = source.kind === 'url' ? await fetchModelFiles(source.url) : source.files;
  await prepareEngine(choice);
  const model = await GruClassifier.fromArtifacts(files, { engine: choice });
  loaded?.model.dispose();
  const info: ModelInfo = {
    classNames: model.classNames,
    engine: choice,
    timeSteps: model.spec.timeSteps,
    units: model.spec.layers[0]!.units,
    updateGate: model.spec.layers[0]!.updateGate ?? 'keepsOld',
    parameters: model.parameterCount,
    height: model.input.height,
    width: model.input.width,
    centresDigits: model.preprocess === 'mnist',
  };
  loaded = { model, info };
  return info;
}

async function classify(image: RawImage): Promise<WithTransfer<Classification>> {
  if (!loaded) throw new Error('No model is loaded yet: wait for “Ready” or pick a model.');
  const { model } = loaded;
  // Prepared once (centred for digit models, resized to the input shape) and handed over as a
  // one-image set, which predict and explain read as is.
  const input = model.prepare(image);
  const set: ImageSet = {
    count: 1,
    height: input.height,
    width: input.width,
    channels: input.channels,
    pixels: input.pixels,
    labels: new Int32Array(1),
    classNames: model.classNames,
  };
  const started = performance.now();
  const [prediction] = await model.predict(set);
  const latencyMs = performance.now() - started;
  const explanation = await model.explain(set);
  const layer = explanation.layers[0]!;
  const gates = layer.gates;
  if (!prediction || !gates.z || !gates.r) {
    throw new Error(
      `The model's first layer is a ${layer.cell}, not a GRU: the page can only show GRU gates.`,
    );
  }
  const gray = new Uint8Array(input.width * input.height);
  for (let i = 0; i < gray.length; i++) gray[i] = input.pixels[i * input.channels]!;
  const result: Classification = {
    input: { width: input.width, height: input.height, pixels: gray },
    probabilities: prediction.probabilities,
    latencyMs,
    trace: {
      timeSteps: explanation.timeSteps,
      units: layer.units,
      z: gates.z,
      r: gates.r,
      h: layer.h,
      stepProbabilities: explanation.stepProbabilities,
    },
  };
  return withTransfer(result, []);
}

serve<InferenceProtocol>(self as unknown as Port, {
  load: async ({ source, engine }) => load(source, engine),
  classify: async ({ image }) => classify(image),
});
