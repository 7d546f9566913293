import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { barsModel, barsSet } from './__fixtures__/synthetic';
import { useTempFolder } from './__fixtures__/temp-folder';
import { parseModelJson } from './artifact';
import { GruClassifier } from './classifier';
import { GruClassifierError } from './errors';
import { checkpointDirectory, loadCheckpoint, loadClassifier, saveClassifier } from './node-io';

// Model metadata and checkpoints read back from disk: every field is checked by a schema, every size
// a model may ask for is bounded by a limit that names the field, and every refusal is a typed error.

// biome-ignore lint/suspicious/noExplicitAny: tests edit untrusted JSON field by field.
type Json = Record<string, any>;

const train = barsSet(30, 1);
const small = barsModel(6, 3);

const root = useTempFolder('untrusted');
let modelText: string;
let ckptDir: string;
beforeAll(async () => {
  const model = await GruClassifier.create(small);
  ckptDir = join(root(), 'ckpt');
  await model.fit(train, {
    epochs: 2,
    batchSize: 10,
    checkpoint: { save: checkpointDirectory(ckptDir, { runId: 'run-a' }).save },
  });
  await saveClassifier(model, join(root(), 'model'));
  modelText = await readFile(join(root(), 'model', 'model.json'), 'utf8');
});

/** model.json with its gruvision metadata changed by `edit`. */
function edited(edit: (meta: Json, json: Json) => void): string {
  const json = JSON.parse(modelText);
  edit(json.userDefinedMetadata.gruvision, json);
  return JSON.stringify(json);
}

function refusal(text: string, limits = {}): GruClassifierError {
  try {
    parseModelJson(text, 'm/model.json', limits);
  } catch (error) {
    expect(GruClassifierError.isInstance(error)).toBe(true);
    return error as GruClassifierError;
  }
  throw new Error('parseModelJson accepted the file');
}

describe('model metadata is checked field by field', () => {
  it('refuses a training summary without an optimizer, naming the field', () => {
    const e = refusal(edited((m) => delete m.training.optimizer));
    expect(e.code).toBe('INVALID_MODEL');
    expect(e.message).toBe(
      'm/model.json: userDefinedMetadata.gruvision.training.optimizer is missing. Save the model again with gruvision.',
    );
  });

  it('refuses an unknown cell as a typed error (found by pnpm fuzz:model --seed 15)', () => {
    for (const cell of ['../../etc/passwd', '', 'abcdabcdabcdabcd']) {
      const e = refusal(edited((m) => (m.spec.layers[0].cell = cell)));
      expect(e.code).toBe('INVALID_MODEL');
      expect(e.message).toContain(
        `userDefinedMetadata.gruvision.spec is invalid: spec.layers[0].cell must be "gru", "lstm", "simpleRnn", "mingru" or "minlstm", got ${JSON.stringify(cell)}.`,
      );
    }
  });

  it('refuses a string loss and a non-finite seed', () => {
    expect(refusal(edited((m) => (m.training.loss = 'low'))).message).toContain(
      'userDefinedMetadata.gruvision.training.loss must be',
    );
    expect(refusal(edited((m) => (m.training.loss = 'low'))).message).toContain('got "low"');
    expect(refusal(edited((m) => (m.seed = '1e999'))).message).toContain(
      'userDefinedMetadata.gruvision.seed',
    );
  });

  it('refuses deep nesting as a typed error, in text and as a parsed object', () => {
    const deep = modelText.replace(
      '"userDefinedMetadata":{',
      `"junk":${'['.repeat(100_000)}${']'.repeat(100_000)},"userDefinedMetadata":{`,
    );
    const e = refusal(deep);
    expect(e.message).toBe(
      'm/model.json: nests deeper than 64 levels. This is not a gruvision model.json; save the model again with gruvision.',
    );
    let nested: unknown[] = [];
    const top = nested;
    for (let i = 0; i < 100_000; i++) nested = (nested[0] = []) as unknown[];
    const json = JSON.parse(modelText);
    json.junk = top;
    expect(() => parseModelJson(json, 'm/model.json')).toThrow('nests deeper than 64 levels');
  });

  it('bounds what a model may ask for at predict time, naming the field and the limit', () => {
    const cases: [Parameters<typeof edited>[0], string][] = [
      [
        (m) => (m.spec.timeSteps = 1_000_000),
        'spec.timeSteps is 1000000, more than the 16384 allowed (limit maxTimeSteps)',
      ],
      [
        (m) => (m.spec.classes = 100_000),
        'spec.classes is 100000, more than the 16384 allowed (limit maxClasses)',
      ],
      [
        (m) => (m.input = { height: 65_536, width: 65_536, channels: 1 }),
        'input (height × width × channels) is 4294967296, more than the 16777216 allowed (limit maxInputValues)',
      ],
      [
        (m) => (m.spec.layers[0].units = 20_000),
        'spec.layers[0].units is 20000, more than the 4096 allowed (limit maxUnits)',
      ],
      [
        (m) => (m.spec.features = 1_000_000),
        'spec.features is 1000000, more than the 65536 allowed (limit maxFeatures)',
      ],
    ];
    for (const [edit, message] of cases) {
      const e = refusal(edited(edit));
      expect(e.code).toBe('TOO_LARGE');
      expect(e.message).toContain(`userDefinedMetadata.gruvision ${message}.`);
    }
    // A limit can be raised on purpose: the file is then judged on its other merits.
    const raised = refusal(edited(cases[0]![0]), { maxTimeSteps: 2_000_000 });
    expect(raised.code).not.toBe('TOO_LARGE');
  });
});

