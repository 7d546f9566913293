import type { Explanation } from '@gruvision/classifier';

// The picture `gruvision explain` draws: the image as the model saw it, the gates and hidden state
// of each recurrent layer per time step (one row of cells per step), and the class probabilities
// the head gives after each step.

function esc(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** 0 → white, 1 → deep blue. */
function sequential(v: number): string {
  const t = Math.min(1, Math.max(0, v));
  return `rgb(${Math.round(255 - 225 * t)}, ${Math.round(255 - 175 * t)}, ${Math.round(255 - 75 * t)})`;
}

/** −1 → blue, 0 → white, 1 → red. */
function diverging(v: number): string {
  const t = Math.min(1, Math.max(-1, v));
  if (t >= 0) return `rgb(255, ${Math.round(255 - 200 * t)}, ${Math.round(255 - 200 * t)})`;
  return `rgb(${Math.round(255 + 200 * t)}, ${Math.round(255 + 200 * t)}, 255)`;
}

interface Panel {
  readonly title: string;
  readonly values: Float32Array;
  readonly columns: number;
  readonly color: (v: number) => string;
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
    `<rect x="${x}" y="${top}" width="${imgW}" height="${img.height * scale}" fill="#000"/>`,
  );
  for (let yy = 0; yy < img.height; yy++) {
    for (let xx = 0; xx < img.width; xx++) {
      const base = (yy * img.width + xx) * img.channels;
      let v = 0;
      for (let c = 0; c < Math.min(3, img.channels); c++) v += img.pixels[base + c]!;
      v = Math.round(v / Math.min(3, img.channels));
      if (v === 0) continue;
      parts.push(
        `<rect x="${x + xx * scale}" y="${top + yy * scale}" width="${scale}" height="${scale}" fill="rgb(${v},${v},${v})"/>`,
      );
    }
  }
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
    for (let t = 0; t < T; t++) {
      for (let u = 0; u < panel.columns; u++) {
        const v = panel.values[t * panel.columns + u]!;
        parts.push(
          `<rect x="${x + u * cellW}" y="${top + t * rowH}" width="${cellW}" height="${rowH}" fill="${panel.color(v)}"/>`,
        );
      }
    }
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
