import { describe, expect, it } from 'vitest';
import {
  MODEL_STROKE_SHARE,
  modelStrokeWidth,
  renderStrokes,
  StrokeHistory,
  type StrokeSurface,
  strokeBounds,
  toCanvasPoint,
} from './strokes';

function recorder(): StrokeSurface & { ops: string[] } {
  const ops: string[] = [];
  return {
    ops,
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 0,
    lineCap: 'butt',
    lineJoin: 'miter',
    fillRect: (x, y, w, h) => ops.push(`fill ${x},${y},${w},${h}`),
    beginPath: () => ops.push('begin'),
    moveTo: (x, y) => ops.push(`M${x},${y}`),
    lineTo: (x, y) => ops.push(`L${x},${y}`),
    stroke: () => ops.push('stroke'),
  };
}

describe('StrokeHistory', () => {
  it('records strokes, undoes the last and clears', () => {
    const h = new StrokeHistory();
    expect(h.isEmpty).toBe(true);
    h.begin({ x: 1, y: 1 });
    expect(h.extend({ x: 2, y: 2 })).toBe(true);
    expect(h.extend({ x: 2, y: 2 })).toBe(false);
    h.end();
    expect(h.extend({ x: 3, y: 3 })).toBe(false);
    h.begin({ x: 5, y: 5 });
    h.end();
    expect(h.strokes).toEqual([
      [
        { x: 1, y: 1 },
        { x: 2, y: 2 },
      ],
      [{ x: 5, y: 5 }],
    ]);
    expect(h.undo()).toBe(true);
    expect(h.strokes).toHaveLength(1);
    h.clear();
    expect(h.isEmpty).toBe(true);
    expect(h.undo()).toBe(false);
  });
});

describe('renderStrokes', () => {
  it('paints black, then each stroke in white round ink; a tap becomes a dot', () => {
    const s = recorder();
    renderStrokes(
      s,
      [
        [
          { x: 1, y: 2 },
          { x: 3, y: 4 },
        ],
        [{ x: 9, y: 9 }],
      ],
      10,
      10,
      2,
    );
    expect(s.ops).toEqual([
      'fill 0,0,10,10',
      'begin',
      'M1,2',
      'L3,4',
      'stroke',
      'begin',
      'M9,9',
      'L9.01,9',
      'stroke',
    ]);
    expect(s.strokeStyle).toBe('#fff');
    expect(s.lineCap).toBe('round');
    expect(s.lineWidth).toBe(2);
  });
});

describe('toCanvasPoint', () => {
  it('scales CSS offsets to canvas pixels and clamps to the canvas', () => {
    expect(toCanvasPoint(70, 35, 140, 140, 280, 280)).toEqual({ x: 140, y: 70 });
    expect(toCanvasPoint(-5, 500, 140, 140, 280, 280)).toEqual({ x: 0, y: 280 });
  });
});

describe('strokeBounds and modelStrokeWidth', () => {
  const tiny = [
    [
      { x: 130, y: 120 },
      { x: 150, y: 125 },
    ],
    [{ x: 135, y: 160 }],
  ];

  it('boxes every point of every stroke', () => {
    expect(strokeBounds(tiny)).toEqual({ x: 130, y: 120, width: 20, height: 40 });
    expect(strokeBounds([])).toBeNull();
  });

  it('scales the ink with the drawing, so a tiny digit keeps thin strokes after scaling up', () => {
    // 40 px tall: 4.4 px ink, not the pad's 20 px pen (a 2.2-px stroke once fitted into 20 px).
    expect(modelStrokeWidth(tiny)).toBeCloseTo(MODEL_STROKE_SHARE * 40, 10);
    // Two thirds of the 280-px pad: about the pad's own pen.
    const big = [
      [
        { x: 50, y: 40 },
        { x: 60, y: 227 },
      ],
    ];
    expect(modelStrokeWidth(big)).toBeCloseTo(20.6, 1);
    // A dot: the minimum.
    expect(modelStrokeWidth([[{ x: 5, y: 5 }]], 3)).toBe(3);
  });
});
