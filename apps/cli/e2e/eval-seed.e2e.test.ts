import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './fixtures';
import { runCli } from './run-cli';

const cwd = tempDir('eval-seed');

describe('gruvision eval on a seeded split', () => {
  it("uses the model's own split seed, and warns when a model does not say it", async () => {
    const out = join(cwd, 'fashion');
    // biome-ignore format: one command line reads best on one line
    const train = await runCli(['train', '--dataset', 'fashion-mnist', '--seed', '3', '--limit', '200', '--test-limit', '100', '--units', '6', '--epochs', '1', '--out', out, '--json'], { cwd });
    expect(train.code, train.stderr).toBe(0);
    const evaluated = await runCli(['eval', out, '--test-limit', '100', '--json'], { cwd });
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const doc = JSON.parse(evaluated.stdout) as { split: string; splitNote: string; accuracy: number };
    expect(doc.split).toBe('seeded');
    expect(doc.splitNote).toContain('(seed 3)');
    // The same test images as train measured: the same accuracy.
    const trained = JSON.parse(train.stdout.trim().split('\n').at(-1)!) as { testAccuracy: number };
    expect(doc.accuracy).toBe(trained.testAccuracy);
    // A model folder without train-settings.json: the seed is unknown, so eval says so.
    const bare = join(cwd, 'bare');
    mkdirSync(bare, { recursive: true });
    for (const file of ['model.json', 'weights.bin']) copyFileSync(join(out, file), join(bare, file));
    const unknown = await runCli(['eval', bare, '--dataset', 'fashion-mnist', '--test-limit', '100'], {
      cwd,
    });
    expect(unknown.code, unknown.stderr).toBe(0);
    expect(unknown.stderr).toContain('does not say which seed its training split had');
    const given = await runCli(
      ['eval', bare, '--dataset', 'fashion-mnist', '--seed', '3', '--test-limit', '100', '--json'],
      { cwd },
    );
    expect(JSON.parse(given.stdout).accuracy).toBe(trained.testAccuracy);
    expect(given.stderr).not.toContain('does not say which seed');
  }, 300_000);
});
