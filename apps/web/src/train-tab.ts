// The "Train in the browser" tab: a training worker (math engine), its chart and the live gate heatmaps.
import { HeatmapGrid } from './heatmap-grid';
import { $, base, messageOf } from './page';
import type { ModelFiles, TrainEpoch, TrainProgress, TrainProtocol } from './protocol';
import { RpcClient } from './rpc';
import { formatPercent } from './top-k';
import type { TrainChart } from './train-chart';

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

export function drawTrainChart(): void {
  if (trainChart || !$('panel-train').hidden) {
    trainChart ??= import('./train-chart').then((m) => new m.TrainChart(trainChartHost));
    void trainChart.then((chart) => chart.update(history, epochs, plannedEpochs));
  }
  trainChartHost.dataset.points = String(history.length);
  trainChartHost.dataset.losses = history.map((p) => p.loss.toFixed(4)).join(',');
  trainChartHost.dataset.epochs = String(epochs.length);
  trainChartHost.dataset.valAccuracies = epochs.map((e) => e.valAccuracy.toFixed(4)).join(',');
}

/** The gate heatmaps of the model being trained, drawn as on the Draw tab. */
const trainGrid = new HeatmapGrid($('train-heatmaps'), 'train-heat-');

function showTrainGates(epoch: TrainEpoch): void {
  trainGrid.show(epoch.trace, null, ' of the model being trained');
  for (const canvas of trainGrid.canvases) canvas.dataset.epoch = String(epoch.epoch);
}

function readInt(id: string, min: number, max: number): number {
  const input = $<HTMLInputElement>(id);
  const v = Math.round(Number(input.value));
  const clamped = Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : min;
  input.value = String(clamped);
  return clamped;
}

/** Wires the training form; `onTrained` gets the files of every finished or stopped run. */
export function initTrainTab(onTrained: (files: ModelFiles) => void): void {
  $<HTMLFormElement>('train-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (trainer) return;
    const worker = new Worker(new URL('./train-worker.ts', import.meta.url), {
      type: 'module',
      name: 'train',
    });
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
      onTrained(result.files);
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
}
