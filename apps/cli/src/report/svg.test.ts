import { describe, expect, it } from 'vitest';
import { confusionMatrixSvg, LABEL_EM, lineChartSvg, reportHtml } from './svg';

describe('report svg', () => {
  it('shows the title, axis names, epoch numbers, round y values on their gridlines and a legend; a gap in a series breaks its line', () => {
    const svg = lineChartSvg({
      title: 'Loss',
      yLabel: 'loss',
      series: [
        { name: 'train', values: [1, 0.5, 0.25], color: '#1f77b4' },
        { name: 'validation', values: [1.1, Number.NaN, 0.3], color: '#ff7f0e', dashed: true },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    // Data 0.25…1.1, padded by 8 % of the span: 0.182…1.168; steps of 0.2 give five labels.
    expect(texts(svg)).toEqual([
      'Loss',
      ...['0.2', '0.4', '0.6', '0.8', '1'],
      ...['1', '2', '3'],
      'epoch',
      'loss',
      'train',
      'validation',
    ]);
    // A point of value 1 sits on the gridline labelled 1 (labels are drawn 4 px below their line).
    const labelY = Number(
      /<text x="[\d.]+" y="([\d.]+)" text-anchor="end" fill="#555">1<\/text>/.exec(svg)![1],
    );
    const first = /<circle cx="([\d.]+)" cy="([\d.]+)"/.exec(svg)!;
    expect(Number(first[2])).toBeCloseTo(labelY - 4, 1);
    // … and above the x label "1".
    const epochOneX = Number(
      /<text x="([\d.]+)" y="[\d.]+" text-anchor="middle" fill="#555">1<\/text>/.exec(svg)![1],
    );
    expect(Number(first[1])).toBeCloseTo(epochOneX, 1);
    expect(svg.match(/<path /g)).toHaveLength(3); // validation is split by its gap
    expect(svg.match(/<circle /g)).toHaveLength(5);
    expect(svg).not.toContain('NaN');
  });

  it('keeps the first and last x labels inside the picture (sweep labels such as "256 (221450)")', () => {
    const labels = ['32 (3562)', '64 (17866)', '128 (61450)', '256 (221450)'];
    const svg = lineChartSvg({
      title: 'Test accuracy by hidden units',
      yLabel: 'accuracy',
      xTicks: labels,
      series: [{ name: 'test accuracy', values: [0.9, 0.95, 0.97, 0.98], color: '#1f77b4' }],
    });
    const width = Number(/width="(\d+)"/.exec(svg)![1]);
    for (const label of [labels[0]!, labels.at(-1)!]) {
      const x = Number(
        new RegExp(`<text x="([\\d.]+)"[^>]*>${label.replace(/[()]/g, '\\$&')}</text>`).exec(svg)![1],
      );
      const half = (label.length * LABEL_EM * 11) / 2;
      expect(x - half, label).toBeGreaterThanOrEqual(0);
      expect(x + half, label).toBeLessThanOrEqual(width);
    }
  });

  it('labels rows and columns with the class names and shows each count in its cell, zeros blank', () => {
    const svg = confusionMatrixSvg(
      [
        [5, 1],
        [0, 4],
      ],
      ['T-shirt/top', 'a<b'],
    );
    // Title, then per row: its name on the left, its name above its column; then the non-zero counts.
    expect(texts(svg)).toEqual([
      'Confusion matrix (rows: true, columns: predicted)',
      'T-shirt/top',
      'T-shirt/top',
      '5',
      '1',
      'a<b',
      'a<b',
      '4',
    ]);
    // Hovering a cell names the pair and the count.
    expect([...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => unescapeXml(m[1]!))).toEqual([
      'T-shirt/top → T-shirt/top: 5',
      'T-shirt/top → a<b: 1',
      'a<b → T-shirt/top: 0',
      'a<b → a<b: 4',
    ]);
    expect(svg.match(/<rect x=/g)).toHaveLength(4);
    expect(svg).toContain('a&#60;b');
  });

  it('wraps facts and figures in a page', () => {
    const html = reportHtml({ title: 'Run', facts: [['accuracy', '98.1%']], figures: ['<svg></svg>'] });
    expect(html).toContain('<th>accuracy</th><td>98.1%</td>');
    expect(html).toContain('<svg></svg>');
  });
  it('puts the per-class table of gruvision eval into the report', () => {
    const html = reportHtml({
      title: 'Run',
      facts: [],
      figures: [],
      perClass: [
        { className: 'T-shirt/top', precision: 0.8123, recall: 0.9, f1: 0.85, support: 100 },
        { className: 'a<b', precision: 1, recall: 0.5, f1: 2 / 3, support: 4 },
      ],
    });
    expect(html).toContain(
      '<tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>',
    );
    expect(html).toContain(
      '<tr><th>T-shirt/top</th><td>0.812</td><td>0.900</td><td>0.850</td><td>100</td></tr>',
    );
    expect(html).toContain('<tr><th>a&#60;b</th><td>1.000</td><td>0.500</td><td>0.667</td><td>4</td></tr>');
  });
});

/** What `&#N;` escapes stand for. */
function unescapeXml(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

/** The texts a reader sees in an SVG, in drawing order. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => unescapeXml(m[1]!));
}
