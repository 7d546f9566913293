import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GruClassifier } from '@gruvision/classifier';
import { saveClassifier } from '@gruvision/classifier/node';
import { encode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './fixtures';
import { runCli } from './run-cli';

// Inputs small on disk but huge to process are refused by name, quickly, and the limits can be
// raised on purpose with --max-pixels / --max-input-size (issue 14, item 5).
const cwd = tempDir('limits');
const modelDir = join(cwd, 'model');

function png(width: number, height: number): Uint8Array {
  return encode({ width, height, data: new Uint8Array(width * height).fill(200), channels: 1, depth: 8 });
}

beforeAll(async () => {
  // An untrained 28×28 model: these tests are about reading inputs, not about predictions.
  const model = await GruClassifier.create({ classNames: ['a', 'b'], units: 8, seed: 1 });
  await saveClassifier(model, modelDir);
  model.dispose();
});

describe('inputs that cost more than they are worth', () => {
  it('predict refuses /dev/zero and a FIFO at once, naming them', async () => {
    const zero = await runCli(['predict', modelDir, '/dev/zero'], { cwd, timeoutMs: 30_000 });
    expect(zero.code).toBe(1);
    expect(zero.stderr).toContain('/dev/zero: is a character device, not a regular file');
    execFileSync('mkfifo', [join(cwd, 'pipe.png')]);
    const fifo = await runCli(['predict', modelDir, join(cwd, 'pipe.png')], { cwd, timeoutMs: 30_000 });
    expect(fifo.code).toBe(1);
    expect(fifo.stderr).toContain('pipe.png: is a FIFO (named pipe), not a regular file');
  });

  it('predict and explain check --max-pixels before decoding; raising it lets the image through', async () => {
    writeFileSync(join(cwd, 'wide.png'), png(400, 300));
    const refused = await runCli(['predict', modelDir, 'wide.png', '--max-pixels', '100000'], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'wide.png: the PNG image is 400×300 = 120,000 pixels, more than the limit of 100,000.',
    );
    expect(refused.stderr).toContain('--max-pixels');
    const raised = await runCli(['predict', modelDir, 'wide.png', '--max-pixels', '120000', '--json'], {
      cwd,
    });
    expect(raised.code).toBe(0);
    expect(JSON.parse(raised.stdout)[0].file).toBe('wide.png');
    const explain = await runCli(['explain', modelDir, 'wide.png', '--max-pixels', '1000'], { cwd });
    expect(explain.code).toBe(1);
    expect(explain.stderr).toContain('more than the limit of 1,000');
  });

  it('eval checks --max-input-size against a folder dataset and documents both options', async () => {
    const data = join(cwd, 'folder');
    for (const name of ['a', 'b']) {
      mkdirSync(join(data, name), { recursive: true });
      for (let i = 0; i < 5; i++) writeFileSync(join(data, name, `${i}.png`), png(28, 28));
    }
    const small = await runCli(
      ['eval', modelDir, '--dataset', `folder:${data}`, '--max-input-size', '4KiB'],
      {
        cwd,
      },
    );
    expect(small.code).toBe(1);
    expect(small.stderr).toContain('10 images of 28×28×1 take 7.66 KiB, more than the limit of 4 KiB');
    const bad = await runCli(['eval', modelDir, '--max-input-size', 'lots'], { cwd });
    expect(bad.code).toBe(2);
    for (const command of ['predict', 'explain', 'eval', 'train', 'compare', 'sweep']) {
      const help = await runCli([command, '--help'], { cwd });
      expect(help.stdout, command).toContain('--max-pixels <n>');
      expect(help.stdout, command).toContain('--max-input-size <size>');
    }
  });
});
