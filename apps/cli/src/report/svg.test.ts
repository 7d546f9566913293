import { describe, expect, it } from 'vitest';
import { confusionMatrixSvg, LABEL_EM, lineChartSvg, reportHtml } from './svg';

describe('report svg', () => {
  it('draws one path per continuous series with a point per epoch', () => {
    const svg = lineChartSvg({
      title: 'Loss',
      yLabel: 'loss',
      series: [
        { name: 'train', values: [1, 0.5, 0.25], color: '#1f77b4' },
        { name: 'validation', values: [1.1, Number.NaN, 0.3], color: '#ff7f0e', dashed: true },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(3); // validation is split by its gap
    expect(svg.match(/<circle /g)).toHaveLength(5);
    expect(svg).toContain('>validation</text>');
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

  it('draws a cell per class pair with counts and escapes names', () => {
    const svg = confusionMatrixSvg(
      [
        [5, 1],
        [0, 4],
      ],
      ['T-shirt/top', 'a<b'],
    );
    expect(svg.match(/<rect x=/g)).toHaveLength(4);
    expect(svg).toContain('a&#60;b');
    expect(svg).toContain('>5</text>');
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
