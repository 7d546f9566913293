import './style.css';
import { drawLineChart, indexAt, type PlotBox } from './chart';
import { doubt, inkShare } from './confidence';
import { DrawPad } from './draw-pad';
import { decodeImagePack, type ImagePack, packImage } from './image-pack';
import { rowAt } from './layout';
import { droppedFiles, modelFromFiles } from './model-drop';
import {
  type Classification,
  type EngineChoice,
  type InferenceProtocol,
  type InputImage,
  isEngineChoice,
  type ModelFiles,
  type ModelInfo,
  type ModelSource,
  type TrainEpoch,
  type TrainProgress,
  type TrainProtocol,
} from './protocol';
import { RpcClient } from './rpc';
import { LatestOnly } from './scheduler';
import { formatLatency, formatPercent } from './top-k';
import type { TrainChart } from './train-chart';
import {
  renderGray,
  renderHeatmap,
  renderInside,
  renderLegend,
  renderTop3,
  updateGateCaption,
} from './views';

const base = import.meta.env.BASE_URL;
const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The page is missing #${id}.`);
  return el as T;
};

const statusEl = $('status');
const modelSelect = $<HTMLSelectElement>('model-select');
const engineSelect = $<HTMLSelectElement>('engine-select');
const top3 = $<HTMLOListElement>('top3');
const latencyEl = $('latency');
const warningEl = $('warning');
const seenCanvas = $<HTMLCanvasElement>('seen-canvas');
const rowMarker = $('row-marker');
const heat = {
  z: $<HTMLCanvasElement>('heat-z'),
  r: $<HTMLCanvasElement>('heat-r'),
  h: $<HTMLCanvasElement>('heat-h'),
};
const stepsChart = $<HTMLCanvasElement>('steps-chart');