describe('what the loader refuses, training refuses first', () => {
  it('refuses 65 layers and 20000 units before allocating anything', async () => {
    const layers = await GruClassifier.create({ ...small, layers: 65 }).catch((e: unknown) => e);
    expect((layers as GruClassifierError).code).toBe('TOO_LARGE');
    expect((layers as Error).message).toMatch(
      /^spec\.layers \(count\) is 65, more than the 64 a gruvision model may have \(limit maxLayers\); loadClassifier would refuse the saved model\./,
    );
    const units = await GruClassifier.create({ ...small, units: 20_000 }).catch((e: unknown) => e);
    expect((units as Error).message).toMatch(/^spec\.layers\[0\]\.units is 20000, more than the 4096/);
  });

  it('a model created with raised limits loads with the same raised limits', async () => {
    const limits = { maxUnits: 4 };
    const model = await GruClassifier.create({ ...small, units: 5 }).catch((e: unknown) => e);
    expect(model).toBeInstanceOf(GruClassifier);
    await expect(GruClassifier.create({ ...small, units: 5, limits })).rejects.toThrow('limit maxUnits');
    await saveClassifier(model as GruClassifier, join(root(), 'units5'));
    await expect(loadClassifier(join(root(), 'units5'), { limits })).rejects.toThrow('limit maxUnits');
  });
});

