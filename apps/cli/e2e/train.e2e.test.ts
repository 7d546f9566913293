import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectTrainedFolder, expectUsageError, ndjson, tempDir, writeDigitPngs } from './fixtures';
import { runCli } from './run-cli';

// One small model trained once (GRU-32 on 3 000 MNIST images), then every command that reads a
// model runs on it, as a user would in a terminal.
const cwd = tempDir('train');
const modelDir = join(cwd, 'digits');
// biome-ignore format: one command line reads best on one line
const small = ['--limit', '3000', '--test-limit', '500', '--units', '32', '--epochs', '4', '--batch-size', '32', '--lr', '5e-3'];
/** A one-epoch run on `limit` MNIST images (quick: for checks that need some model, not a good one). */
function trainQuick(out: string, limit: number, testLimit: number, units: number) {
  const sizes = { '--limit': limit, '--test-limit': testLimit, '--units': units, '--epochs': 1 };
  return runCli(['train', ...Object.entries(sizes).flatMap(([k, v]) => [k, String(v)]), '--out', out], {
    cwd,
  });
}
let trainOut: Record<string, unknown>[] = [];
let trainErr = '';

beforeAll(async () => {
  const result = await runCli(['train', ...small, '--out', modelDir, '--json'], { cwd });
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.code).toBe(0);
  trainOut = ndjson(result.stdout);
  trainErr = result.stderr;
}, 180_000);

