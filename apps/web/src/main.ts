import './style.css';
import { doubt, inkShare } from './confidence';
import { DrawPad } from './draw-pad';
import { loadGallery } from './gallery';
import { clearInside, emptyChart, showInside } from './inside-view';
import { droppedFiles, modelSourceFromFiles } from './model-drop';
import { $, base, messageOf, optionText, sentence, setStatus, statusIsError } from './page';
import {
  type Classification,
  type EngineChoice,
  type InferenceProtocol,
  type InputImage,
  isEngineChoice,
  type ModelFiles,
  type ModelInfo,
  type ModelSource,
} from './protocol';
import { RpcClient } from './rpc';
import { LatestOnly } from './scheduler';
import { formatLatency, formatPercent } from './top-k';
import { drawTrainChart, initTrainTab } from './train-tab';
import { decodeUpload, showUpload } from './upload';
import { cellName, renderGray, renderLegend, renderTop3 } from './views';

const modelSelect = $<HTMLSelectElement>('model-select');
const engineSelect = $<HTMLSelectElement>('engine-select');
const top3 = $<HTMLOListElement>('top3');
const latencyEl = $('latency');
const warningEl = $('warning');
const seenCanvas = $<HTMLCanvasElement>('seen-canvas');

// Errors end up on the page, not in the console.
window.addEventListener('error', (e) => setStatus(`Error: ${e.message}`, true));
window.addEventListener('unhandledrejection', (e) => {
  e.preventDefault();
  setStatus(`Error: ${messageOf(e.reason)}`, true);
});

// ---- inference worker -------------------------------------------------------------------------

const inferenceWorker = new Worker(new URL('./inference-worker.ts', import.meta.url), {
  type: 'module',
  name: 'inference',
});
inferenceWorker.addEventListener('error', (e) => {
  e.preventDefault();
  setStatus(`The inference worker failed: ${e.message || 'it could not start'}. Reload the page.`, true);
});
const inference = new RpcClient<InferenceProtocol>(inferenceWorker);

type ModelKey = 'mnist' | 'mnist-mingru' | 'fashion-mnist' | 'trained' | 'dropped';
/** A model the worker has loaded, with the menu entry it came from. */
/** `label`: the menu entry's text when it was loaded (a dropped model's entry changes with the next drop). */
type Loaded = ModelInfo & { readonly key: ModelKey; readonly label: string };
let trainedFiles: ModelFiles | null = null;
/** A model folder or file the user dropped or chose: read in the page, never uploaded. */
let droppedModel: ModelSource | null = null;
/** The model the worker runs now: replaced only when a newer one is ready. */
let model: Loaded | null = null;
let current: { result: Classification; image: InputImage } | null = null;
let lastImage: InputImage | null = null;
let loadToken = 0;

function sourceFor(key: ModelKey): ModelSource {
  if (key === 'trained') {
    if (!trainedFiles)
      throw new Error('No model has been trained in this browser yet: use the “Train” tab first.');
    return { kind: 'files', files: trainedFiles };
  }
  if (key === 'dropped') {
    if (!droppedModel) throw new Error('No model folder has been dropped yet.');
    return droppedModel;
  }
  return { kind: 'url', url: new URL(`${base}models/${key}/model.json`, location.href).href };
}

function readyText(info: Loaded): string {
  return `Ready: ${info.label}, ${info.classNames.length} classes, ${cellName(info.cell)}-${info.units} on ${info.engine}.`;
}

function showModel(info: Loaded): void {
  renderLegend($('steps-legend'), info.classNames);
  $('cell-name').textContent = cellName(info.cell);
  $('inside-caption').textContent =
    `(${cellName(info.cell)}-${info.units}, ${info.parameters.toLocaleString('en')} parameters)`;
  $('seen-caption').textContent =
    `(${info.width}×${info.height}${info.centresDigits ? ', after MNIST-style centring' : ', resized'})`;
  document.body.dataset.engine = info.engine;
  document.body.dataset.model = info.key;
}

