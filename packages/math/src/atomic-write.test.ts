import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// A crash is simulated by making the N-th changing file-system call of a write fail, and every call
// after it too (a dead process does nothing more: no clean-up, no second rename).
const crash = vi.hoisted(() => ({ at: Number.POSITIVE_INFINITY, calls: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const { crashingFs } = await import('./__fixtures__/crashing-fs');
  return crashingFs(await importOriginal(), crash);
});

const { atomicWriteDirectory, atomicWriteFile, recoverDirectory } = await import('./atomic-write');

const bytes = (text: string) => new TextEncoder().encode(text);
const pair = (tag: string, size: number) => [
  { name: 'weights.bin', bytes: bytes(tag.repeat(size)) },
  { name: 'model.json', bytes: bytes(JSON.stringify({ tag, weightBytes: size })) },
];

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gruvision-atomic-write-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The folder as a reader finds it after recovery: each file's text. */
async function readFolder(dir: string): Promise<Record<string, string>> {
  await recoverDirectory(dir);
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await readFile(join(dir, name), 'utf8');
  return out;
}

describe('atomicWriteDirectory under a crash at every step', () => {
  it('leaves the old model.json + weights.bin or the new pair, never new weights beside an old model.json', async () => {
    const always = { isReplaceable: async () => true };
    const oldFolder = Object.fromEntries(
      pair('A', 40).map((f) => [f.name, new TextDecoder().decode(f.bytes)]),
    );
    const newFolder = Object.fromEntries(
      pair('B', 24).map((f) => [f.name, new TextDecoder().decode(f.bytes)]),
    );
    // Count the changing calls of one whole write, then crash at each of them in turn.
    const probe = join(root, 'probe');
    expect(await atomicWriteDirectory(probe, pair('A', 40), always)).toEqual({ ok: true });
    crash.calls = 0;
    expect(await atomicWriteDirectory(probe, pair('B', 24), always)).toEqual({ ok: true });
    const steps = crash.calls;
    expect(steps).toBeGreaterThanOrEqual(6); // mkdirs, two file writes, two renames, the old folder's removal
    const seen = { old: 0, new: 0 };
    for (let at = 1; at <= steps; at++) {
      const dir = join(root, `crash-${at}`);
      crash.at = Number.POSITIVE_INFINITY;
      expect(await atomicWriteDirectory(dir, pair('A', 40), always)).toEqual({ ok: true });
      crash.calls = 0;
      crash.at = at;
      const result = await atomicWriteDirectory(dir, pair('B', 24), always);
      crash.at = Number.POSITIVE_INFINITY;
      const found = await readFolder(dir);
      if (result.ok) expect(found, `crash at step ${at} after success`).toEqual(newFolder);
      else expect([oldFolder, newFolder], `crash at step ${at}`).toContainEqual(found);
      seen[found['model.json'] === oldFolder['model.json'] ? 'old' : 'new']++;
      // The next write over what the crash left succeeds (siblings of dead writers are removed then).
      expect(await atomicWriteDirectory(dir, pair('C', 8), always)).toEqual({ ok: true });
      expect(JSON.parse((await readFolder(dir))['model.json']!)).toEqual({ tag: 'C', weightBytes: 8 });
    }
    // Both outcomes occur: crashes before the swap keep the old pair, the removal of the old folder is after it.
    expect(seen.old).toBeGreaterThan(0);
    expect(seen.new).toBeGreaterThan(0);
  });
});

describe('atomicWriteDirectory', () => {
  it('keeps the other entries of the folder when asked, and only then', async () => {
    const dir = join(root, 'keep');
    await mkdir(join(dir, 'notes'), { recursive: true });
    await writeFile(join(dir, 'notes', 'a.txt'), 'kept');
    await writeFile(join(dir, 'README.md'), 'mine');
    await writeFile(join(dir, 'model.json'), 'old');
    const keep = { isReplaceable: async () => true, keepOtherEntries: true };
    expect(await atomicWriteDirectory(dir, pair('B', 3), keep)).toEqual({ ok: true });
    expect((await readdir(dir)).sort()).toEqual(['README.md', 'model.json', 'notes', 'weights.bin']);
    expect(await readFile(join(dir, 'notes', 'a.txt'), 'utf8')).toBe('kept');
    expect(await readFile(join(dir, 'model.json'), 'utf8')).toBe('{"tag":"B","weightBytes":3}');
    expect(await atomicWriteDirectory(dir, pair('C', 3), { isReplaceable: async () => true })).toEqual({
      ok: true,
    });
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('refuses a folder that is not replaceable and changes nothing', async () => {
    const dir = join(root, 'theirs');
    await mkdir(dir);
    await writeFile(join(dir, 'thesis.tex'), 'precious');
    const result = await atomicWriteDirectory(dir, pair('B', 3), { isReplaceable: async () => false });
    expect(result).toEqual({ ok: false, problem: 'not-replaceable', path: dir });
    expect(await readdir(dir)).toEqual(['thesis.tex']);
    expect((await readdir(root)).filter((n) => n.startsWith('.theirs.'))).toEqual([]);
  });

  it('names the file whose write failed', async () => {
    const dir = join(root, 'blocked');
    crash.calls = 0;
    crash.at = 3; // mkdir parent, mkdir temp folder, then the first file
    const result = await atomicWriteDirectory(dir, pair('B', 3), { isReplaceable: async () => true });
    crash.at = Number.POSITIVE_INFINITY;
    expect(result).toMatchObject({ ok: false, problem: 'failed', path: join(dir, 'weights.bin') });
  });
});

describe('atomicWriteFile under a crash at every step', () => {
  it('leaves the old file or the new one, whole', async () => {
    const file = join(root, 'settings.json');
    for (let at = 1; at <= 4; at++) {
      crash.at = Number.POSITIVE_INFINITY;
      expect(await atomicWriteFile(file, bytes('old old old'))).toEqual({ ok: true });
      crash.calls = 0;
      crash.at = at;
      const result = await atomicWriteFile(file, bytes('new'));
      crash.at = Number.POSITIVE_INFINITY;
      const text = await readFile(file, 'utf8');
      expect(['old old old', 'new']).toContain(text);
      if (result.ok) expect(text).toBe('new');
    }
  });
});
