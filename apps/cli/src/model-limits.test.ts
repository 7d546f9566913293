import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODEL_LIMITS } from '@gruvision/classifier';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from './__fixtures__/memory-io';
import { commands } from './commands';
import { MODEL_LIMIT_FLAGS, modelLimitsFrom, withLimitFlag } from './model-limits';
import { run } from './program';

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'gruvision-cli-limits-'));
  // Two classes of 8×8 gray pictures, dark and light: a dataset small enough for a 65-layer model.
  for (const [name, ink] of [
    ['dark', 40],
    ['light', 220],
  ] as const) {
    mkdirSync(join(cwd, 'pictures', name), { recursive: true });
    for (let i = 0; i < 10; i++) {
      const data = new Uint8Array(64).map((_, j) => ink + ((i * 7 + j * 13) % 30));
      writeFileSync(
        join(cwd, 'pictures', name, `${i}.png`),
        encode({ width: 8, height: 8, data, channels: 1, depth: 8 }),
      );
    }
  }
});
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

describe('model size limit flags', () => {
  it('name every library limit, with the library defaults in their help', () => {
    expect(Object.keys(MODEL_LIMIT_FLAGS).sort()).toEqual(
      [...Object.keys(DEFAULT_MODEL_LIMITS), 'maxModelJsonBytes'].sort(),
    );
    for (const [name, { fallback }] of Object.entries(MODEL_LIMIT_FLAGS)) {
      const limit = DEFAULT_MODEL_LIMITS[name as keyof typeof DEFAULT_MODEL_LIMITS];
      if (limit !== undefined && !fallback.endsWith('B')) expect(Number(fallback), name).toBe(limit);
    }
    expect(modelLimitsFrom({ maxUnits: 8192, maxWeightSize: 2 ** 31, maxPixels: 5, json: true })).toEqual({
      maxUnits: 8192,
      maxWeightBytes: 2 ** 31,
    });
  });

  it('turn the library’s refusals into the flag that raises the limit', () => {
    expect(
      withLimitFlag(
        'spec.layers[0].units is 20000, more than the 4096 a gruvision model may have (limit maxUnits); ' +
          'loadClassifier would refuse the saved model. Use a smaller model, or raise limits.maxUnits here and when loading if you have the memory.',
      ),
    ).toBe(
      'spec.layers[0].units is 20000, more than the 4096 a gruvision model may have (limit maxUnits). ' +
        'Raise it with --max-units 20000 if you trust the model and have the memory (in every command that builds or loads this model).',
    );
    expect(
      withLimitFlag(
        '/m/model.json: userDefinedMetadata.gruvision weights (bytes) is 2000000000, more than the 1073741824 allowed (limit maxWeightBytes). ' +
          'A model this size could exhaust memory when it runs; raise maxWeightBytes only if you trust the model and have the memory.',
      ),
    ).toMatch(/\(limit maxWeightBytes\)\. Raise it with --max-weight-size 2000000000 if you trust/);
    expect(withLimitFlag('something else entirely')).toBeUndefined();
  });
});

describe('an oversized model through the CLI', () => {
  const tiny = () => [
    '--dataset',
    `folder:${join(cwd, 'pictures')}`,
    '--units',
    '1',
    '--epochs',
    '1',
    '--threads',
    '1',
    '--batch-size',
    '4',
  ];

  it('train --layers 65 is refused naming --max-layers; with --max-layers 65 it trains, and eval needs the same flag', async () => {
    const out = join(cwd, 'deep');
    const refused = memoryIo();
    expect(await run(['train', ...tiny(), '--layers', '65', '--out', out], refused, commands)).toBe(1);
    expect(refused.err()).toContain(
      'error: spec.layers (count) is 65, more than the 64 a gruvision model may have (limit maxLayers). ' +
        'Raise it with --max-layers 65 if you trust the model and have the memory',
    );
    expect(refused.err()).not.toContain('limits.maxLayers');

    const trained = memoryIo();
    expect(
      await run(
        ['train', ...tiny(), '--layers', '65', '--max-layers', '65', '--out', out],
        trained,
        commands,
      ),
    ).toBe(0);
    expect(trained.out()).toMatch(/test accuracy/);

    const evalRefused = memoryIo();
    expect(await run(['eval', out], evalRefused, commands)).toBe(1);
    expect(evalRefused.err()).toMatch(/\(limit maxLayers\)\. Raise it with --max-layers 65 /);
    const inspected = memoryIo();
    expect(await run(['inspect', out, '--max-layers', '65', '--json'], inspected, commands)).toBe(0);
    expect(JSON.parse(inspected.out()).spec.layers).toHaveLength(65);
  });
});