describe('gruvision train', () => {
  it('streams NDJSON events and ends with the documented result document', () => {
    const types = trainOut.map((e) => e.type);
    expect(types[0]).toBe('trainBegin');
    expect(types.filter((t) => t === 'epoch')).toHaveLength(4);
    const result = trainOut.at(-1)!;
    expect(result.type).toBe('result');
    expect(result.modelDir).toBe(modelDir);
    expect(result.testCount).toBe(500);
    // GRU-32 on 3 000 images for 4 epochs reaches about 84% (10% is guessing).
    expect(result.testAccuracy).toBeGreaterThan(0.75);
    expect(trainErr).toContain('epoch 4/4');
  });

  it('writes the model, its report and its checkpoints', () => {
    expectTrainedFolder(modelDir);
    const modelJson = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.userDefinedMetadata.gruvision.classNames).toHaveLength(10);
    expect(readFileSync(join(modelDir, 'report.html'), 'utf8')).toContain('test accuracy');
    expect(existsSync(join(`${modelDir}.checkpoints`, 'latest.json'))).toBe(true);
  });

  it('prints plain text without --json: test accuracy and where the model went', async () => {
    const out = join(cwd, 'plain');
    const result = await trainQuick(out, 200, 100, 8);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^test accuracy \d+\.\d\d% \(\d+\/100\)/m);
    expect(result.stdout).toContain(`model saved to ${out}`);
    expect(result.stderr).toContain('epoch 1/1');
  });

  it('resumes from its checkpoints with more epochs', async () => {
    const out = join(cwd, 'resumable');
    const first = await trainQuick(out, 300, 100, 8);
    expect(first.code).toBe(0);
    const again = await runCli(['train', '--resume', `${out}.checkpoints`, '--epochs', '2', '--json'], {
      cwd,
    });
    expect(again.stderr).toContain('resuming');
    expect(again.code).toBe(0);
    const events = ndjson(again.stdout);
    expect(events.filter((e) => e.type === 'epoch').map((e) => e.epoch)).toEqual([2]);
    expect(events.at(-1)).toMatchObject({ type: 'result', epochs: 2, modelDir: out });
  });

  it('rejects bad options with exit code 2 and a message naming the option', async () => {
    expectUsageError(
      await runCli(['train', '--epochs', '0'], { cwd }),
      "option '--epochs <n>' argument '0' is invalid. expected a positive whole number",
    );
    expectUsageError(
      await runCli(['train', '--cell', 'transformer'], { cwd }),
      'expected one of gru, lstm, rnn',
    );
  });

  it('names a missing dataset folder with exit code 1 and no stack trace', async () => {
    const result = await runCli(['train', '--dataset', `idx:${join(cwd, 'nowhere')}`], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(join(cwd, 'nowhere'));
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('commands on a trained model', () => {
  it('eval prints accuracy, per-class metrics and the confusion matrix', async () => {
    const result = await runCli(['eval', modelDir, '--test-limit', '300'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^accuracy \d+\.\d\d% on 300 images of mnist/m);
    expect(result.stdout).toContain('precision');
    expect(result.stdout).toContain('confusion matrix (rows: true class, columns: predicted class)');
    const json = await runCli(['eval', modelDir, '--test-limit', '300', '--json'], { cwd });
    const doc = JSON.parse(json.stdout);
    expect(doc.count).toBe(300);
    expect(doc.accuracy).toBeGreaterThan(0.75);
    expect(doc.confusion).toHaveLength(10);
    expect(doc.perClass[0]).toHaveProperty('f1');
  });

  it('predict names real digit pictures (dark ink on light paper, any size)', async () => {
    const digits = await writeDigitPngs(cwd, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const result = await runCli(['predict', modelDir, ...digits.map((d) => d.file), '--json'], { cwd });
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as {
      file: string;
      label: number;
      className: string;
      probability: number;
      top: unknown[];
    }[];
    expect(rows.map((r) => r.file)).toEqual(digits.map((d) => d.file));
    expect(rows[0]!.top).toHaveLength(3);
    const correct = rows.filter((r, i) => r.label === digits[i]!.label).length;
    expect(correct).toBeGreaterThanOrEqual(7);
    const text = await runCli(['predict', modelDir, digits[0]!.file], { cwd });
    expect(text.stdout).toMatch(/digit-0\.png: \d \(\d+\.\d%\)/);
  });

  it('predict refuses a non-image file and a missing file, naming them', async () => {
    const notes = join(cwd, 'notes.txt');
    writeFileSync(notes, 'just text');
    const bad = await runCli(['predict', modelDir, notes], { cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${notes}: not a PNG or JPEG image`);
    const missing = await runCli(['predict', modelDir, join(cwd, 'nope.png')], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.png');
    expect(missing.stdout).toBe('');
  });

  it('explain draws the gates and prints how the belief formed', async () => {
    const [digit] = await writeDigitPngs(cwd, [0]);
    const svg = join(cwd, 'seven.svg');
    const result = await runCli(['explain', modelDir, digit!.file, '--out', svg, '--json'], { cwd });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.picture).toBe(svg);
    expect(doc.steps).toHaveLength(28);
    expect(doc.steps[27].probabilities).toHaveLength(10);
    const picture = readFileSync(svg, 'utf8');
    expect(picture).toContain('gru z');
    expect(picture).toContain('gru r');
    expect(picture).toContain('class probability after each step');
  });

  it('inspect shows the spec and the training summary', async () => {
    const result = await runCli(['inspect', modelDir, '--json'], { cwd });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.spec.layers[0]).toMatchObject({ cell: 'gru', units: 32 });
    expect(doc.parameters).toBe(3 * (28 * 32 + 32 * 32 + 32) + 32 * 10 + 10);
    expect(doc.training.epochs).toBe(4);
    const text = await runCli(['inspect', modelDir], { cwd });
    expect(text.stdout).toContain('layer      gru: gru 32 units');
  });

  it('a corrupt model directory is a clear error, not a crash', async () => {
    const broken = join(cwd, 'broken');
    const copy = await trainQuick(broken, 100, 50, 4);
    expect(copy.code).toBe(0);
    writeFileSync(join(broken, 'model.json'), '{ "format": "layers-model", ');
    const result = await runCli(['inspect', broken], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('model.json');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const missing = await runCli(['eval', join(cwd, 'no-such-model')], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-such-model');
  });
});
