import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPlainRelativePath, readConfinedFile } from './confined-file';

const root = mkdtempSync(join(tmpdir(), 'gruvision-confined-'));
const dir = join(root, 'model');
mkdirSync(join(dir, 'sub'), { recursive: true });
writeFileSync(join(dir, 'weights.bin'), new Uint8Array([1, 2, 3, 4]));
writeFileSync(join(root, 'outside.bin'), 'root:x:0:0');
symlinkSync(join(root, 'outside.bin'), join(dir, 'out-link'));
symlinkSync('weights.bin', join(dir, 'in-link'));
symlinkSync('/dev/zero', join(dir, 'zero'));
symlinkSync('loop', join(dir, 'loop'));
execFileSync('mkfifo', [join(dir, 'fifo')]);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const read = (name: string, maxBytes = 100, expectedBytes?: number) =>
  readConfinedFile(dir, name, { maxBytes, ...(expectedBytes !== undefined ? { expectedBytes } : {}) });

describe('readConfinedFile', () => {
  it('reads a regular file inside the folder, also through a link that stays inside', async () => {
    for (const name of ['weights.bin', 'in-link']) {
      const r = await read(name);
      expect(r.ok && Array.from(r.bytes)).toEqual([1, 2, 3, 4]);
    }
  });

  it('refuses links out, devices, FIFOs, directories, loops, missing files and bad names, without contents', async () => {
    const cases: [string, string, string | RegExp][] = [
      ['out-link', 'outside', /outside\.bin$/],
      ['zero', 'outside', '/dev/zero'],
      ['fifo', 'not-regular', 'a FIFO'],
      ['sub', 'not-regular', 'a directory'],
      ['loop', 'unreadable', 'ELOOP'],
      ['nothing', 'missing', 'ENOENT'],
      ['../outside.bin', 'unsafe-name', '"../outside.bin"'],
    ];
    for (const [name, problem, detail] of cases) {
      const r = await read(name);
      expect(r.ok, name).toBe(false);
      if (r.ok) continue;
      expect(r.problem, name).toBe(problem);
      expect(r.detail, name).toMatch(detail);
      expect(JSON.stringify(r), name).not.toContain('root:x');
    }
  }, 10_000);

  it('checks the size before reading', async () => {
    expect(await read('weights.bin', 3)).toMatchObject({ ok: false, problem: 'too-large', detail: '4' });
    expect(await read('weights.bin', 100, 8)).toMatchObject({
      ok: false,
      problem: 'size-mismatch',
      detail: '4',
    });
  });

  it('knows plain relative paths', () => {
    expect(['a.bin', 'group1-shard1of1.bin', 'sub/a.bin'].every(isPlainRelativePath)).toBe(true);
    expect(
      ['', '/etc/passwd', '../a', 'a/../b', 'a//b', './a', 'C:\\a', 'http://x', 'a\0b'].some(
        isPlainRelativePath,
      ),
    ).toBe(false);
  });
});
