// Test helper (not exported): a simulated crash in the middle of a write. The N-th changing file-system
// call fails, and every call after it too (a dead process does nothing more: no clean-up, no second
// rename). Used by `atomic-write.test.ts` here and by the tfjs `file-system-handler-crash.test.ts`:
//
//   const crash = vi.hoisted(() => ({ at: Number.POSITIVE_INFINITY, calls: 0 }));
//   vi.mock('node:fs/promises', async (importOriginal) => {
//     const { crashingFs } = await import('…/__fixtures__/crashing-fs');
//     return crashingFs(await importOriginal(), crash);
//   });
type Fs = typeof import('node:fs/promises');

/** Where the crash happens: the `at`-th changing call (counting from 1) fails; `calls` counts them. */
export interface CrashPoint {
  at: number;
  calls: number;
}

/** `fs` whose changing calls (rename, rm, mkdir, link, cp, and open for writing) count towards `crash`. */
export function crashingFs(fs: Fs, crash: CrashPoint) {
  const step = () => {
    crash.calls++;
    if (crash.calls >= crash.at) throw Object.assign(new Error('simulated crash'), { code: 'EIO' });
  };
  const guarded =
    <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      step();
      return f(...args);
    };
  return {
    ...fs,
    rename: guarded(fs.rename),
    rm: guarded(fs.rm),
    mkdir: guarded(fs.mkdir),
    link: guarded(fs.link),
    cp: guarded(fs.cp),
    open: async (...args: Parameters<Fs['open']>) => {
      if (args[1] !== undefined && args[1] !== 'r') step();
      return fs.open(...args);
    },
  };
}
