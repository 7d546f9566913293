import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { useTempFolder } from './__fixtures__/temp-folder';
import { GruClassifierError } from './errors';

// Disk full and read-only file systems cannot be made in a test without root mounts: the write path is
// made to fail the way the kernel does (an errno without a path, as FileHandle.writeFile reports it).
const failure = vi.hoisted(() => ({ code: undefined as string | undefined }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    open: async (...args: Parameters<typeof fs.open>) => {
      const handle = await fs.open(...args);
      if (failure.code === undefined || args[1] !== 'w') return handle;
      const code = failure.code;
      return new Proxy(handle, {
        get(target, key) {
          if (key === 'writeFile') {
            return async () => {
              throw Object.assign(new Error(`${code}: simulated`), { code, errno: -28, syscall: 'write' });
            };
          }
          const value = Reflect.get(target, key);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
});

const { writeDirectoryAtomic, writeFileAtomic } = await import('./fs-atomic');

const root = useTempFolder('fs-atomic');

describe('atomic writes that fail', () => {
  it('name the file and the cause on a full disk, keep the old file and leave no temp file', async () => {
    const file = join(root(), 'train-settings.json');
    await writeFileAtomic(file, new TextEncoder().encode('old'));
    failure.code = 'ENOSPC';
    const error = (await writeFileAtomic(file, new TextEncoder().encode('new')).catch(
      (e: unknown) => e,
    )) as GruClassifierError;
    failure.code = undefined;
    expect(GruClassifierError.isInstance(error)).toBe(true);
    expect(error.code).toBe('WRITE_FAILED');
    expect(error.file).toBe(file);
    expect(error.message).toBe(
      `${file}: could not be written: no space left on the device (ENOSPC). Free some space or choose a writable folder and run again; files saved before are unchanged.`,
    );
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await readdir(root())).toEqual(['train-settings.json']);
  });

  it('name the file inside a folder written atomically on a read-only file system', async () => {
    const dir = join(root(), 'model');
    failure.code = 'EROFS';
    const error = (await writeDirectoryAtomic(
      dir,
      [{ name: 'model.json', bytes: new Uint8Array(3) }],
      async () => true,
    ).catch((e: unknown) => e)) as GruClassifierError;
    failure.code = undefined;
    expect(error.code).toBe('WRITE_FAILED');
    expect(error.message).toMatch(
      /model\/model\.json: could not be written: the file system is read-only \(EROFS\)\./,
    );
    expect((await readdir(root())).filter((n) => n.includes('tmp'))).toEqual([]);
  });

  it('removes temp files of writers that were killed, but not of live ones', async () => {
    const file = join(root(), 'latest.json');
    await writeFile(join(root(), '.latest.json.tmp-999999999-dead'), 'x');
    await writeFile(join(root(), `.latest.json.tmp-${process.ppid}-live`), 'x');
    await writeFileAtomic(file, new TextEncoder().encode('{}'));
    const names = await readdir(root());
    expect(names).toContain(`.latest.json.tmp-${process.ppid}-live`);
    expect(names).not.toContain('.latest.json.tmp-999999999-dead');
  });
});
