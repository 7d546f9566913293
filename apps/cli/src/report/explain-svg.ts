import type { Explanation } from '@gruvision/classifier';
import { encode } from 'fast-png';

// The picture `gruvision explain` draws: the image as the model saw it, the gates and hidden state
// of each recurrent layer per time step (one row of cells per step), and the class probabilities
// the head gives after each step. Each grid of cells is one PNG inside the SVG, one pixel per cell,
// scaled up without smoothing: a GRU-128 explanation is tens of kilobytes, not a megabyte of <rect>s.

function esc(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

type Rgb = readonly [number, number, number];

/** 0 → white, 1 → deep blue. */
export function sequential(v: number): Rgb {
  const t = Math.min(1, Math.max(0, v));
  return [Math.round(255 - 225 * t), Math.round(255 - 175 * t), Math.round(255 - 75 * t)];
}

/** −1 → blue, 0 → white, 1 → red. */
export function diverging(v: number): Rgb {
  const t = Math.min(1, Math.max(-1, v));
  if (t >= 0) return [255, Math.round(255 - 200 * t), Math.round(255 - 200 * t)];
  return [Math.round(255 + 200 * t), Math.round(255 + 200 * t), 255];
}

/**
 * A `rows`×`columns` grid of colored cells as an SVG `<image>`: a PNG with one pixel per cell, drawn
 * `cellW`×`cellH` per cell without smoothing.
 */
function cellImage(
  rows: number,
  columns: number,
  color: (row: number, column: number) => Rgb,
  box: { x: number; y: number; cellW: number; cellH: number },
): string {
  const data = new Uint8Array(rows * columns * 3);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) data.set(color(r, c), (r * columns + c) * 3);
  }
  const png = Buffer.from(encode({ width: columns, height: rows, data, channels: 3, depth: 8 })).toString(
    'base64',
  );
  return (
    `<image x="${box.x}" y="${box.y}" width="${columns * box.cellW}" height="${rows * box.cellH}" ` +
    `preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,${png}"/>`
  );
}

interface Panel {
  readonly title: string;
  readonly values: Float32Array;
  readonly columns: number;
  readonly color: (v: number) => Rgb;
  readonly columnLabels?: readonly string[];
  /** A line under the panel (the update-gate convention of a z panel). */
  readonly note?: string;
}

/** The convention an update-gate picture shows (Keras' z by default). */
export function updateGateNote(updateGate: 'keepsOld' | 'takesNew' | undefined): string {
  return updateGate === 'takesNew'
    ? 'z = 1 takes the new candidate (founding text)'
    : 'z = 1 keeps the old state (Keras)';
}

/**
 * An SVG explaining how the model read one image. `updateGates` names each GRU layer's update-gate
 * convention (by layer name; default Keras'), written under every z panel.
 */
export function explanationSvg(
  e: Explanation,
  classNames: readonly string[],
  updateGates: Readonly<Record<string, 'keepsOld' | 'takesNew'>> = {},
): string {
  const T = e.timeSteps;
  const rowH = Math.max(4, Math.min(12, Math.floor(360 / T)));
  const top = 64;
  const plotH = T * rowH;
  const parts: string[] = [];
  let x = 16;

  // The image the model saw, scaled so its rows line up with the time steps when the view is rows.
  const img = e.image;
  const scale = img.height === T ? rowH : Math.max(1, Math.floor(plotH / img.height));
  const imgW = img.width * scale;
  parts.push(
    `<text x="${x}" y="${top - 10}" font-weight="600">input (${img.width}×${img.height})</text>`,
    cellImage(
      img.height,
      img.width,
      (yy, xx) => {
        const base = (yy * img.width + xx) * img.channels;
        const channels = Math.min(3, img.channels);
        let v = 0;
        for (let c = 0; c < channels; c++) v += img.pixels[base + c]!;
        v = Math.round(v / channels);
        return [v, v, v];
      },
      { x, y: top, cellW: scale, cellH: scale },
    ),
  );
  parts.push(
    `<rect x="${x}" y="${top}" width="${imgW}" height="${img.height * scale}" fill="none" stroke="#888"/>`,
  );
  x += imgW + 24;

  const panels: Panel[] = [];
  for (const layer of e.layers) {
    const name = `${layer.layer}${layer.direction === 'backward' ? ' (backward)' : ''}`;
    for (const [gate, values] of Object.entries(layer.gates)) {
      const isUnit = gate !== 'c' && gate !== 'hCandidate';
      panels.push({
        title: `${name} ${gate === 'hCandidate' ? 'ĥ' : gate}`,
        values,
        columns: layer.units,
        color: isUnit ? sequential : diverging,
        ...(gate === 'z' && layer.gates.r ? { note: updateGateNote(updateGates[layer.layer]) } : {}),
      });
    }
    panels.push({ title: `${name} h`, values: layer.h, columns: layer.units, color: diverging });
  }
  panels.push({
    title: 'class probability after each step',
    values: e.stepProbabilities,
    columns: classNames.length,
    color: sequential,
    columnLabels: classNames,
  });

  for (const panel of panels) {
    const cellW = panel.columnLabels ? 18 : Math.max(1, Math.min(4, Math.floor(256 / panel.columns)));
    const w = panel.columns * cellW;
    parts.push(`<text x="${x}" y="${top - 10}" font-weight="600">${esc(panel.title)}</text>`);
    parts.push(
      cellImage(T, panel.columns, (t, u) => panel.color(panel.values[t * panel.columns + u]!), {
        x,
        y: top,
        cellW,
        cellH: rowH,
      }),
    );
    parts.push(`<rect x="${x}" y="${top}" width="${w}" height="${plotH}" fill="none" stroke="#888"/>`);
    if (panel.note) {
      parts.push(`<text x="${x}" y="${top + plotH + 14}" font-size="10">${esc(panel.note)}</text>`);
    }
    if (panel.columnLabels) {
      panel.columnLabels.forEach((label, u) => {
        parts.push(
          `<text transform="translate(${x + u * cellW + cellW / 2 + 3} ${top + plotH + 6}) rotate(60)" font-size="10">${esc(label)}</text>`,
        );
      });
      // The most probable class after each step.
      e.steps.forEach((s, t) => {
        parts.push(
          `<text x="${x + w + 6}" y="${top + t * rowH + rowH - 1}" font-size="${Math.min(10, rowH)}">${esc(s.className)} ${(s.probability * 100).toFixed(0)}%</text>`,
        );
      });
    }
    x += w + (panel.columnLabels ? 110 : 20);
  }
  const width = x + 16;
  const height = top + plotH + 90;
  const title = `prediction: ${e.prediction.className} (${(e.prediction.probability * 100).toFixed(1)}%) — ${T} steps × ${e.features} features`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="16" y="24" font-size="15" font-weight="600">${esc(title)}</text>`,
    ...parts,
    `<text x="16" y="${height - 12}" fill="#555">rows: time steps (top = first). z, r: 0 white → 1 blue; h, ĥ, c: −1 blue → 0 white → +1 red.</text>`,
    '</svg>',
    '',
  ].join('\n');
}