describe('checkpoints are checked field by field', () => {
  async function copyCheckpoint(name: string): Promise<string> {
    const dir = join(root(), name);
    const { cp } = await import('node:fs/promises');
    await cp(ckptDir, dir, { recursive: true });
    return dir;
  }
  const epochDir = (dir: string) => join(dir, 'epoch-0002');
  async function editJson(file: string, edit: (json: Json) => void): Promise<void> {
    const json = JSON.parse(await readFile(file, 'utf8'));
    edit(json);
    await writeFile(file, JSON.stringify(json));
  }

  it("latest() removes a killed writer's latest.json temporary file, and keeps a live writer's", async () => {
    const gone = join(ckptDir, '.latest.json.tmp-2147483646-0badf00d');
    const live = join(ckptDir, `.latest.json.tmp-${process.pid}-0badf00d`);
    await writeFile(gone, '{"epoch"');
    await writeFile(live, '{"epoch"');
    const latest = await checkpointDirectory(ckptDir, { runId: 'run-a' }).latest();
    expect(latest?.epoch).toBe(2);
    const names = await readdir(ckptDir);
    expect(names).not.toContain('.latest.json.tmp-2147483646-0badf00d');
    expect(names).toContain(`.latest.json.tmp-${process.pid}-0badf00d`);
    await rm(live);
  });

  it('records the run id and refuses a checkpoint of another run', async () => {
    expect((await loadCheckpoint(ckptDir)).runId).toBe('run-a');
    await expect(loadCheckpoint(ckptDir, { runId: 'run-b' })).rejects.toThrow(
      /epoch-0002: belongs to run run-a, not to run run-b being resumed\. The folder mixes two training runs/,
    );
    await expect(checkpointDirectory(ckptDir, { runId: 'run-b' }).latest()).rejects.toThrow(
      'belongs to run run-a',
    );
  });

  it('refuses junk history with the field named', async () => {
    const dir = await copyCheckpoint('junk-history');
    await editJson(join(epochDir(dir), 'checkpoint.json'), (j) => {
      j.state.history = [{ epoch: 'one' }, 7];
    });
    const e = (await loadCheckpoint(dir).catch((x: unknown) => x)) as GruClassifierError;
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message).toContain(
      'epoch-0002/checkpoint.json: state.history.0.epoch must be number, got "one".',
    );
  });

  it('refuses a slot named __proto__ and NaN in optimizer.bin', async () => {
    const dir = await copyCheckpoint('proto');
    await editJson(join(epochDir(dir), 'checkpoint.json'), (j) => {
      j.optimizer.slots[0].name = '__proto__';
    });
    await expect(loadCheckpoint(dir)).rejects.toThrow(/checkpoint\.json: optimizer\.slots\.0\.name must be/);
    const nan = await copyCheckpoint('nan');
    const bytes = await readFile(join(epochDir(nan), 'optimizer.bin'));
    new DataView(bytes.buffer, bytes.byteOffset).setFloat32(8, Number.NaN, true);
    await writeFile(join(epochDir(nan), 'optimizer.bin'), bytes);
    await expect(loadCheckpoint(nan)).rejects.toThrow(
      /optimizer\.bin: slot "m" holds NaN at index 2; optimizer state must be finite\./,
    );
  });

  it('a latest.json naming a missing folder is a typed error; a missing latest.json hides nothing', async () => {
    const dir = await copyCheckpoint('gone');
    for (const name of await readdir(dir))
      if (name.startsWith('epoch-')) await rm(join(dir, name), { recursive: true });
    const e = (await loadCheckpoint(dir).catch((x: unknown) => x)) as GruClassifierError;
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message).toContain(
      'latest.json: names epoch-0002, but there is no complete epoch-NNNN checkpoint folder',
    );
    // A kill during the first latest.json write: the epoch folder is complete, latest.json absent.
    const first = await copyCheckpoint('no-latest');
    await rm(join(first, 'latest.json'));
    await rm(join(first, 'epoch-0002'), { recursive: true });
    expect((await loadCheckpoint(first)).epoch).toBe(1);
    expect((await checkpointDirectory(first).latest())?.epoch).toBe(1);
    // latest.json lagging behind a complete newer folder (killed between the two writes): the newer one wins.
    const lagging = await copyCheckpoint('lagging');
    await writeFile(join(lagging, 'latest.json'), JSON.stringify({ epoch: 1, dir: 'epoch-0001' }));
    expect((await loadCheckpoint(lagging)).epoch).toBe(2);
  });
});

describe('outputs that are not numbers are errors, not results', () => {
  it('weights of ±3.4e38 give NON_FINITE_OUTPUT from predict, evaluate and explain', async () => {
    const model = await GruClassifier.create(small);
    model.setWeights(
      model.getWeights().map((w) => ({
        ...w,
        values: w.values.map((_, i) => (i % 2 === 0 ? 3.4e38 : -3.4e38)),
      })),
    );
    const dir = join(root(), 'huge-weights');
    await saveClassifier(model, dir);
    const loaded = await loadClassifier(dir);
    const predicted = (await loaded.predict(train).catch((e: unknown) => e)) as GruClassifierError;
    expect(predicted.code).toBe('NON_FINITE_OUTPUT');
    expect(predicted.message).toMatch(
      /^The model in .*huge-weights produced (NaN|-?Infinity|[\d.e+-]+) as a probability \(image 0, class \d\): its weights overflow the network/,
    );
    await expect(loaded.evaluate(train)).rejects.toThrow('its weights overflow the network');
    await expect(loaded.explain(train, 1)).rejects.toThrow('its weights overflow the network');
  });
});
