import { describe, expect, it } from 'vitest';
import { createProgram } from './program';

describe('gruvision program', () => {
  it('prints its version from package.json', async () => {
    const program = createProgram().exitOverride();
    let out = '';
    program.configureOutput({ writeOut: (s) => (out += s) });
    await expect(program.parseAsync(['node', 'gruvision', '--version'])).rejects.toMatchObject({
      code: 'commander.version',
    });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
