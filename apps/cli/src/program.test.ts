import { describe, expect, it } from 'vitest';
import { run } from './program';
import type { Io } from './ui/io';

function memoryIo(): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    interactive: false,
    columns: 100,
    out: () => out,
    err: () => err,
  };
}

describe('gruvision program', () => {
  it('prints its version from package.json and exits 0', async () => {
    const io = memoryIo();
    expect(await run(['--version'], io, [])).toBe(0);
    expect(io.out().trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 on an unknown option or command, with a hint', async () => {
    const io = memoryIo();
    expect(await run(['--frobnicate'], io, [])).toBe(2);
    expect(io.err()).toContain("unknown option '--frobnicate'");
    expect(io.err()).toContain('(run with --help for usage)');
  });
});