function setStatus(text: string, error = false): void {
  statusEl.textContent = text;
  statusEl.classList.toggle('error', error);
  document.body.dataset.error = error ? 'true' : 'false';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `text` ending with exactly one full stop (messages are joined into sentences). */
function sentence(text: string): string {
  const t = text.trim().replace(/[.\s]+$/, '');
  return /[!?…]$/.test(t) ? t : `${t}.`;
}

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

type ModelKey = 'mnist' | 'fashion-mnist' | 'trained' | 'dropped';
/** A model the worker has loaded, with the menu entry it came from. */
type Loaded = ModelInfo & { readonly key: ModelKey };
let trainedFiles: ModelFiles | null = null;
/** A model folder the user dropped or chose: read in the page, never uploaded. */
let droppedModel: ModelFiles | null = null;
/** The model the worker runs now: replaced only when a newer one is ready. */
let model: Loaded | null = null;
let current: { result: Classification; image: InputImage } | null = null;
let lastImage: InputImage | null = null;
let hoveredRow = -1;
let chartBox: PlotBox | null = null;
let loadToken = 0;

function sourceFor(key: ModelKey): ModelSource {
  if (key === 'trained') {
    if (!trainedFiles)
      throw new Error('No model has been trained in this browser yet: use the “Train” tab first.');
    return { kind: 'files', files: trainedFiles };
  }
  if (key === 'dropped') {
    if (!droppedModel) throw new Error('No model folder has been dropped yet.');
    return { kind: 'files', files: droppedModel };
  }
  return { kind: 'url', url: new URL(`${base}models/${key}/model.json`, location.href).href };
}

function optionText(select: HTMLSelectElement, value: string): string {
  return (
    Array.from(select.options)
      .find((o) => o.value === value)
      ?.textContent?.trim() ?? value
  );
}

function readyText(info: Loaded): string {
  return `Ready: ${optionText(modelSelect, info.key)}, ${info.classNames.length} classes, GRU-${info.units} on ${info.engine}.`;
}

function showModel(info: Loaded): void {
  renderLegend($('steps-legend'), info.classNames);
  $('heat-z-caption').textContent = updateGateCaption(info.updateGate);
  $('inside-caption').textContent = `(GRU-${info.units}, ${info.parameters.toLocaleString('en')} parameters)`;
  $('seen-caption').textContent =
    `(${info.width}×${info.height}${info.centresDigits ? ', after MNIST-style centring' : ', resized'})`;
  document.body.dataset.engine = info.engine;
  document.body.dataset.model = info.key;
}

/**
 * Loads the model and engine the menus show. The worker runs one load at a time and skips loads that a
 * newer choice replaced, so the last choice wins; until it is ready the previous model keeps answering.
 */
async function loadModel(): Promise<void> {
  const key = modelSelect.value as ModelKey;
  const engine = engineSelect.value;
  if (!isEngineChoice(engine)) return;
  const token = ++loadToken;
  const what = `${optionText(modelSelect, key)} on ${engine}`;
  document.body.dataset.ready = 'false';
  setStatus(`Loading ${what}…`);
  try {
    const info: Loaded = { ...(await inference.call('load', { source: sourceFor(key), engine })), key };
    // The worker runs this model from now on, whatever the menus say meanwhile.
    model = info;
    showModel(info);
    if (token !== loadToken) return;
    setStatus(readyText(info));
    document.body.dataset.ready = 'true';
    if (lastImage) classify(lastImage, performance.now());
  } catch (err) {
    if (token !== loadToken || (err as { code?: string }).code === 'SUPERSEDED') return;
    // The menus go back to what really runs; the failed choice can be picked again to retry.
    if (model) {
      modelSelect.value = model.key;
      engineSelect.value = model.engine;
    }
    const still = model
      ? ` Still using ${optionText(modelSelect, model.key)} on ${model.engine}.`
      : ' No model is loaded.';
    setStatus(`Could not load ${what}: ${sentence(messageOf(err))}${still} Pick it again to retry.`, true);
    document.body.dataset.ready = model ? 'true' : 'false';
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
  chartBox = renderInside(result, model.classNames, { ...heat, chart: stepsChart }, hoveredRow);
  // From the input to the full picture (prediction, input, gates and chart drawn).
  const ms = performance.now() - since;
  latencyEl.textContent = `input → picture ${formatLatency(ms)} on ${result.engine}`;
  latencyEl.title = `From your input to the whole picture drawn; the worker's part was ${formatLatency(result.workerMs)}.`;
  latencyEl.dataset.ms = ms.toFixed(1);
  latencyEl.dataset.engine = result.engine;
  top3.dataset.count = String(Number(top3.dataset.count ?? '0') + 1);
  // A good result ends an old error message (e.g. of an unreadable upload).
  if (statusEl.classList.contains('error')) setStatus(readyText(model));
}

function emptyChart(): void {
  chartBox = drawLineChart(stepsChart, { series: [], xCount: 28, y: { min: 0, max: 1 }, xLabel: 'row read' });
}

function clearPrediction(): void {
  lastImage = null;
  current = null;
  top3.replaceChildren();
  warningEl.hidden = true;
  latencyEl.textContent = '';
  delete top3.dataset.count;
  renderGray(seenCanvas, { width: 28, height: 28, pixels: new Uint8Array(28 * 28) });
  for (const canvas of Object.values(heat))
    canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
  rowMarker.hidden = true;
  emptyChart();
}

// ---- row highlight ------------------------------------------------------------------------------

/** A band over each heatmap that marks the selected row (time step). */
const heatMarkers = Object.values(heat).map((canvas) => {
  const wrap = document.createElement('div');
  wrap.className = 'heat-wrap';
  const marker = document.createElement('div');
  marker.className = 'heat-marker';
  marker.hidden = true;
  canvas.before(wrap);
  wrap.append(canvas, marker);
  return marker;
});

function highlightRow(row: number): void {
  hoveredRow = row;
  const steps = current?.result.trace.timeSteps ?? 0;
  const inputRows = current?.result.input.height ?? 0;
  for (const marker of heatMarkers) {
    marker.hidden = row < 0 || steps === 0;
    marker.style.top = `${(row / Math.max(1, steps)) * 100}%`;
    marker.style.height = `${100 / Math.max(1, steps)}%`;
  }
  for (const canvas of Object.values(heat)) {
    if (row < 0) delete canvas.dataset.row;
    else canvas.dataset.row = String(row);
  }
  // Rows of the input are time steps only in the rows view (timeSteps = image height).
  if (row < 0 || steps === 0 || steps !== inputRows) {
    rowMarker.hidden = true;
  } else {
    rowMarker.hidden = false;
    const cell = seenCanvas.clientHeight / inputRows;
    rowMarker.style.top = `${row * cell - 2}px`;
    rowMarker.style.height = `${cell + 4}px`;
  }
  if (current && model)
    chartBox = renderInside(current.result, model.classNames, { ...heat, chart: stepsChart }, row);
}

for (const canvas of Object.values(heat)) {
  const caption = canvas.closest('figure')?.querySelector('figcaption')?.textContent ?? 'heatmap';
  canvas.tabIndex = 0;
  canvas.setAttribute('aria-label', `${caption}: tap a row, or use the arrow keys to pick one`);
  const rowUnder = (e: PointerEvent): number =>
    rowAt(e.offsetY, canvas.clientHeight, current?.result.trace.timeSteps ?? 0);
  canvas.addEventListener('pointermove', (e) => highlightRow(rowUnder(e)));
  // A tap (touch, pen or click) selects a row and it stays selected after the finger lifts.
  canvas.addEventListener('pointerdown', (e) => highlightRow(rowUnder(e)));
  canvas.addEventListener('pointerleave', (e) => {
    if (e.pointerType === 'mouse') highlightRow(-1);
  });
  canvas.addEventListener('keydown', (e) => {
    const steps = current?.result.trace.timeSteps ?? 0;
    if (steps === 0) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = hoveredRow < 0 ? 0 : hoveredRow + (e.key === 'ArrowDown' ? 1 : -1);
      highlightRow(Math.min(steps - 1, Math.max(0, next)));
    }
  });
  canvas.addEventListener('blur', () => highlightRow(-1));
}

/** The colour bars under the heatmaps: which colour is which value. */
function heatScales(): HTMLElement {
  const root = document.createElement('div');
  root.className = 'heat-scale';
  root.dataset.testid = 'heat-scale';
  for (const [name, min, max] of [
    ['z, r', 0, 1],
    ['h', -1, 1],
  ] as const) {
    const item = document.createElement('figure');
    const bar = document.createElement('canvas');
    const n = 64;
    const values = Float32Array.from({ length: n }, (_, i) => min + ((max - min) * i) / (n - 1));
    renderHeatmap(bar, values, 1, n, min, max);
    bar.setAttribute('role', 'img');
    bar.setAttribute(
      'aria-label',
      `colour scale of ${name}: blue ${min}, white ${(min + max) / 2}, red ${max}`,
    );
    const ticks = document.createElement('div');
    ticks.className = 'ticks';
    for (const v of [min, (min + max) / 2, max]) {
      const t = document.createElement('span');
      t.textContent = String(v).replace('-', '−');
      ticks.append(t);
    }
    const caption = document.createElement('figcaption');
    caption.textContent = name;
    item.append(caption, bar, ticks);
    root.append(item);
  }
  return root;
}
document.querySelector('.heatmaps')?.after(heatScales());

stepsChart.addEventListener('pointermove', (e) => {
  if (!chartBox || !current) return;
  highlightRow(indexAt(e.offsetX, current.result.trace.timeSteps, chartBox));
});
stepsChart.addEventListener('pointerleave', () => highlightRow(-1));

// ---- drawing, upload --------------------------------------------------------------------------

const pad = new DrawPad($<HTMLCanvasElement>('draw-canvas'), (p) => {
  const since = performance.now();
  showUpload(null);
  if (p.history.isEmpty) clearPrediction();
  else classify(p.image(), since);
});
$('undo').addEventListener('click', () => pad.undo());
$('clear').addEventListener('click', () => pad.clear());

/** Decodes a PNG/JPEG with the browser's own decoder into RGBA bytes (at most 512 px a side). */
async function decodeUpload(file: Blob): Promise<InputImage> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 512 / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw on a 2D canvas.');
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  // RGBA as decoded: the worker composites transparency the way the model's preprocessing says.
  return {
    width,
    height,
    channels: 4,
    pixels: new Uint8Array(ctx.getImageData(0, 0, width, height).data.buffer),
  };
}

