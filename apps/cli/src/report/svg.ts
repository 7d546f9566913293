// Small, dependency-free SVG charts for the training report.

export interface Series {
  readonly name: string;
  /** One value per epoch (x = 1, 2, ...); NaN or missing values leave a gap. */
  readonly values: readonly number[];
  readonly color: string;
  readonly dashed?: boolean;
}

export interface LineChartOptions {
  readonly title: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly width?: number;
  readonly height?: number;
  /** Fixed y range; default: the data's range with a margin. */
  readonly yRange?: readonly [number, number];
  /** Label of the x axis. Default `'epoch'`. */
  readonly xLabel?: string;
  /** One label per point instead of epoch numbers (x = 1, 2, ... still). */
  readonly xTicks?: readonly string[];
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function niceTicks(min: number, max: number, count: number): number[] {
  const span = max - min || 1;
  const step0 = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => span / s <= count) ?? magnitude * 10;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Width of an average glyph of the charts' sans-serif font, in em (generous for digits and parentheses). */
export const LABEL_EM = 0.62;

/** A line chart of per-epoch values, e.g. train vs validation loss. */
export function lineChartSvg(options: LineChartOptions): string {
  const width = options.width ?? 480;
  const height = options.height ?? 300;
  // The first and last x labels are centred on the plot's edges: leave room for half of each.
  const halfLabel = (label: string | undefined): number =>
    Math.ceil(((label ?? '').length * LABEL_EM * 11) / 2) + 4;
  const margin = {
    top: 36,
    right: Math.max(16, halfLabel(options.xTicks?.at(-1))),
    bottom: 44,
    left: Math.max(56, halfLabel(options.xTicks?.[0])),
  };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const finite = options.series.flatMap((s) => s.values.filter(Number.isFinite));
  const epochs = Math.max(1, ...options.series.map((s) => s.values.length));
  let [yMin, yMax] = options.yRange ?? [Math.min(...finite), Math.max(...finite)];
  if (!Number.isFinite(yMin) || !Number.isFinite(yMax)) [yMin, yMax] = [0, 1];
  if (yMin === yMax) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  if (!options.yRange) {
    const pad = (yMax - yMin) * 0.08;
    [yMin, yMax] = [yMin - pad, yMax + pad];
  }
  const x = (epoch: number): number =>
    margin.left + (epochs === 1 ? plotW / 2 : ((epoch - 1) / (epochs - 1)) * plotW);
  const y = (v: number): number => margin.top + (1 - (v - yMin) / (yMax - yMin)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="600">${escapeXml(options.title)}</text>`,
  ];
  for (const t of niceTicks(yMin, yMax, 5)) {
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${margin.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" fill="#555">${Number(t.toPrecision(4))}</text>`,
    );
  }
  const ticks = options.xTicks
    ? options.xTicks.map((label, i) => [i + 1, label] as const)
    : niceTicks(1, epochs, Math.min(epochs, 10))
        .filter((e) => Number.isInteger(e))
        .map((e) => [e, String(e)] as const);
  for (const [t, label] of ticks) {
    parts.push(
      `<text x="${x(t).toFixed(1)}" y="${margin.top + plotH + 16}" text-anchor="middle" fill="#555">${escapeXml(label)}</text>`,
    );
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 8}" text-anchor="middle" fill="#333">${escapeXml(options.xLabel ?? 'epoch')}</text>`,
    `<text transform="translate(14 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#333">${escapeXml(options.yLabel)}</text>`,
  );
  options.series.forEach((s, i) => {
    const segments: string[] = [];
    let current = '';
    s.values.forEach((v, e) => {
      if (!Number.isFinite(v)) {
        if (current) segments.push(current);
        current = '';
        return;
      }
      current += `${current ? ' L' : 'M'}${x(e + 1).toFixed(1)} ${y(v).toFixed(1)}`;
    });
    if (current) segments.push(current);
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    for (const d of segments) {
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    }
    s.values.forEach((v, e) => {
      if (Number.isFinite(v)) {
        parts.push(`<circle cx="${x(e + 1).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
      }
    });
    const lx = margin.left + 8 + i * 120;
    parts.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${margin.top + 12}" y2="${margin.top + 12}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 22}" y="${margin.top + 16}" fill="#333">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** A confusion matrix as a heat map; rows are true classes, columns predicted classes. */
export function confusionMatrixSvg(
  matrix: readonly (readonly number[])[],
  classNames: readonly string[],
): string {
  const n = classNames.length;
  const cell = n <= 10 ? 40 : n <= 20 ? 26 : 14;
  const labelW = Math.min(120, 8 + 7 * Math.max(...classNames.map((c) => c.length)));
  const top = 40 + labelW;
  const left = 30 + labelW;
  const width = left + n * cell + 16;
  const height = top + n * cell + 16;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left + (n * cell) / 2}" y="18" text-anchor="middle" font-size="14" font-weight="600">Confusion matrix (rows: true, columns: predicted)</text>`,
  ];
  for (let i = 0; i < n; i++) {
    const row = matrix[i] ?? [];
    const total = row.reduce((a, b) => a + b, 0) || 1;
    parts.push(
      `<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${escapeXml(classNames[i]!)}</text>`,
      `<text transform="translate(${left + i * cell + cell / 2 + 4} ${top - 6}) rotate(-60)">${escapeXml(classNames[i]!)}</text>`,
    );
    for (let j = 0; j < n; j++) {
      const count = row[j] ?? 0;
      const share = count / total;
      const shade = Math.round(255 * (1 - share));
      const fill =
        i === j
          ? `rgb(${shade}, ${Math.round(255 - share * 120)}, ${shade})`
          : `rgb(255, ${shade}, ${shade})`;
      parts.push(
        `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#ddd"><title>${escapeXml(`${classNames[i]} → ${classNames[j]}: ${count}`)}</title></rect>`,
      );
      if (cell >= 26 && count > 0) {
        parts.push(
          `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" font-size="${cell >= 40 ? 11 : 9}" fill="${share > 0.6 ? '#fff' : '#222'}">${count}</text>`,
        );
      }
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** A self-contained HTML page that shows a report: a title, a table of facts and inline SVG figures. */
export function reportHtml(options: {
  readonly title: string;
  readonly facts: readonly (readonly [string, string])[];
  readonly figures: readonly string[];
  /** The per-class table `gruvision eval` prints: precision, recall, F1 and support of each class. */
  readonly perClass?: readonly {
    className: string;
    precision: number;
    recall: number;
    f1: number;
    support: number;
  }[];
}): string {
  const rows = options.facts
    .map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`)
    .join('\n');
  const perClass = options.perClass
    ? `<table class="per-class">
<tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>
${options.perClass
  .map(
    (c) =>
      `<tr><th>${escapeXml(c.className)}</th><td>${c.precision.toFixed(3)}</td><td>${c.recall.toFixed(3)}</td><td>${c.f1.toFixed(3)}</td><td>${c.support}</td></tr>`,
  )
  .join('\n')}
</table>
`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(options.title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1040px; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
th { text-align: left; padding: 0.2rem 1rem 0.2rem 0; color: #555; font-weight: 500; }
td { padding: 0.2rem 0; font-variant-numeric: tabular-nums; }
.per-class td { padding-right: 1rem; text-align: right; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; }
svg { max-width: 100%; height: auto; border: 1px solid #eee; }
</style>
</head>
<body>
<h1>${escapeXml(options.title)}</h1>
<table>
${rows}
</table>
${perClass}<div class="figures">
${options.figures.join('\n')}
</div>
</body>
</html>
`;
}