/**
 * Loads the model and engine the menus show. The worker runs one load at a time and skips loads that a
 * newer choice replaced, so the last choice wins; until it is ready the previous model keeps answering.
 */
async function loadModel(): Promise<boolean> {
  const key = modelSelect.value as ModelKey;
  const engine = engineSelect.value;
  if (!isEngineChoice(engine)) return false;
  const token = ++loadToken;
  const label = optionText(modelSelect, key);
  const what = `${label} on ${engine}`;
  document.body.dataset.ready = 'false';
  setStatus(`Loading ${what}…`);
  try {
    const info: Loaded = {
      ...(await inference.call('load', { source: sourceFor(key), engine })),
      key,
      label,
    };
    // The worker runs this model from now on, whatever the menus say meanwhile.
    model = info;
    showModel(info);
    if (token !== loadToken) return true;
    setStatus(readyText(info));
    document.body.dataset.ready = 'true';
    if (lastImage) classify(lastImage, performance.now());
    return true;
  } catch (err) {
    if (token !== loadToken || (err as { code?: string }).code === 'SUPERSEDED') return false;
    // The menus go back to what really runs; the failed choice can be picked again to retry.
    if (model) {
      modelSelect.value = model.key;
      engineSelect.value = model.engine;
    }
    const still = model ? ` Still using ${model.label} on ${model.engine}.` : ' No model is loaded.';
    setStatus(`Could not load ${what}: ${sentence(messageOf(err))}${still} Pick it again to retry.`, true);
    document.body.dataset.ready = model ? 'true' : 'false';
    return false;
  }
}

// ---- classification, latency and the busy indicator -----------------------------------------------

/** One input to classify: the image and when the user gave it (pen moved or lifted, file chosen, …). */
interface Job {
  readonly image: InputImage;
  readonly since: number;
}

const busy = $('busy');
let busyTimer: ReturnType<typeof setTimeout> | undefined;
let pending = 0;

/** Shows the busy indicator now (`immediate`) or when the work takes longer than a moment. */
function busyStart(immediate: boolean, label = 'Working…'): void {
  pending++;
  top3.dataset.state = 'busy';
  busy.textContent = label;
  if (immediate) busy.hidden = false;
  else if (busyTimer === undefined && busy.hidden) {
    busyTimer = setTimeout(() => {
      busyTimer = undefined;
      if (pending > 0) busy.hidden = false;
    }, 250);
  }
}

function busyEnd(): void {
  pending = Math.max(0, pending - 1);
  if (pending > 0) return;
  top3.dataset.state = 'idle';
  busy.hidden = true;
  clearTimeout(busyTimer);
  busyTimer = undefined;
}

const classifier = new LatestOnly<Job>(async (job) => {
  if (!model) return;
  try {
    const result = await inference.call('classify', { image: job.image });
    if (!model || result.modelId !== model.id) return;
    current = { result, image: job.image };
    showClassification(job.since);
  } catch (err) {
    setStatus(`Prediction failed: ${sentence(messageOf(err))}`, true);
  }
});

function classify(image: InputImage, since: number, immediateBusy = false): void {
  lastImage = image;
  busyStart(immediateBusy);
  classifier.push({ image, since });
  void classifier.whenIdle().then(busyEnd);
}

function showClassification(since: number): void {
  if (!current || !model) return;
  const { result } = current;
  renderTop3(top3, result.probabilities, model.classNames);
  const warning = doubt(result.probabilities, result.input.pixels, model.centresDigits, formatPercent);
  warningEl.hidden = warning === null;
  warningEl.textContent = warning ?? '';
  top3.classList.toggle('unsure', warning !== null);
  top3.dataset.ink = inkShare(result.input.pixels).toFixed(3);
  renderGray(seenCanvas, result.input);
  showInside(result, model.classNames);
  // From the input to the full picture (prediction, input, gates and chart drawn).
  const ms = performance.now() - since;
  latencyEl.textContent = `input → picture ${formatLatency(ms)} on ${result.engine}`;
  latencyEl.title = `From your input to the whole picture drawn; the worker's part was ${formatLatency(result.workerMs)}.`;
  latencyEl.dataset.ms = ms.toFixed(1);
  latencyEl.dataset.engine = result.engine;
  top3.dataset.count = String(Number(top3.dataset.count ?? '0') + 1);
  // A good result ends an old error message (e.g. of an unreadable upload).
  if (statusIsError()) setStatus(readyText(model));
}

