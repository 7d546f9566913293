// A row of heatmaps, one per gate or state of a layer (whatever the cell), each with its caption, a band
// that marks the selected row, and (optionally) the colour bars of their value ranges.
import { tickLabel } from './chart';
import { permuteColumns } from './gates';
import type { GateTrace } from './protocol';
import { renderHeatmap } from './views';

interface Figure {
  readonly key: string;
  readonly canvas: HTMLCanvasElement;
  readonly marker: HTMLElement;
  readonly caption: HTMLElement;
}

export class HeatmapGrid {
  readonly #host: HTMLElement;
  readonly #testIdPrefix: string;
  readonly #scaleHost: HTMLElement | null;
  readonly #onCanvas: (canvas: HTMLCanvasElement) => void;
  #figures: Figure[] = [];
  #scales = '';

  /**
   * `testIdPrefix` names each canvas `data-testid="<prefix><key>"` (`heat-z`, `heat-hCandidate`, …);
   * `onCanvas` is called once for each new canvas (to add listeners).
   */
  constructor(
    host: HTMLElement,
    testIdPrefix: string,
    scaleHost: HTMLElement | null = null,
    onCanvas: (canvas: HTMLCanvasElement) => void = () => undefined,
  ) {
    this.#host = host;
    this.#testIdPrefix = testIdPrefix;
    this.#scaleHost = scaleHost;
    this.#onCanvas = onCanvas;
  }

  get canvases(): HTMLCanvasElement[] {
    return this.#figures.map((f) => f.canvas);
  }

  get markers(): HTMLElement[] {
    return this.#figures.map((f) => f.marker);
  }

  /** Draws every panel of `trace`, its units (columns) in `order` when given. */
  show(trace: GateTrace, order: readonly number[] | null, what = ''): void {
    const keys = trace.panels.map((p) => p.key);
    if (keys.join(',') !== this.#figures.map((f) => f.key).join(',')) this.#build(keys);
    const { timeSteps, units } = trace;
    trace.panels.forEach((panel, i) => {
      const { canvas, caption } = this.#figures[i]!;
      caption.textContent = panel.caption;
      canvas.setAttribute('aria-label', `${panel.caption}${what}`);
      if (panel.values.length !== timeSteps * units) return;
      const values = order ? permuteColumns(panel.values, timeSteps, units, order) : panel.values;
      renderHeatmap(canvas, values, timeSteps, units, panel.min, panel.max);
      canvas.dataset.min = String(panel.min);
      canvas.dataset.max = String(panel.max);
    });
    this.#host.dataset.unitOrder = order ? order.join(',') : '';
    this.#showScales(trace);
  }

  /** Empties the heatmaps (they keep their place). */
  clear(): void {
    for (const { canvas } of this.#figures)
      canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
  }

  #build(keys: readonly string[]): void {
    this.#figures = keys.map((key) => {
      const figure = document.createElement('figure');
      const wrap = document.createElement('div');
      wrap.className = 'heat-wrap';
      const canvas = document.createElement('canvas');
      canvas.className = 'heat';
      canvas.dataset.testid = `${this.#testIdPrefix}${key}`;
      const marker = document.createElement('div');
      marker.className = 'heat-marker';
      marker.hidden = true;
      const caption = document.createElement('figcaption');
      wrap.append(canvas, marker);
      figure.append(wrap, caption);
      this.#onCanvas(canvas);
      return { key, canvas, marker, caption };
    });
    this.#host.replaceChildren(...this.#figures.map((f) => f.canvas.closest('figure') as HTMLElement));
  }

  /** One colour bar per value range, naming the pictures that use it. */
  #showScales(trace: GateTrace): void {
    const host = this.#scaleHost;
    if (!host) return;
    const groups = new Map<string, { names: string[]; min: number; max: number }>();
    for (const p of trace.panels) {
      const id = `${p.min},${p.max}`;
      const name = p.key === 'hCandidate' ? 'h̃' : p.key;
      const group = groups.get(id);
      if (group) group.names.push(name);
      else groups.set(id, { names: [name], min: p.min, max: p.max });
    }
    const signature = JSON.stringify([...groups.values()]);
    if (signature === this.#scales) return;
    this.#scales = signature;
    host.replaceChildren(
      ...[...groups.values()].map(({ names, min, max }) => {
        const name = names.join(', ');
        const item = document.createElement('figure');
        const bar = document.createElement('canvas');
        const n = 64;
        const values = Float32Array.from({ length: n }, (_, i) => min + ((max - min) * i) / (n - 1));
        renderHeatmap(bar, values, 1, n, min, max);
        const mid = (min + max) / 2;
        bar.setAttribute('role', 'img');
        bar.setAttribute(
          'aria-label',
          `colour scale of ${name}: blue ${tickLabel(min)}, white ${tickLabel(mid)}, red ${tickLabel(max)}`,
        );
        const ticks = document.createElement('div');
        ticks.className = 'ticks';
        for (const v of [min, mid, max]) {
          const t = document.createElement('span');
          t.textContent = tickLabel(v);
          ticks.append(t);
        }
        const caption = document.createElement('figcaption');
        caption.textContent = name;
        item.append(caption, bar, ticks);
        return item;
      }),
    );
  }
}
