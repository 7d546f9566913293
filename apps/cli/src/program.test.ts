import { describe, expect, it } from 'vitest';
import { memoryIo } from './__fixtures__/memory-io';
import { run } from './program';

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