function clearPrediction(): void {
  lastImage = null;
  current = null;
  top3.replaceChildren();
  warningEl.hidden = true;
  latencyEl.textContent = '';
  delete top3.dataset.count;
  renderGray(seenCanvas, { width: 28, height: 28, pixels: new Uint8Array(28 * 28) });
  clearInside();
}

// ---- drawing, upload --------------------------------------------------------------------------

const pad = new DrawPad($<HTMLCanvasElement>('draw-canvas'), (p) => {
  const since = performance.now();
  showUpload(null);
  if (p.history.isEmpty) clearPrediction();
  else classify(p.image(), since);
});
$('undo').addEventListener('click', () => pad.undo());
$('clear').addEventListener('click', () => pad.clear());

$<HTMLInputElement>('upload').addEventListener('change', async (e) => {
  const since = performance.now();
  const input = e.currentTarget as HTMLInputElement;
  const file = input.files?.[0];
  // Emptied at once, so choosing the same file again is a change too.
  input.value = '';
  if (!file) return;
  busyStart(true, `Reading ${file.name}…`);
  try {
    const image = await decodeUpload(file);
    showUpload(image);
    classify(image, since, true);
  } catch (err) {
    setStatus(`Could not read ${file.name}: ${sentence(messageOf(err))} Upload a PNG or JPEG image.`, true);
  } finally {
    busyEnd();
  }
});

// ---- your own model: drop a folder (or choose its files) -------------------------------------------

/**
 * Says, before any await, that model files are being read: until the new model is ready (or refused) the
 * page is not "ready", so nothing (a user, a test) mistakes the previous model's state for the new one's.
 */
function startReadingModelFiles(): void {
  document.body.dataset.ready = 'false';
  setStatus('Reading the model files…');
}

async function useModelFiles(files: readonly File[], folder: string | undefined): Promise<void> {
  startReadingModelFiles();
  let dropped: ModelSource;
  try {
    dropped = await modelSourceFromFiles(files);
  } catch (err) {
    setStatus(`Could not use the dropped files: ${sentence(messageOf(err))}`, true);
    document.body.dataset.ready = model ? 'true' : 'false';
    return;
  }
  const option = modelSelect.querySelector<HTMLOptionElement>('option[value="dropped"]');
  if (!option) return;
  option.disabled = false;
  const name = dropped.kind === 'foreign' ? dropped.model.name : folder;
  option.textContent = `Your model${name ? ` (${name})` : ''}`;
  const previous = droppedModel;
  droppedModel = dropped;
  modelSelect.value = 'dropped';
  if (!$('panel-train').hidden) selectTab(tabs[0]!);
  // A file the worker refuses does not replace a dropped model still in use.
  if (!(await loadModel()) && model?.key === 'dropped') {
    droppedModel = previous;
    option.textContent = model.label;
  }
}

const modelFilesInput = $<HTMLInputElement>('model-files');
modelFilesInput.addEventListener('change', () => {
  const files = Array.from(modelFilesInput.files ?? []);
  modelFilesInput.value = '';
  if (files.length > 0) void useModelFiles(files, undefined);
});

