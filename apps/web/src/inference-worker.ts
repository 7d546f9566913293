// Runs the classifier off the main thread: loads a model on the chosen engine, prepares each image the
// way the model was trained (MNIST centring for digit models), runs it once (prediction and gate trace
// in one pass) and hands both back, with the gates of whatever cell the first layer is (GRU, LSTM,
// SimpleRNN, minGRU, minLSTM).
//
// Every request runs through one queue, so a load never overlaps another load or a prediction: a quick
// second choice of engine waits for the first to finish, and a load that is no longer the latest one
// requested is skipped. The model in use is replaced only when its successor is fully ready; a failed load
// leaves it (and its tfjs backend) in place.
import { GruClassifier } from '@gruvision/classifier';
import type { ImageSet, RawImage } from '@gruvision/data';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { wasmBlobUrl } from './fetch-bytes';
import { gateTrace, modelInputGray } from './gates';
import { fetchModelFiles } from './model-files';
import {
  type Classification,
  type EngineChoice,
  type InferenceProtocol,
  isEngineChoice,
  type ModelFiles,
  type ModelInfo,
  type ModelSource,
} from './protocol';
import { type Port, serve, type WithTransfer, withTransfer } from './rpc';
import { SerialQueue, SupersededError } from './serial-queue';
import type { WasmBinaryName } from './tfjs-wasm-binary';

let loaded: { model: GruClassifier; info: ModelInfo } | null = null;
let nextModelId = 1;
let latestLoad = 0;
const queue = new SerialQueue();
/** Model files fetched by URL, kept for the life of the page: switching back and forth fetches nothing. */
const fetched = new Map<string, Promise<ModelFiles>>();

function backendOf(choice: EngineChoice): 'webgl' | 'wasm' | 'cpu' | null {
  return choice === 'tfjs-webgl'
    ? 'webgl'
    : choice === 'tfjs-wasm'
      ? 'wasm'
      : choice === 'tfjs-cpu'
        ? 'cpu'
        : null;
}

/** tfjs' three wasm binaries, bundled by Vite and served by this site (never by a CDN). */
const wasmFiles: Record<WasmBinaryName, string> = {
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
};

/**
 * The one wasm binary tfjs will start from, unpacked from its compressed twin (the build ships each `.wasm`
 * also as `.wasm.gz`), or null once the wasm backend runs. Only that binary is fetched; it goes to tfjs as
 * a Blob URL in the per-file map of `setWasmPaths`.
 */
async function unpackedWasmBinary(): Promise<{ name: WasmBinaryName; url: string } | null> {
  const { wasmBinaryToLoad } = await import('./tfjs-wasm-binary');
  const name = await wasmBinaryToLoad();
  return name ? { name, url: await wasmBlobUrl(wasmFiles[name]) } : null;
}

/**
 * Makes the tfjs backend of a choice the active one (tfjs is imported only when first chosen). tfjs has
 * one global backend, so this also runs before each prediction of a tfjs model.
 */
async function useEngine(choice: EngineChoice): Promise<void> {
  const backend = backendOf(choice);
  if (!backend) return;
  const tfjs = await import('@gruvision/tfjs');
  const unpacked = backend === 'wasm' ? await unpackedWasmBinary() : null;
  try {
    await tfjs.initBackend(backend, {
      wasmPaths: unpacked ? { ...wasmFiles, [unpacked.name]: unpacked.url } : wasmFiles,
    });
  } finally {
    // Compiled by now (or failed): the bytes are not needed again.
    if (unpacked) URL.revokeObjectURL(unpacked.url);
  }
}

function filesAt(url: string): Promise<ModelFiles> {
  let files = fetched.get(url);
  if (!files) {
    files = fetchModelFiles(url);
    fetched.set(url, files);
    // A failed fetch is not kept: choosing the model again retries.
    files.catch(() => fetched.delete(url));
  }
  return files;
}

async function load(source: ModelSource, choice: EngineChoice, ticket: number): Promise<ModelInfo> {
  if (ticket !== latestLoad) throw new SupersededError();
  const files =
    source.kind === 'url' ? await filesAt(source.url) : source.kind === 'files' ? source.files : null;
  let model: GruClassifier;
  try {
    await useEngine(choice);
    if (files) model = await GruClassifier.fromArtifacts(files, { engine: choice });
    else if (source.kind === 'foreign') {
      const { classifierOfForeign } = await import('./foreign-model');
      model = await classifierOfForeign(source.model, choice);
    } else throw new Error('Unknown model source.');
  } catch (err) {
    // Put the backend of the model still in use back in charge.
    if (loaded) await useEngine(loaded.info.engine).catch(() => undefined);
    throw err;
  }
  const info: ModelInfo = {
    id: nextModelId++,
    classNames: model.classNames,
    engine: choice,
    timeSteps: model.spec.timeSteps,
    units: model.spec.layers[0]!.units,
    cell: model.spec.layers[0]!.cell ?? 'gru',
    updateGate: model.spec.layers[0]!.updateGate ?? 'keepsOld',
    parameters: model.parameterCount,
    height: model.input.height,
    width: model.input.width,
    centresDigits: model.preprocess === 'mnist',
  };
  loaded?.model.dispose();
  loaded = { model, info };
  return info;
}

async function classify(image: RawImage): Promise<WithTransfer<Classification>> {
  if (!loaded) throw new Error('No model is loaded yet: wait for “Ready” or pick a model.');
  const { model, info } = loaded;
  await useEngine(info.engine);
  const started = performance.now();
  // Prepared once (centred for digit models, resized to the input shape) and handed over as a one-image
  // set; `explain` gives the prediction and the gates of the same single pass.
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
  const explanation = await model.explain(set);
  const workerMs = performance.now() - started;
  const result: Classification = {
    modelId: info.id,
    // The engine the classifier itself reports: what really ran.
    engine: isEngineChoice(model.engine.name) ? model.engine.name : info.engine,
    input: modelInputGray(explanation),
    probabilities: explanation.prediction.probabilities,
    workerMs,
    trace: gateTrace(explanation, info.updateGate),
  };
  return withTransfer(result, []);
}

serve<InferenceProtocol>(self as unknown as Port, {
  load: ({ source, engine }) => {
    const ticket = ++latestLoad;
    return queue.run(() => load(source, engine, ticket));
  },
  classify: ({ image }) => queue.run(() => classify(image)),
});
