import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findPeerBench } from './bench';

describe('gruvision bench --peers', () => {
  it('finds the peer bench of the checkout it runs in, from any folder below the root', () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
    const run = path.join(root, 'bench', 'src', 'run.ts');
    expect(findPeerBench([root])).toBe(run);
    expect(findPeerBench([path.join(root, 'apps', 'cli', 'src')])).toBe(run);
  });

  it('finds none outside a checkout: a bench/src/run.ts without pnpm-workspace.yaml does not count', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gruvision-peers-'));
    try {
      mkdirSync(path.join(dir, 'bench', 'src'), { recursive: true });
      writeFileSync(path.join(dir, 'bench', 'src', 'run.ts'), '');
      expect(findPeerBench([path.join(dir, 'bench')])).toBeNull();
      writeFileSync(path.join(dir, 'pnpm-workspace.yaml'), 'packages: []\n');
      expect(findPeerBench([path.join(dir, 'bench')])).toBe(path.join(dir, 'bench', 'src', 'run.ts'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