const hasFiles = (e: DragEvent): boolean => e.dataTransfer?.types.includes('Files') ?? false;
document.addEventListener('dragover', (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  document.body.dataset.dropping = 'true';
});
document.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) delete document.body.dataset.dropping;
});
document.addEventListener('drop', async (e) => {
  if (!e.dataTransfer || !hasFiles(e)) return;
  e.preventDefault();
  delete document.body.dataset.dropping;
  const since = performance.now();
  const items = Array.from(e.dataTransfer.items);
  const oneImage = items.length === 1 && items[0]!.kind === 'file' && /^image\//.test(items[0]!.type);
  if (!oneImage) startReadingModelFiles();
  const { files, folder } = await droppedFiles(e.dataTransfer);
  // A picture is classified like an upload; anything else is taken as a model folder.
  if (files.length === 1 && /^image\//.test(files[0]!.type)) {
    if (!oneImage) {
      // A folder holding one picture: it is classified, and the model that runs stays as it was.
      document.body.dataset.ready = model ? 'true' : 'false';
      if (model) setStatus(readyText(model));
    }
    busyStart(true, `Reading ${files[0]!.name}…`);
    try {
      const image = await decodeUpload(files[0]!);
      showUpload(image);
      classify(image, since, true);
    } catch (err) {
      setStatus(
        `Could not read ${files[0]!.name}: ${sentence(messageOf(err))} Drop a PNG or JPEG image.`,
        true,
      );
    } finally {
      busyEnd();
    }
    return;
  }
  await useModelFiles(files, folder);
});

modelSelect.addEventListener('change', () => void loadModel());
engineSelect.addEventListener('change', () => void loadModel());

// ---- tabs -------------------------------------------------------------------------------------

const tabs = Array.from(document.querySelectorAll<HTMLButtonElement>('[role="tab"]'));
let galleryRequested = false;
/** The model the Draw tab goes back to after the gallery. */
let digitModel: ModelKey = 'mnist';

function selectTab(tab: HTMLButtonElement, focus = false): void {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
  }
  if (focus) tab.focus();
  const which = tab.dataset.tab;
  $('panel-classify').hidden = which === 'train';
  $('panel-train').hidden = which !== 'train';
  $('draw-area').hidden = which !== 'draw';
  $('gallery-area').hidden = which !== 'fashion';
  $('panel-classify').setAttribute('aria-labelledby', tab.id);
  $('toolbar').hidden = which === 'train';
  if (which === 'train') drawTrainChart();
  if (which === 'draw' && modelSelect.value === 'fashion-mnist') {
    // Back to drawing digits: back to the digit model used before (the pretrained one or one trained
    // here), with the drawing as the input again.
    modelSelect.value = digitModel;
    clearPrediction();
    if (!pad.history.isEmpty) lastImage = pad.image();
    void loadModel();
  }
  if (which === 'fashion') {
    if (modelSelect.value !== 'fashion-mnist') {
      digitModel = modelSelect.value as ModelKey;
      modelSelect.value = 'fashion-mnist';
      clearPrediction();
      void loadModel();
    }
    if (!galleryRequested) {
      galleryRequested = true;
      loadGallery((image) => {
        showUpload(null);
        classify(image, performance.now());
      }).catch((err) => {
        galleryRequested = false;
        setStatus(`Could not load the gallery: ${messageOf(err)}`, true);
      });
    }
  }
}

tabs.forEach((tab, i) => {
  tab.addEventListener('click', () => selectTab(tab));
  tab.addEventListener('keydown', (e) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    e.preventDefault();
    selectTab(tabs[(i + step + tabs.length) % tabs.length]!, true);
  });
});

// ---- train in the browser ------------------------------------------------------------------------

initTrainTab((files) => {
  trainedFiles = files;
  const trainedOption = modelSelect.querySelector<HTMLOptionElement>('option[value="trained"]');
  if (trainedOption) trainedOption.disabled = false;
  // Drawing against the model trained here goes on with the newest one.
  if (model?.key === 'trained') void loadModel();
});

// ---- start ------------------------------------------------------------------------------------------

const params = new URLSearchParams(location.search);
const engineParam = params.get('engine');
if (engineParam && isEngineChoice(engineParam)) engineSelect.value = engineParam satisfies EngineChoice;
drawTrainChart();
emptyChart();
top3.dataset.state = 'idle';
void loadModel();