const uploadPreview = $<HTMLCanvasElement>('upload-preview');

/** Shows the uploaded picture as decoded (RGBA). */
function showUpload(image: InputImage | null): void {
  uploadPreview.hidden = image === null;
  if (!image) return;
  uploadPreview.width = image.width;
  uploadPreview.height = image.height;
  uploadPreview
    .getContext('2d')
    ?.putImageData(new ImageData(new Uint8ClampedArray(image.pixels), image.width, image.height), 0, 0);
}

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
  try {
    droppedModel = await modelFromFiles(files);
  } catch (err) {
    setStatus(`Could not use the dropped files: ${sentence(messageOf(err))}`, true);
    document.body.dataset.ready = model ? 'true' : 'false';
    return;
  }
  const option = modelSelect.querySelector<HTMLOptionElement>('option[value="dropped"]');
  if (option) {
    option.disabled = false;
    option.textContent = `Your model${folder ? ` (${folder})` : ''}`;
  }
  modelSelect.value = 'dropped';
  if (!$('panel-train').hidden) selectTab(tabs[0]!);
  await loadModel();
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
      loadGallery().catch((err) => {
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

// ---- Fashion-MNIST gallery -----------------------------------------------------------------------

async function fetchPack(url: string): Promise<ImagePack> {
  const res = await fetch(url);
  if (!res.ok)
    throw new Error(`${url} answered ${res.status}: rebuild the static files (see apps/web/README.md).`);
  return decodeImagePack(new Uint8Array(await res.arrayBuffer()), url);
}

async function loadGallery(): Promise<void> {
  const [pack, meta] = await Promise.all([
    fetchPack(`${base}data/fashion-gallery.bin`),
    fetch(`${base}data/fashion-gallery.json`).then((r) => r.json() as Promise<{ classNames: string[] }>),
  ]);
  const root = $('gallery');
  root.replaceChildren(
    ...Array.from({ length: pack.count }, (_, i) => {
      const button = document.createElement('button');
      button.type = 'button';
      const label = meta.classNames[pack.labels[i]!] ?? String(pack.labels[i]);
      button.setAttribute('aria-label', `Test image ${i + 1}: ${label}`);
      button.setAttribute('aria-pressed', 'false');
      button.dataset.label = label;
      const image: InputImage = {
        width: pack.width,
        height: pack.height,
        channels: 1,
        pixels: packImage(pack, i).slice(),
      };
      const canvas = document.createElement('canvas');
      renderGray(canvas, image);
      button.append(canvas);
      button.addEventListener('click', () => {
        for (const b of root.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === button));
        showUpload(null);
        classify(image, performance.now());
      });
      return button;
    }),
  );
}

// ---- train in the browser ------------------------------------------------------------------------

const trainStart = $<HTMLButtonElement>('train-start');
const trainStop = $<HTMLButtonElement>('train-stop');
const trainStatus = $('train-status');
const trainChartHost = $('train-chart');
/** uPlot is loaded with the Train tab only, not on the first visit to the Draw tab. */
let trainChart: Promise<TrainChart> | null = null;
let trainer: { worker: Worker; client: RpcClient<TrainProtocol> } | null = null;
const history: TrainProgress[] = [];
const epochs: TrainEpoch[] = [];
let plannedEpochs = 10;

function drawTrainChart(): void {
  if (trainChart || !$('panel-train').hidden) {
    trainChart ??= import('./train-chart').then((m) => new m.TrainChart(trainChartHost));
    void trainChart.then((chart) => chart.update(history, epochs, plannedEpochs));
  }
  trainChartHost.dataset.points = String(history.length);
  trainChartHost.dataset.losses = history.map((p) => p.loss.toFixed(4)).join(',');
  trainChartHost.dataset.epochs = String(epochs.length);
  trainChartHost.dataset.valAccuracies = epochs.map((e) => e.valAccuracy.toFixed(4)).join(',');
}

/** The gate heatmaps of the model being trained; captions as on the Draw tab. */
const trainHeat = (['z', 'r', 'h'] as const).map((key) => {
  const figure = document.createElement('figure');
  const canvas = document.createElement('canvas');
  canvas.className = 'heat';
  canvas.dataset.testid = `train-heat-${key}`;
  const caption = document.createElement('figcaption');
  caption.textContent = heat[key].closest('figure')?.querySelector('figcaption')?.textContent ?? key;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${caption.textContent} of the model being trained`);
  figure.append(canvas, caption);
  $('train-heatmaps').append(figure);
  return { key, canvas };
});

function showTrainGates(epoch: TrainEpoch): void {
  const { timeSteps, units } = epoch.trace;
  for (const { key, canvas } of trainHeat) {
    const values = epoch.trace[key];
    if (values.length !== timeSteps * units) continue;
    renderHeatmap(canvas, values, timeSteps, units, key === 'h' ? -1 : 0, 1);
    canvas.dataset.epoch = String(epoch.epoch);
  }
}

function readInt(id: string, min: number, max: number): number {
  const input = $<HTMLInputElement>(id);
  const v = Math.round(Number(input.value));
  const clamped = Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : min;
  input.value = String(clamped);
  return clamped;
}

$<HTMLFormElement>('train-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  if (trainer) return;
  const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module', name: 'train' });
  const client = new RpcClient<TrainProtocol>(worker);
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    client.close(`The training worker failed: ${e.message || 'it could not start'}.`);
  });
  trainer = { worker, client };
  history.length = 0;
  epochs.length = 0;
  plannedEpochs = readInt('train-epochs', 1, 20);
  drawTrainChart();
  trainStart.disabled = true;
  trainStop.disabled = false;
  trainStatus.dataset.state = 'running';
  trainStatus.textContent = 'Loading the MNIST subset…';
  client.on('progress', (p) => {
    history.push(p);
    drawTrainChart();
    trainStatus.textContent = `Epoch ${p.epoch}/${p.epochs}, step ${p.step}/${p.totalSteps}: loss ${p.loss.toFixed(3)}, accuracy ${formatPercent(p.accuracy)}`;
  });
  client.on('epoch', (e) => {
    epochs.push(e);
    drawTrainChart();
    showTrainGates(e);
  });
  try {
    const result = await client.call('train', {
      dataUrl: new URL(`${base}data/mnist-train-subset.bin`, location.href).href,
      units: readInt('train-units', 4, 128),
      samples: readInt('train-samples', 100, 2000),
      epochs: readInt('train-epochs', 1, 20),
      batchSize: 32,
      seed: 1,
    });
    trainedFiles = result.files;
    const trainedOption = modelSelect.querySelector<HTMLOptionElement>('option[value="trained"]');
    if (trainedOption) trainedOption.disabled = false;
    // Drawing against the model trained here goes on with the newest one.
    if (model?.key === 'trained') void loadModel();
    trainStatus.dataset.state = result.stopped ? 'stopped' : 'done';
    trainStatus.textContent =
      `${result.stopped ? 'Stopped' : 'Finished'} after ${result.steps} steps in ${result.seconds.toFixed(1)} s: ` +
      `held-out accuracy ${formatPercent(result.validationAccuracy)}. Pick “Trained in this browser” on the Draw tab to draw against it.`;
  } catch (err) {
    trainStatus.dataset.state = 'error';
    trainStatus.textContent = `Training failed: ${messageOf(err)}`;
  } finally {
    client.close('Training ended.');
    worker.terminate();
    trainer = null;
    trainStart.disabled = false;
    trainStop.disabled = true;
  }
});

trainStop.addEventListener('click', () => {
  if (!trainer) return;
  trainStop.disabled = true;
  trainStatus.textContent = 'Stopping after the current batch…';
  void trainer.client.call('stop', null);
});

// ---- start ------------------------------------------------------------------------------------------

const params = new URLSearchParams(location.search);
const engineParam = params.get('engine');
if (engineParam && isEngineChoice(engineParam)) engineSelect.value = engineParam satisfies EngineChoice;
drawTrainChart();
emptyChart();
top3.dataset.state = 'idle';
void loadModel();
