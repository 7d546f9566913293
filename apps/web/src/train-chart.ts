import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TrainEpoch, TrainProgress } from './protocol';
import { trainColumns } from './train-columns';

const percent = (v: number): string => `${Math.round(v * 100)}%`;

/** The training chart: loss on the left axis, accuracy on the right, epochs along x, values on hover. */
export class TrainChart {
  readonly #host: HTMLElement;
  #plot: uPlot | null = null;

  constructor(host: HTMLElement) {
    this.#host = host;
    new ResizeObserver(() => this.#resize()).observe(host);
  }

  #size(): { width: number; height: number } {
    const width = Math.max(280, Math.min(640, this.#host.clientWidth || 420));
    return { width, height: Math.round(width * 0.5) };
  }

  #resize(): void {
    if (this.#plot && this.#host.clientWidth > 0) this.#plot.setSize(this.#size());
  }

  update(reports: readonly TrainProgress[], epochs: readonly TrainEpoch[], totalEpochs: number): void {
    const data = trainColumns(reports, epochs) as uPlot.AlignedData;
    if (!this.#plot) {
      this.#plot = new uPlot(
        {
          ...this.#size(),
          scales: {
            x: { time: false, range: (_u, _min, max) => [0, Math.max(totalEpochs, max ?? 1)] },
            loss: { range: (_u, _min, max) => [0, Math.max(0.5, Math.ceil((max ?? 1) * 2) / 2)] },
            acc: { range: [0, 1] },
          },
          axes: [
            { label: 'epoch', incrs: [0.5, 1, 2, 5, 10], values: (_u, vals) => vals.map((v) => String(v)) },
            { scale: 'loss', label: 'loss', values: (_u, vals) => vals.map((v) => v.toFixed(1)) },
            {
              scale: 'acc',
              label: 'accuracy',
              side: 1,
              grid: { show: false },
              values: (_u, vals) => vals.map(percent),
            },
          ],
          series: [
            { label: 'epoch', value: (_u, v) => (v == null ? '—' : v.toFixed(2)) },
            {
              label: 'train loss',
              scale: 'loss',
              stroke: '#e15759',
              width: 1.5,
              spanGaps: true,
              points: { show: false },
            },
            {
              label: 'train accuracy',
              scale: 'acc',
              stroke: '#4e79a7',
              width: 1.5,
              spanGaps: true,
              points: { show: false },
              value: (_u, v) => (v == null ? '—' : percent(v)),
            },
            {
              label: 'held-out loss',
              scale: 'loss',
              stroke: '#b02a2c',
              width: 2,
              dash: [6, 4],
              spanGaps: true,
            },
            {
              label: 'held-out accuracy',
              scale: 'acc',
              stroke: '#1d4f91',
              width: 2,
              dash: [6, 4],
              spanGaps: true,
              value: (_u, v) => (v == null ? '—' : percent(v)),
            },
          ],
          legend: { live: true },
        },
        data,
        this.#host,
      );
    } else {
      this.#plot.setData(data);
    }
  }

  /** The chart's canvas (for tests and size checks). */
  get canvas(): HTMLCanvasElement | null {
    return this.#host.querySelector('canvas');
  }
}
